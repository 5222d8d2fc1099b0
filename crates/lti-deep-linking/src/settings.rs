//! The `deep_linking_settings` claim, typed [DL §4.4.1].

use lti_core::claims::DeepLinkingSettings as SettingsClaim;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::error::clip;
use crate::uri::{claim, setting};

/// What the platform accepts back: `https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings`
/// [DL §4.4.1]. lti-core keeps the claim as JSON ([`lti_core::claims::DeepLinkingSettings`]); this is its
/// typed form. Read it from a message with [`from_claim`](Self::from_claim), which names the member at fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeepLinkingSettings {
    /// Where the tool POSTs the response (required; an absolute `http(s)` URL).
    pub deep_link_return_url: String,
    /// The content item types accepted, e.g. `["link", "ltiResourceLink"]` (required).
    pub accept_types: Vec<String>,
    /// The presentation targets accepted: `embed`, `iframe`, `window` (required).
    pub accept_presentation_document_targets: Vec<String>,
    /// Comma-separated media ranges for `file` items, e.g. `"image/*,text/html"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_media_types: Option<String>,
    /// Whether more than one item may come back (absent: one at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_multiple: Option<bool>,
    /// `true`: the platform creates a line item from `lineItem`; `false`: it ignores it; absent: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_lineitem: Option<bool>,
    /// Whether items are created without asking the user (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_create: Option<bool>,
    /// Default title / alt text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Default visible text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Opaque value the tool must echo exactly in the response's `data` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DeepLinkingSettings {
    /// Settings with the three required members and nothing else.
    pub fn new(
        deep_link_return_url: impl Into<String>,
        accept_types: impl IntoIterator<Item = impl Into<String>>,
        accept_presentation_document_targets: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            deep_link_return_url: deep_link_return_url.into(),
            accept_types: accept_types.into_iter().map(Into::into).collect(),
            accept_presentation_document_targets: accept_presentation_document_targets
                .into_iter()
                .map(Into::into)
                .collect(),
            accept_media_types: None,
            accept_multiple: None,
            accept_lineitem: None,
            auto_create: None,
            title: None,
            text: None,
            data: None,
            extra: Map::new(),
        }
    }

    /// Sets `accept_multiple`.
    #[must_use]
    pub fn with_accept_multiple(mut self, accept: bool) -> Self {
        self.accept_multiple = Some(accept);
        self
    }

    /// Sets `accept_lineitem`.
    #[must_use]
    pub fn with_accept_lineitem(mut self, accept: bool) -> Self {
        self.accept_lineitem = Some(accept);
        self
    }

    /// Sets `accept_media_types`.
    #[must_use]
    pub fn with_accept_media_types(mut self, media_types: impl Into<String>) -> Self {
        self.accept_media_types = Some(media_types.into());
        self
    }

    /// Reads and checks the claim: an object with `deep_link_return_url` (an absolute `http(s)` URL),
    /// `accept_types` and `accept_presentation_document_targets` (arrays of strings) (checklist I84, J90).
    ///
    /// # Errors
    /// [`lti_core::Error::MissingClaim`] naming the absent member (`…deep_linking_settings#accept_types`),
    /// [`lti_core::Error::InvalidClaim`] for a member of the wrong type or a bad return URL.
    pub fn from_claim(claim: &SettingsClaim) -> Result<Self, lti_core::Error> {
        Self::from_value(claim.as_value())
    }

    /// As [`from_claim`](Self::from_claim), from the JSON value.
    ///
    /// # Errors
    /// As [`from_claim`](Self::from_claim).
    pub fn from_value(value: &Value) -> Result<Self, lti_core::Error> {
        let Value::Object(map) = value else {
            return Err(lti_core::Error::InvalidClaim {
                claim: claim::DEEP_LINKING_SETTINGS,
                expected: "a JSON object",
                found: clip(&value.to_string()),
            });
        };
        for member in REQUIRED {
            let name = member.rsplit('#').next().unwrap_or_default();
            if map.get(name).is_none_or(Value::is_null) {
                return Err(lti_core::Error::MissingClaim { claim: member });
            }
        }
        let settings: Self =
            serde_json::from_value(value.clone()).map_err(|e| lti_core::Error::InvalidClaim {
                claim: claim::DEEP_LINKING_SETTINGS,
                expected: "the deep linking settings of DL §4.4.1",
                found: clip(&e.to_string()),
            })?;
        settings.check()?;
        Ok(settings)
    }

    /// Checks the members a type cannot: the return URL is an absolute `http(s)` URL.
    ///
    /// # Errors
    /// [`lti_core::Error::InvalidClaim`] naming `deep_link_return_url`.
    pub fn check(&self) -> Result<(), lti_core::Error> {
        self.return_url().map(|_| ())
    }

    /// The return URL, parsed.
    ///
    /// # Errors
    /// [`lti_core::Error::InvalidClaim`] when it is not an absolute `http(s)` URL with a host.
    pub fn return_url(&self) -> Result<Url, lti_core::Error> {
        parse_http_url(&self.deep_link_return_url).ok_or_else(|| lti_core::Error::InvalidClaim {
            claim: setting::DEEP_LINK_RETURN_URL,
            expected: "an absolute http(s) URL",
            found: clip(&self.deep_link_return_url),
        })
    }

    /// The claim form, for a message.
    ///
    /// # Errors
    /// [`lti_core::Error::Malformed`] if a value does not serialize (it always does).
    pub fn to_claim(&self) -> Result<SettingsClaim, lti_core::Error> {
        serde_json::to_value(self)
            .map(SettingsClaim::new)
            .map_err(|e| lti_core::Error::Malformed {
                reason: clip(&e.to_string()),
            })
    }

    /// Whether items of `item_type` are accepted (exact, case-sensitive match).
    pub fn accepts_type(&self, item_type: &str) -> bool {
        self.accept_types.iter().any(|t| t == item_type)
    }

    /// Whether more than one item may come back: only when `accept_multiple` is `true`.
    pub fn accepts_multiple(&self) -> bool {
        self.accept_multiple == Some(true)
    }

    /// Whether the presentation `target` (`embed`, `iframe`, `window`) is accepted.
    pub fn accepts_target(&self, target: &str) -> bool {
        self.accept_presentation_document_targets
            .iter()
            .any(|t| t == target)
    }

    /// Whether a `file` of `media_type` is accepted: always when `accept_media_types` is absent; otherwise when
    /// one of its ranges matches (`*/*`, `type/*` or `type/subtype`, case-insensitive, parameters ignored).
    pub fn accepts_media_type(&self, media_type: &str) -> bool {
        let Some(ranges) = &self.accept_media_types else {
            return true;
        };
        let Some((kind, sub)) = essence(media_type) else {
            return false;
        };
        ranges
            .split(',')
            .filter_map(essence)
            .any(|(rk, rs)| (rk == "*" && rs == "*") || (rk == kind && (rs == "*" || rs == sub)))
    }
}

/// The required members, as `claim#member`.
const REQUIRED: [&str; 3] = [
    setting::DEEP_LINK_RETURN_URL,
    setting::ACCEPT_TYPES,
    setting::ACCEPT_PRESENTATION_DOCUMENT_TARGETS,
];

/// `type/subtype` of a media type or range, lower-cased, parameters dropped.
fn essence(media_type: &str) -> Option<(String, String)> {
    let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
    let (kind, sub) = essence.split_once('/')?;
    if kind.is_empty() || sub.is_empty() {
        return None;
    }
    Some((kind.to_owned(), sub.to_owned()))
}

/// `text` as an absolute `http`/`https` URL with a host.
pub(crate) fn parse_http_url(text: &str) -> Option<Url> {
    Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn valid() -> Value {
        json!({
            "deep_link_return_url": "https://lms.example/dl/return",
            "accept_types": ["link", "ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_media_types": "image/*,text/html",
            "data": "opaque",
            "https://vendor.example/x": 1
        })
    }

    #[test]
    fn c84_required_members_are_named_when_missing() {
        for member in REQUIRED {
            let name = member.rsplit('#').next().unwrap();
            let mut v = valid();
            v.as_object_mut().unwrap().remove(name);
            assert_eq!(
                DeepLinkingSettings::from_value(&v).unwrap_err(),
                lti_core::Error::MissingClaim { claim: member }
            );
        }
        let mut v = valid();
        v["deep_link_return_url"] = json!("/relative");
        assert!(matches!(
            DeepLinkingSettings::from_value(&v).unwrap_err(),
            lti_core::Error::InvalidClaim {
                claim: setting::DEEP_LINK_RETURN_URL,
                ..
            }
        ));
        v["deep_link_return_url"] = json!("javascript:alert(1)");
        assert!(DeepLinkingSettings::from_value(&v).is_err());
        let mut v = valid();
        v["accept_types"] = json!("link");
        assert!(DeepLinkingSettings::from_value(&v).is_err());
        assert!(DeepLinkingSettings::from_value(&json!([])).is_err());
    }

    #[test]
    fn parses_and_keeps_unknown_members() {
        let s = DeepLinkingSettings::from_value(&valid()).unwrap();
        assert!(s.accepts_type("link") && !s.accepts_type("file") && !s.accepts_type("Link"));
        assert!(!s.accepts_multiple());
        assert_eq!(s.data.as_deref(), Some("opaque"));
        assert_eq!(s.extra["https://vendor.example/x"], 1);
        assert_eq!(serde_json::to_value(&s).unwrap(), valid());
    }

    #[test]
    fn media_ranges() {
        let s = DeepLinkingSettings::from_value(&valid()).unwrap();
        assert!(s.accepts_media_type("image/png"));
        assert!(s.accepts_media_type("TEXT/HTML; charset=utf-8"));
        assert!(!s.accepts_media_type("application/pdf"));
        assert!(!s.accepts_media_type("garbage"));
        let any = s.clone().with_accept_media_types("*/*");
        assert!(any.accepts_media_type("application/pdf"));
        let mut none = s;
        none.accept_media_types = None;
        assert!(none.accepts_media_type("application/pdf"));
    }
}
