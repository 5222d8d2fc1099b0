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
    /// How a learner's launch is graded.
    pub grading: Grading,
}

/// How the tool grades a learner's launch of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grading {
    /// Machine-graded at once (`Completed`, `FullyGraded`) in the `grade` line item, and a participation mark in
    /// a second line item of the same resource link, tagged `participation` (guide 2.3.4).
    MachineWithParticipation,
    /// Submitted for manual grading (`Submitted`, `PendingManual`, no score); the instructor grades it later on
    /// the tool's grading page (guide 2.2.2, 2.3.3).
    Manual,
    /// Not graded.
    Ungraded,
}

/// The `tag` of an activity's main line item (the one deep linking creates).
pub const GRADE_TAG: &str = "grade";
/// The `tag` of the participation line item of a [`Grading::MachineWithParticipation`] activity.
pub const PARTICIPATION_TAG: &str = "participation";

/// Every activity of the catalogue; the first is the one `--auto-deep-link` answers with.
pub const ACTIVITIES: &[Activity] = &[
    Activity {
        slug: "quiz-1",
        title: "Quiz 1",
        score_maximum: Some(10.0),
        grading: Grading::MachineWithParticipation,
    },
    Activity {
        slug: "essay",
        title: "Essay",
        score_maximum: Some(100.0),
        grading: Grading::Manual,
    },
    Activity {
        slug: "reading",
        title: "Reading",
        score_maximum: None,
        grading: Grading::Ungraded,
    },
];

impl Activity {
    /// The activity with `slug`, if the catalogue has it.
    pub fn find(slug: &str) -> Option<&'static Activity> {
        ACTIVITIES.iter().find(|a| a.slug == slug)
    }
}
