//! The `ltiResourceLink` content item [DL §3.2].

use lti_core::claims::Custom;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Icon, Iframe, LineItem, TimeWindow, Window};

/// An LTI resource link: `{"type": "ltiResourceLink", …}` [DL §3.2]. The platform creates a resource link from
/// it and later launches it with an `LtiResourceLinkRequest` whose `target_link_uri` is `url` (or the tool's
/// default when absent) and whose `custom` claim includes `custom` (checklist J94).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LtiResourceLink {
    /// The launch URL; absent means the tool's default launch URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
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
    /// New-window hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Iframe hint (`width`/`height` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iframe: Option<Iframe>,
    /// Custom parameters for every later launch of the link (string values; `$…` variables allowed; `null`
    /// rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Custom>,
    /// A line item to create for the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_item: Option<LineItem>,
    /// Initial availability window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<TimeWindow>,
    /// Initial submission window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission: Option<TimeWindow>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LtiResourceLink {
    /// A resource link with nothing set (the tool's default launch URL).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the launch URL.
    #[must_use]
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a custom parameter.
    #[must_use]
    pub fn with_custom(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom
            .get_or_insert_with(Custom::new)
            .0
            .insert(name.into(), value.into());
        self
    }

    /// Sets the line item.
    #[must_use]
    pub fn with_line_item(mut self, line_item: LineItem) -> Self {
        self.line_item = Some(line_item);
        self
    }
}
