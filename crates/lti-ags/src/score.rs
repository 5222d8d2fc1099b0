//! The score a tool publishes for one learner on one line item [AGS §3.4].

use lti_core::UserId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ActivityProgress, GradingProgress, Timestamp, blank};

/// A score, as posted with `application/vnd.ims.lis.v1.score+json` [AGS §3.4.4–§3.4.11].
///
/// `userId`, `timestamp`, `activityProgress` and `gradingProgress` are required (a body without one fails to
/// parse, naming it). [`check`](Self::check) adds the rules serde cannot express.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Score {
    /// The learner (LTI `sub`) [AGS §3.4.5].
    pub user_id: UserId,
    /// When the score was set; strictly increasing per (line item, user) [AGS §3.4.9].
    pub timestamp: Timestamp,
    /// The learner's progress [AGS §3.4.7].
    pub activity_progress: ActivityProgress,
    /// The grading state; only `FullyGraded` is final [AGS §3.4.8].
    pub grading_progress: GradingProgress,
    /// The score, ≥ 0, may exceed `scoreMaximum`; absent means "no score now" [AGS §3.4.4].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_given: Option<f64>,
    /// The denominator of `scoreGiven`; required with it [AGS §3.4.4].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_maximum: Option<f64>,
    /// Who graded (LTI user id) [AGS §3.4.6].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub scoring_user_id: Option<UserId>,
    /// A plain-text comment for learner and instructors; a score without one clears the previous one
    /// [AGS §3.4.11].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::string"
    )]
    pub comment: Option<String>,
    /// When the learner started and submitted [AGS §3.4.10].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission: Option<Submission>,
    /// Members not modelled here (URL-keyed extensions), kept as sent.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl Score {
    /// A score for `user_id` at `timestamp` with no `scoreGiven`: set [`given`](Self::given) for a grade.
    ///
    /// Take `timestamp` from [`AgsClient::next_timestamp`](crate::AgsClient::next_timestamp), which never
    /// repeats one (checklist 99).
    pub fn new(
        user_id: UserId,
        timestamp: Timestamp,
        activity_progress: ActivityProgress,
        grading_progress: GradingProgress,
    ) -> Self {
        Self {
            user_id,
            timestamp,
            activity_progress,
            grading_progress,
            score_given: None,
            score_maximum: None,
            scoring_user_id: None,
            comment: None,
            submission: None,
            extensions: Map::new(),
        }
    }

    /// Sets `scoreGiven` and `scoreMaximum` together.
    #[must_use]
    pub fn given(mut self, score_given: f64, score_maximum: f64) -> Self {
        self.score_given = Some(score_given);
        self.score_maximum = Some(score_maximum);
        self
    }

    /// Sets the comment.
    #[must_use]
    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Checks the score rules (checklist 98, 113, 116): a non-empty `userId`; `activityProgress` and
    /// `gradingProgress` in their vocabularies; `scoreGiven` finite and ≥ 0 (it may exceed `scoreMaximum`);
    /// `scoreMaximum` present with `scoreGiven`, finite and > 0; `submittedAt` not before `startedAt`.
    ///
    /// # Errors
    /// The first rule that fails, as `(field, expected)`.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if self.user_id.as_str().trim().is_empty() {
            return Err(("userId", "a non-empty LTI user id"));
        }
        if !self.activity_progress.is_known() {
            return Err((
                "activityProgress",
                "one of Initialized, Started, InProgress, Submitted, Completed",
            ));
        }
        if !self.grading_progress.is_known() {
            return Err((
                "gradingProgress",
                "one of FullyGraded, Pending, PendingManual, Failed, NotReady",
            ));
        }
        if let Some(given) = self.score_given {
            if !(given.is_finite() && given >= 0.0) {
                return Err(("scoreGiven", "a number ≥ 0"));
            }
            if self.score_maximum.is_none() {
                return Err(("scoreMaximum", "a number > 0 whenever scoreGiven is sent"));
            }
        }
        if let Some(max) = self.score_maximum
            && !(max.is_finite() && max > 0.0)
        {
            return Err(("scoreMaximum", "a number > 0"));
        }
        if let Some(Submission {
            started_at: Some(start),
            submitted_at: Some(end),
            ..
        }) = &self.submission
            && end.instant_cmp(start).is_lt()
        {
            return Err(("submission.submittedAt", "a time not before startedAt"));
        }
        Ok(())
    }
}

/// When the learner started and submitted the work [AGS §3.4.10].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Submission {
    /// When the learner started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::timestamp"
    )]
    pub started_at: Option<Timestamp>,
    /// When the learner submitted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "blank::timestamp"
    )]
    pub submitted_at: Option<Timestamp>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<Score, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn c98_spec_example_parses_and_writes_back() {
        let score = parse(
            json!({"timestamp":"2017-04-16T18:54:36.736+00:00","scoreGiven":83,
            "scoreMaximum":100,"comment":"This is exceptional work.","activityProgress":"Completed",
            "gradingProgress":"FullyGraded","userId":"5323497","scoringUserId":"4567890"}),
        )
        .unwrap();
        assert!(score.check().is_ok());
        assert_eq!(score.score_given, Some(83.0));
        let back = serde_json::to_value(&score).unwrap();
        assert_eq!(back["timestamp"], "2017-04-16T18:54:36.736Z");
        assert_eq!(back["activityProgress"], "Completed");
        assert_eq!(back["userId"], "5323497");
    }

    #[test]
    fn c98_required_members_are_named_when_missing() {
        for missing in ["userId", "timestamp", "activityProgress", "gradingProgress"] {
            let mut v = json!({"timestamp":"2017-04-16T18:54:36.736Z","activityProgress":"Completed",
                "gradingProgress":"FullyGraded","userId":"1"});
            v.as_object_mut().unwrap().remove(missing);
            let e = parse(v).unwrap_err();
            assert!(e.to_string().contains(missing), "{e}");
        }
    }

    #[test]
    fn c113_c116_score_rules() {
        let base = || {
            Score::new(
                UserId::from("1"),
                Timestamp::parse("2024-01-01T00:00:00.000Z").unwrap(),
                ActivityProgress::Completed,
                GradingProgress::FullyGraded,
            )
        };
        assert!(
            base().given(12.0, 10.0).check().is_ok(),
            "c113: above the maximum is fine"
        );
        assert!(base().check().is_ok(), "no score is fine");
        assert_eq!(
            base().given(-1.0, 10.0).check().unwrap_err().0,
            "scoreGiven"
        );
        assert_eq!(
            base().given(1.0, 0.0).check().unwrap_err().0,
            "scoreMaximum"
        );
        let mut s = base();
        s.score_given = Some(1.0);
        assert_eq!(s.check().unwrap_err().0, "scoreMaximum");
        let mut s = base();
        s.grading_progress = GradingProgress::from("Graded");
        assert_eq!(s.check().unwrap_err().0, "gradingProgress");
        let mut s = base();
        s.activity_progress = ActivityProgress::from("Done");
        assert_eq!(s.check().unwrap_err().0, "activityProgress");
        let mut s = base();
        s.user_id = UserId::from(" ");
        assert_eq!(s.check().unwrap_err().0, "userId");
        assert!(
            parse(
                json!({"timestamp":"2017-04-16T18:54:36.736Z","activityProgress":"Completed",
            "gradingProgress":"FullyGraded","userId":"1","scoreGiven":"83","scoreMaximum":100})
            )
            .is_err()
        );
    }
}
