#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod blank;
mod client;
mod endpoint;
mod error;
pub mod gradebook;
mod line_item;
pub mod media_type;
mod progress;
mod result;
pub mod scope;
mod score;
mod service;
mod submission_review;
mod timestamp;

pub use client::{AgsClient, LineItemQuery, MAX_PAGES, MAX_RESPONSE_BYTES, ResultQuery};
pub use endpoint::AgsEndpointClaim;
pub use error::Error;
pub use gradebook::{Gradebook, StoreGradebook};
pub use line_item::{LineItem, LineItemId, SubmissionReview};
pub use progress::{ActivityProgress, GradingProgress};
pub use result::LineItemResult;
pub use score::{Score, Submission};
pub use service::{AGS_PURPOSE, AgsService, AgsServiceConfig};
pub use submission_review::{
    AGS_LINEITEM_MEMBER, FOR_USER_ID_MEMBER, SubmissionReviewRules, submission_review_message,
};
pub use timestamp::{Timestamp, TimestampError};
