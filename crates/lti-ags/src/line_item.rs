//! The line item: a gradebook column owned by a tool deployment [AGS §3.2.3–§3.2.14; SR].

use std::collections::BTreeMap;
use std::fmt;

use lti_core::ResourceLinkId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ActivityProgress, Timestamp, blank};

/// A line item's `id`: its REST URL, compared on the exact string (never canonicalised) [AGS §3.2.3].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LineItemId(String);

impl LineItemId {
    /// Wraps `url` as is.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LineItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LineItemId({:?})", self.0)
    }
}

impl fmt::Display for LineItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for LineItemId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for LineItemId {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// A line item, as sent and received with `application/vnd.ims.lis.v2.lineitem+json` [AGS §3.2].
///
/// `label` and `scoreMaximum` are required by the spec; they are read leniently here (`label` absent reads as
/// `""`, `scoreMaximum` as `None`) so that the platform can answer with a 400 naming the field, and checked
/// by [`check`](Self::check). `resourceId`, `tag` and the dates read `null` and blank as `None`. Unknown
/// (URL-keyed extension) members are kept in [`extensions`](Self::extensions) and written back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LineItem {
    /// The line item's URL, set by the platform [AGS §3.2.3].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<LineItemId>,
    /// The column label; non-blank [AGS §3.2.7].
    #[serde(default)]
    pub label: String,
    /// The maximum score; > 0 [AGS §3.2.8].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_maximum: Option<f64>,
    /// The resource link the item is bound to [AGS §3.2.9].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub resource_link_id: Option<ResourceLinkId>,
    /// The tool's own resource id; never changed by the platform [AGS §3.2.10].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub resource_id: Option<String>,
    /// A qualifier such as `grade` or `originality`; never changed by the platform [AGS §3.2.11].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub tag: Option<String>,
    /// When submissions open [AGS §3.2.12].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::timestamp"
    )]
    pub start_date_time: Option<Timestamp>,
    /// When submissions are due [AGS §3.2.13].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::timestamp"
    )]
    pub end_date_time: Option<Timestamp>,
    /// The tool's wish that grades be released [AGS §3.2.14].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades_released: Option<bool>,
    /// Submission Review settings (SR `#on-a-per-line-item-basis-0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission_review: Option<SubmissionReview>,
    /// Members not modelled here (URL-keyed extensions [AGS §3.1.2]), kept as sent.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl LineItem {
    /// A line item with `label` and `score_maximum`; set the other fields as needed.
    pub fn new(label: impl Into<String>, score_maximum: f64) -> Self {
        Self {
            label: label.into(),
            score_maximum: Some(score_maximum),
            ..Self::default()
        }
    }

    /// Checks the rules a line item sent by a tool must meet (checklist 101, 109): a non-blank `label`, a
    /// finite `scoreMaximum` > 0, `startDateTime` ≤ `endDateTime` when both are set.
    ///
    /// # Errors
    /// The first rule that fails, as `(field, expected)`.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if self.label.trim().is_empty() {
            return Err(("label", "a non-blank label"));
        }
        match self.score_maximum {
            None => return Err(("scoreMaximum", "a number greater than 0")),
            Some(max) if !(max.is_finite() && max > 0.0) => {
                return Err(("scoreMaximum", "a number greater than 0"));
            }
            Some(_) => {}
        }
        if let (Some(start), Some(end)) = (&self.start_date_time, &self.end_date_time)
            && start.instant_cmp(end).is_gt()
        {
            return Err(("endDateTime", "a time not before startDateTime"));
        }
        Ok(())
    }
}

/// Which learners' submissions can be reviewed from the gradebook, and how to launch the review
/// (SR `#on-a-per-line-item-basis-0`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubmissionReview {
    /// The `activityProgress` values for which the review is offered (`None`, seen in the wild, reads as
    /// [`ActivityProgress::Other`]).
    #[serde(default)]
    pub reviewable_status: Vec<ActivityProgress>,
    /// A label for the review link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub label: Option<String>,
    /// The review launch URL (else the resource link's or the tool's default).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub url: Option<String>,
    /// Custom parameters added to the review launch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<BTreeMap<String, String>>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl SubmissionReview {
    /// Review offered for learners in `reviewable_status`.
    pub fn new(reviewable_status: Vec<ActivityProgress>) -> Self {
        Self {
            reviewable_status,
            ..Self::default()
        }
    }

    /// Whether a learner whose last `activityProgress` is `progress` can be reviewed (checklist 132).
    pub fn is_reviewable(&self, progress: &ActivityProgress) -> bool {
        self.reviewable_status.contains(progress)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn spec_example_parses_with_blank_and_null_members() {
        let item: LineItem = serde_json::from_value(json!({
            "id": "https://lms.example.com/context/2923/lineitems/1",
            "scoreMaximum": 60,
            "label": "Chapter 5 Test",
            "resourceId": "a-9334df-33",
            "tag": "",
            "resourceLinkId": "1g3k4dlk49fk",
            "startDateTime": null,
            "endDateTime": "2018-04-06T22:05:03.000Z",
            "gradesReleased": true,
            "https://canvas.instructure.com/lti/submission_type": {"type": "external_tool"}
        }))
        .unwrap();
        assert_eq!(item.score_maximum, Some(60.0));
        assert_eq!(item.tag, None);
        assert_eq!(item.start_date_time, None);
        assert_eq!(
            item.end_date_time.unwrap().to_string(),
            "2018-04-06T22:05:03.000Z"
        );
        assert!(
            item.extensions
                .contains_key("https://canvas.instructure.com/lti/submission_type")
        );
        let back = serde_json::to_value(&item).unwrap();
        assert_eq!(back["resourceLinkId"], "1g3k4dlk49fk");
        assert!(back.get("tag").is_none());
        assert_eq!(
            back["https://canvas.instructure.com/lti/submission_type"]["type"],
            "external_tool"
        );
    }

    #[test]
    fn c101_c109_label_and_score_maximum_rules() {
        assert!(LineItem::new("Quiz", 10.0).check().is_ok());
        assert_eq!(LineItem::new("  ", 10.0).check().unwrap_err().0, "label");
        assert_eq!(
            LineItem::new("Quiz", 0.0).check().unwrap_err().0,
            "scoreMaximum"
        );
        assert_eq!(
            LineItem::new("Quiz", -1.0).check().unwrap_err().0,
            "scoreMaximum"
        );
        let mut item = LineItem::new("Quiz", 1.0);
        item.score_maximum = None;
        assert_eq!(item.check().unwrap_err().0, "scoreMaximum");
        item.score_maximum = Some(1.0);
        item.start_date_time = Some(Timestamp::parse("2024-01-02T00:00:00Z").unwrap());
        item.end_date_time = Some(Timestamp::parse("2024-01-01T00:00:00Z").unwrap());
        assert_eq!(item.check().unwrap_err().0, "endDateTime");
    }

    #[test]
    fn c132_submission_review_member_and_reviewable_status() {
        let item: LineItem = serde_json::from_value(json!({
            "label": "Essay", "scoreMaximum": 10,
            "submissionReview": {"reviewableStatus": ["Submitted", "Completed", "None"],
                                 "label": "Open", "url": "https://tool.example/review",
                                 "custom": {"a": "b"}}
        }))
        .unwrap();
        let review = item.submission_review.unwrap();
        assert!(review.is_reviewable(&ActivityProgress::Submitted));
        assert!(!review.is_reviewable(&ActivityProgress::Started));
        assert_eq!(review.custom.unwrap()["a"], "b");
    }
}
