//! The result: a learner's current grade for a line item, as the platform's gradebook holds it [AGS §3.3].

use lti_core::UserId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{LineItemId, blank};

/// One result of a `application/vnd.ims.lis.v2.resultcontainer+json` array [AGS §3.3.4].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LineItemResult {
    /// The result record's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The line item this result belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_of: Option<LineItemId>,
    /// The learner (LTI `sub`).
    pub user_id: UserId,
    /// The current score; may be absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_score: Option<f64>,
    /// The maximum; 1 when absent ([`maximum`](Self::maximum)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_maximum: Option<f64>,
    /// Who graded.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub scoring_user_id: Option<UserId>,
    /// The comment; may be absent or blank.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub comment: Option<String>,
    /// Members not modelled here (URL-keyed extensions).
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl LineItemResult {
    /// A result for `user_id` with no score.
    pub fn new(user_id: UserId) -> Self {
        Self {
            id: None,
            score_of: None,
            user_id,
            result_score: None,
            result_maximum: None,
            scoring_user_id: None,
            comment: None,
            extensions: Map::new(),
        }
    }

    /// `resultMaximum`, or 1 when the platform left it out [AGS §3.3.4.6] (checklist 103).
    pub fn maximum(&self) -> f64 {
        self.result_maximum.unwrap_or(1.0)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn c103_missing_result_maximum_means_one() {
        let r: LineItemResult = serde_json::from_value(json!({
            "id": "https://lms.example.com/context/2923/lineitems/1/results/5323497",
            "scoreOf": "https://lms.example.com/context/2923/lineitems/1",
            "userId": "5323497", "resultScore": 0.83, "comment": ""
        }))
        .unwrap();
        assert_eq!(r.maximum(), 1.0);
        assert_eq!(r.comment, None);
        let r: LineItemResult =
            serde_json::from_value(json!({"userId": "1", "resultScore": 5, "resultMaximum": 10}))
                .unwrap();
        assert_eq!(r.maximum(), 10.0);
    }
}
