//! The platform's gradebook as AGS needs it: the [`Gradebook`] trait a platform with its own database
//! implements, the score semantics every implementation shares ([`GradeRecord::apply`]), and
//! [`StoreGradebook`] over any [`Store`](lti_storage::Store).

mod store;

use std::fmt;

use async_trait::async_trait;
use lti_core::{ClientId, ContextId, ResourceLinkId, UserId};
use serde::{Deserialize, Serialize};

pub use store::StoreGradebook;

use crate::{ActivityProgress, Error, GradingProgress, LineItem, Score, Timestamp};

/// Whose line items: one tool (client id) in one context. Every gradebook call is scoped to an owner, so a
/// tool never sees or changes another tool's items [AGS §1].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LineItemOwner {
    /// The context (course).
    pub context_id: ContextId,
    /// The tool.
    pub client_id: ClientId,
}

impl LineItemOwner {
    /// The owner `client_id` in `context_id`.
    pub fn new(context_id: ContextId, client_id: ClientId) -> Self {
        Self {
            context_id,
            client_id,
        }
    }
}

/// The platform's key of a line item within its owner: 1 to 64 characters of `a-z`, `0-9`, `-`, `_` (lower
/// case only, so URLs that contain it survive clients that lower-case them).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LineItemKey(String);

impl LineItemKey {
    /// `key` if it is 1–64 characters of `a-z`, `0-9`, `-`, `_`.
    pub fn parse(key: &str) -> Option<Self> {
        let valid = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        valid.then(|| Self(key.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LineItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LineItemKey({})", self.0)
    }
}

impl fmt::Display for LineItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A line item as the gradebook keeps it: its key and the item (without `id`, which is the service URL).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredLineItem {
    /// The key.
    pub key: LineItemKey,
    /// The item.
    pub item: LineItem,
}

/// The container filters [AGS §3.2.4]; set filters are ANDed (checklist 106).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LineItemFilter {
    /// Only items bound to this resource link.
    #[serde(default, rename = "rl", skip_serializing_if = "Option::is_none")]
    pub resource_link_id: Option<ResourceLinkId>,
    /// Only items with this `resourceId`.
    #[serde(default, rename = "ri", skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// Only items with this `tag`.
    #[serde(default, rename = "t", skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

impl LineItemFilter {
    /// Whether `item` passes every set filter.
    pub fn matches(&self, item: &LineItem) -> bool {
        self.resource_link_id
            .as_ref()
            .is_none_or(|want| item.resource_link_id.as_ref() == Some(want))
            && self
                .resource_id
                .as_ref()
                .is_none_or(|want| item.resource_id.as_ref() == Some(want))
            && self
                .tag
                .as_ref()
                .is_none_or(|want| item.tag.as_ref() == Some(want))
    }
}

/// What became of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScoreOutcome {
    /// Stored.
    Applied,
    /// Ignored: its timestamp is not later than the stored one [AGS §3.4.9] (checklist 112).
    Stale,
}

/// The final grade published to the gradebook: a `FullyGraded` score's `scoreGiven` over its `scoreMaximum`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublishedGrade {
    /// `scoreGiven`.
    pub given: f64,
    /// `scoreMaximum`.
    pub maximum: f64,
}

/// One learner's grade state for one line item: the last score received and the grade published from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GradeRecord {
    /// The learner.
    pub user_id: UserId,
    /// The timestamp of the last score applied; older or equal ones are ignored.
    pub timestamp: Timestamp,
    /// The last `activityProgress`.
    pub activity_progress: ActivityProgress,
    /// The last `gradingProgress`.
    pub grading_progress: GradingProgress,
    /// The last score sent (`scoreGiven`, `scoreMaximum`), final or not.
    pub last_score: Option<PublishedGrade>,
    /// The grade shown in the gradebook: set by `FullyGraded` scores only; a score without `scoreGiven`
    /// clears it.
    pub published: Option<PublishedGrade>,
    /// The tool's comment (every score replaces it; a score without one clears it).
    pub comment: Option<String>,
    /// Who graded.
    pub scoring_user_id: Option<UserId>,
    /// When the learner started [AGS §3.4.10].
    pub started_at: Option<Timestamp>,
    /// When the learner submitted [AGS §3.4.10].
    pub submitted_at: Option<Timestamp>,
}

impl GradeRecord {
    /// The record after `score`, given the stored record `previous`; `None` when the score is stale (its
    /// timestamp is not later than `previous`'s). `score` must have passed [`Score::check`].
    ///
    /// The rules [AGS §3.4.4, §3.4.8–§3.4.11]:
    /// - a `FullyGraded` score with `scoreGiven` publishes it; any score without `scoreGiven` clears the
    ///   published grade (checklist 114); a score with `scoreGiven` that is not `FullyGraded` (`Pending`,
    ///   `PendingManual`, ...) leaves the published grade as it was: pending grading stays pending;
    /// - the comment is replaced, and cleared when absent (checklist 115);
    /// - `startedAt`/`submittedAt` take explicit values, else keep the last ones, else the timestamp of the
    ///   first score `Started`/`InProgress` (resp. `Submitted`/`Completed`); going back to `Initialized`
    ///   clears both, to `Started`/`InProgress` clears `submittedAt`.
    pub fn apply(previous: Option<&Self>, score: &Score) -> Option<Self> {
        if let Some(previous) = previous
            && !score.timestamp.instant_cmp(&previous.timestamp).is_gt()
        {
            return None;
        }
        let sent = score.score_given.map(|given| PublishedGrade {
            given,
            maximum: score.score_maximum.unwrap_or(1.0),
        });
        let published = match (&score.grading_progress, sent) {
            (_, None) => None,
            (GradingProgress::FullyGraded, Some(grade)) => Some(grade),
            (_, Some(_)) => previous.and_then(|p| p.published),
        };
        let explicit = score.submission.as_ref();
        let prev_started = previous.and_then(|p| p.started_at);
        let prev_submitted = previous.and_then(|p| p.submitted_at);
        let started_at = explicit
            .and_then(|s| s.started_at)
            .or(match score.activity_progress {
                ActivityProgress::Initialized => None,
                ActivityProgress::Started | ActivityProgress::InProgress => {
                    prev_started.or(Some(score.timestamp))
                }
                _ => prev_started,
            });
        let submitted_at =
            explicit
                .and_then(|s| s.submitted_at)
                .or(match score.activity_progress {
                    ActivityProgress::Submitted | ActivityProgress::Completed => {
                        prev_submitted.or(Some(score.timestamp))
                    }
                    _ => None,
                });
        Some(Self {
            user_id: score.user_id.clone(),
            timestamp: score.timestamp,
            activity_progress: score.activity_progress.clone(),
            grading_progress: score.grading_progress.clone(),
            last_score: sent,
            published,
            comment: score.comment.clone(),
            scoring_user_id: score.scoring_user_id.clone(),
            started_at,
            submitted_at,
        })
    }

    /// The published grade rescaled to a line item whose `scoreMaximum` is `item_maximum` (checklist 120):
    /// 1 of 3 on a 6-point item is 2.
    pub fn result_score(&self, item_maximum: f64) -> Option<f64> {
        self.published.map(|grade| {
            if grade.maximum > 0.0 {
                grade.given / grade.maximum * item_maximum
            } else {
                grade.given
            }
        })
    }
}

/// The platform's gradebook, as the AGS service uses it. Implement it over your own database, or use
/// [`StoreGradebook`].
///
/// Every call is scoped to a [`LineItemOwner`]. Writes must be durable before they return (the service
/// answers the tool right after). Listing calls page by key: return items in ascending key order, strictly
/// after `after`, at most `limit`, without loading the whole container.
#[async_trait]
pub trait Gradebook: Send + Sync + fmt::Debug {
    /// Whether `resource_link_id` is a resource link of `owner` (same tool, same context) [AGS §3.2.9].
    ///
    /// # Errors
    /// Storage failure.
    async fn resource_link_exists(
        &self,
        owner: &LineItemOwner,
        resource_link_id: &ResourceLinkId,
    ) -> Result<bool, Error>;

    /// Stores a new line item (already checked) and returns it with its new key.
    ///
    /// # Errors
    /// Storage failure.
    async fn create_line_item(
        &self,
        owner: &LineItemOwner,
        item: LineItem,
    ) -> Result<StoredLineItem, Error>;

    /// The line item `key` of `owner`, if any.
    ///
    /// # Errors
    /// Storage failure.
    async fn line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
    ) -> Result<Option<LineItem>, Error>;

    /// Replaces the line item `key` of `owner`; `None` when there is none.
    ///
    /// # Errors
    /// Storage failure.
    async fn replace_line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        item: LineItem,
    ) -> Result<Option<LineItem>, Error>;

    /// Deletes the line item `key` of `owner` and its grades; returns whether it existed.
    ///
    /// # Errors
    /// Storage failure.
    async fn delete_line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
    ) -> Result<bool, Error>;

    /// Up to `limit` line items of `owner` matching `filter`, keys ascending, strictly after `after`.
    ///
    /// # Errors
    /// Storage failure.
    async fn line_items(
        &self,
        owner: &LineItemOwner,
        filter: &LineItemFilter,
        after: Option<&LineItemKey>,
        limit: usize,
    ) -> Result<Vec<StoredLineItem>, Error>;

    /// Applies `score` (already checked) to the learner's record of line item `key` with
    /// [`GradeRecord::apply`], atomically against concurrent scores for the same learner; `None` when the
    /// line item does not exist.
    ///
    /// # Errors
    /// Storage failure; [`Error::Busy`] when concurrent writers keep winning.
    async fn record_score(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        score: &Score,
    ) -> Result<Option<ScoreOutcome>, Error>;

    /// The grade record of `user_id` for line item `key`, if any.
    ///
    /// # Errors
    /// Storage failure.
    async fn grade(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        user_id: &UserId,
    ) -> Result<Option<GradeRecord>, Error>;

    /// Up to `limit` grade records of line item `key`, user ids ascending, strictly after `after`.
    ///
    /// # Errors
    /// Storage failure.
    async fn grades(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        after: Option<&UserId>,
        limit: usize,
    ) -> Result<Vec<GradeRecord>, Error>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Submission;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn score(at: &str, activity: ActivityProgress, grading: GradingProgress) -> Score {
        Score::new(UserId::from("u"), ts(at), activity, grading)
    }

    #[test]
    fn c112_stale_and_equal_timestamps_are_ignored() {
        let first = score(
            "2024-01-01T00:00:01.000Z",
            ActivityProgress::Completed,
            GradingProgress::FullyGraded,
        )
        .given(5.0, 10.0);
        let record = GradeRecord::apply(None, &first).unwrap();
        let older = score(
            "2024-01-01T00:00:00.999Z",
            ActivityProgress::Completed,
            GradingProgress::FullyGraded,
        )
        .given(1.0, 10.0);
        assert!(GradeRecord::apply(Some(&record), &older).is_none());
        assert!(GradeRecord::apply(Some(&record), &first).is_none());
        // the same instant written with another offset is not later either
        let same = score(
            "2024-01-01T01:00:01.000+01:00",
            ActivityProgress::Completed,
            GradingProgress::FullyGraded,
        )
        .given(1.0, 10.0);
        assert!(GradeRecord::apply(Some(&record), &same).is_none());
    }

    #[test]
    fn c114_c115_c120_publishing_rules() {
        let graded = score(
            "2024-01-01T00:00:01.000Z",
            ActivityProgress::Completed,
            GradingProgress::FullyGraded,
        )
        .given(1.0, 3.0)
        .with_comment("good");
        let r = GradeRecord::apply(None, &graded).unwrap();
        assert_eq!(
            r.result_score(6.0),
            Some(2.0),
            "c120: rescaled to the item maximum"
        );
        assert_eq!(r.comment.as_deref(), Some("good"));
        // a regrade pending manual grading keeps the published grade, replaces the comment by none (c115)
        let pending = score(
            "2024-01-01T00:00:02.000Z",
            ActivityProgress::Submitted,
            GradingProgress::PendingManual,
        )
        .given(3.0, 3.0);
        let r = GradeRecord::apply(Some(&r), &pending).unwrap();
        assert_eq!(r.result_score(6.0), Some(2.0));
        assert_eq!(r.last_score.unwrap().given, 3.0);
        assert_eq!(r.comment, None);
        // a score without scoreGiven clears the grade (c114)
        let cleared = score(
            "2024-01-01T00:00:03.000Z",
            ActivityProgress::Initialized,
            GradingProgress::NotReady,
        );
        let r = GradeRecord::apply(Some(&r), &cleared).unwrap();
        assert_eq!(r.result_score(6.0), None);
        // PendingManual alone never publishes
        let only_pending = score(
            "2024-01-01T00:00:01.000Z",
            ActivityProgress::Submitted,
            GradingProgress::PendingManual,
        )
        .given(3.0, 3.0);
        assert_eq!(
            GradeRecord::apply(None, &only_pending).unwrap().published,
            None
        );
    }

    #[test]
    fn submission_times_follow_progress() {
        let started = score(
            "2024-01-01T00:00:01.000Z",
            ActivityProgress::Started,
            GradingProgress::NotReady,
        );
        let r = GradeRecord::apply(None, &started).unwrap();
        assert_eq!(r.started_at, Some(ts("2024-01-01T00:00:01.000Z")));
        let submitted = score(
            "2024-01-01T00:00:05.000Z",
            ActivityProgress::Submitted,
            GradingProgress::Pending,
        );
        let r = GradeRecord::apply(Some(&r), &submitted).unwrap();
        assert_eq!(r.started_at, Some(ts("2024-01-01T00:00:01.000Z")));
        assert_eq!(r.submitted_at, Some(ts("2024-01-01T00:00:05.000Z")));
        let reopened = score(
            "2024-01-01T00:00:06.000Z",
            ActivityProgress::InProgress,
            GradingProgress::NotReady,
        );
        let r = GradeRecord::apply(Some(&r), &reopened).unwrap();
        assert_eq!(r.submitted_at, None);
        assert!(r.started_at.is_some());
        let reset = score(
            "2024-01-01T00:00:07.000Z",
            ActivityProgress::Initialized,
            GradingProgress::NotReady,
        );
        let r = GradeRecord::apply(Some(&r), &reset).unwrap();
        assert_eq!((r.started_at, r.submitted_at), (None, None));
        let mut explicit = score(
            "2024-01-01T00:00:08.000Z",
            ActivityProgress::Completed,
            GradingProgress::FullyGraded,
        );
        explicit.submission = Some(Submission {
            started_at: Some(ts("2023-12-31T00:00:00.000Z")),
            submitted_at: Some(ts("2023-12-31T01:00:00.000Z")),
            ..Submission::default()
        });
        let r = GradeRecord::apply(Some(&r), &explicit).unwrap();
        assert_eq!(r.started_at, Some(ts("2023-12-31T00:00:00.000Z")));
        assert_eq!(r.submitted_at, Some(ts("2023-12-31T01:00:00.000Z")));
    }

    #[test]
    fn c106_filters_are_anded() {
        let mut item = LineItem::new("a", 1.0);
        item.resource_link_id = Some(ResourceLinkId::from("rl"));
        item.tag = Some("grade".into());
        let f = |rl: Option<&str>, ri: Option<&str>, t: Option<&str>| LineItemFilter {
            resource_link_id: rl.map(ResourceLinkId::from),
            resource_id: ri.map(str::to_owned),
            tag: t.map(str::to_owned),
        };
        assert!(f(None, None, None).matches(&item));
        assert!(f(Some("rl"), None, Some("grade")).matches(&item));
        assert!(!f(Some("rl"), Some("x"), None).matches(&item));
        assert!(!f(Some("other"), None, Some("grade")).matches(&item));
    }

    #[test]
    fn line_item_keys_are_lower_case_safe() {
        assert!(LineItemKey::parse("0123abcdef-_").is_some());
        for bad in ["", "ABC", "a/b", "a b", "é", &"a".repeat(65)] {
            assert!(LineItemKey::parse(bad).is_none(), "{bad}");
        }
    }
}
