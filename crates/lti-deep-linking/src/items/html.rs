//! The `html` content item [DL §3.4].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An HTML fragment: `{"type": "html", "html": …}` [DL §3.4].
///
/// **`html` is untrusted markup from the tool.** The platform must sanitise it against XSS before display
/// (checklist J96). This crate deliberately ships no HTML sanitiser: use a maintained one (an allow-list
/// sanitiser such as `ammonia`) where the fragment is rendered, or show it escaped with
/// [`escape_html`](crate::escape_html).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Html {
    /// The fragment (required; untrusted).
    pub html: String,
    /// Plain-text title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Plain-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Html {
    /// A fragment.
    pub fn new(html: impl Into<String>) -> Self {
        Self {
            html: html.into(),
            ..Self::default()
        }
    }
}
