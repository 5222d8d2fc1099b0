//! The `link` content item [DL §3.1].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Embed, Icon, Iframe, Window};

/// A link to a web resource: `{"type": "link", "url": …}` [DL §3.1]. With no presentation hint the platform
/// opens it in a new window or tab.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The navigable absolute URL (required).
    pub url: String,
    /// Plain-text title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Plain-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Icon>,
    /// Thumbnail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Icon>,
    /// Embedding HTML (untrusted: sanitise before display).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embed: Option<Embed>,
    /// New-window hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Iframe hint (`src` required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iframe: Option<Iframe>,
    /// Members not modelled here (extensions SHOULD use URL keys [DL §3.6]).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Link {
    /// A link to `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}
