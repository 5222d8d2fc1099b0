//! The sub-objects content items share: icons and thumbnails, presentation hints, line items and time windows
//! [DL §3.1–§3.5].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An `icon` or `thumbnail`: an image URL and its size in pixels [DL §3.1].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Icon {
    /// The image URL (required within the object).
    pub url: String,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Icon {
    /// An icon at `url`, size unknown.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }
}

/// `window`: how to open the item in a new window or tab; every member optional [DL §3.1].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Window {
    /// The window name (`window.open` target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Comma-separated `window.open()` features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_features: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `iframe`: how to show the item in an iframe [DL §3.1, §3.2]. On a `link` `src` is required (it may differ
/// from the link's `url`); on an `ltiResourceLink` only `width` and `height` are used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Iframe {
    /// The iframe's source URL (`link` items only, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `embed`: HTML to embed for a `link` [DL §3.1]. **Untrusted markup**: the platform must sanitise it before
/// display (checklist J96); this crate does not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Embed {
    /// The HTML (required within the object).
    pub html: String,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Embed {
    /// Embedding HTML (untrusted).
    pub fn new(html: impl Into<String>) -> Self {
        Self {
            html: html.into(),
            extra: Map::new(),
        }
    }
}

impl Iframe {
    /// An iframe hint showing `src` (as needed on a `link`).
    pub fn with_src(src: impl Into<String>) -> Self {
        Self {
            src: Some(src.into()),
            ..Self::default()
        }
    }
}

/// `lineItem` of an `ltiResourceLink`: the gradebook column the platform may create for the link [DL §3.2;
/// AGS §3.2].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LineItem {
    /// The maximum score, a number greater than 0 (required within the object).
    pub score_maximum: f64,
    /// The column label; the platform uses the item's `title` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The tool's own id of the activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// A tool-defined tag (e.g. `"originality"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Whether grades are released to learners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades_released: Option<bool>,
    /// Members not modelled here (e.g. `submissionReview`, AGS §12), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LineItem {
    /// A line item with `score_maximum` and nothing else.
    pub fn new(score_maximum: f64) -> Self {
        Self {
            score_maximum,
            ..Self::default()
        }
    }
}

/// `available` or `submission`: an initial time window, ISO 8601 date-times kept as sent [DL §3.2].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TimeWindow {
    /// Start (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<String>,
    /// End (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
