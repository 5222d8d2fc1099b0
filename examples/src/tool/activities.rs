//! The reference tool's catalogue: the activities a deep-linking picker offers.

/// One activity the tool can place in a course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activity {
    /// The slug: part of the activity's URL (`{base}/activities/{slug}`) and the line item's `resourceId`.
    pub slug: &'static str,
    /// The title shown to the instructor and sent as the content item's title.
    pub title: &'static str,
    /// The maximum score when the activity is graded (the content item then carries a line item).
    pub score_maximum: Option<f64>,
}

/// Every activity of the catalogue; the first is the one `--auto-deep-link` answers with.
pub const ACTIVITIES: &[Activity] = &[
    Activity {
        slug: "quiz-1",
        title: "Quiz 1",
        score_maximum: Some(10.0),
    },
    Activity {
        slug: "essay",
        title: "Essay",
        score_maximum: Some(100.0),
    },
    Activity {
        slug: "reading",
        title: "Reading",
        score_maximum: None,
    },
];

impl Activity {
    /// The activity with `slug`, if the catalogue has it.
    pub fn find(slug: &str) -> Option<&'static Activity> {
        ACTIVITIES.iter().find(|a| a.slug == slug)
    }
}
