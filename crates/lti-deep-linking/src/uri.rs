//! Every Deep Linking protocol string, defined once [DL §3, §4.4, §4.5].
//!
//! The settings claim name and the message type names are lti-core's ([`lti_core::uri`]); they are re-exported
//! here so a deep linking user needs one import. `tests/uri.rs` compares each constant with the spec digest.

pub use lti_core::uri::LTI_VERSION;
pub use lti_core::uri::message_type::{DEEP_LINKING_REQUEST, DEEP_LINKING_RESPONSE};

/// The form field that carries the response JWT to `deep_link_return_url` [DL §2.3].
pub const JWT_FIELD: &str = "JWT";

/// Claim names of deep linking messages.
pub mod claim {
    pub use lti_core::uri::claim::DEEP_LINKING_SETTINGS;

    /// `data`: the request's opaque `data` setting, echoed exactly in the response [DL §4.5.5].
    pub const DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
    /// `content_items`: the items the user picked [DL §4.5.6].
    pub const CONTENT_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
    /// `msg`: plain text to show the user [DL §4.5.7].
    pub const MSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/msg";
    /// `log`: plain text to log [DL §4.5.8].
    pub const LOG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/log";
    /// `errormsg`: plain text error to show the user [DL §4.5.9].
    pub const ERRORMSG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg";
    /// `errorlog`: plain text error to log [DL §4.5.10].
    pub const ERRORLOG: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/errorlog";
}

/// Members of the settings claim, as `claim#member` for error messages [DL §4.4.1].
pub mod setting {
    /// `deep_link_return_url` (required).
    pub const DEEP_LINK_RETURN_URL: &str =
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings#deep_link_return_url";
    /// `accept_types` (required).
    pub const ACCEPT_TYPES: &str =
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings#accept_types";
    /// `accept_presentation_document_targets` (required).
    pub const ACCEPT_PRESENTATION_DOCUMENT_TARGETS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings#accept_presentation_document_targets";
}

/// Values of a content item's `type` [DL §3].
pub mod item_type {
    /// A link to a web resource [DL §3.1].
    pub const LINK: &str = "link";
    /// An LTI resource link, launched later with an `LtiResourceLinkRequest` [DL §3.2].
    pub const LTI_RESOURCE_LINK: &str = "ltiResourceLink";
    /// A file the platform fetches [DL §3.3].
    pub const FILE: &str = "file";
    /// An HTML fragment [DL §3.4].
    pub const HTML: &str = "html";
    /// An image [DL §3.5].
    pub const IMAGE: &str = "image";
}

/// Values of `accept_presentation_document_targets` [DL §4.4.1].
pub mod document_target {
    /// Embedded in the platform page.
    pub const EMBED: &str = "embed";
    /// In an iframe.
    pub const IFRAME: &str = "iframe";
    /// In a new window or tab.
    pub const WINDOW: &str = "window";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_members_extend_the_claim_name() {
        for (member, name) in [
            (setting::DEEP_LINK_RETURN_URL, "deep_link_return_url"),
            (setting::ACCEPT_TYPES, "accept_types"),
            (
                setting::ACCEPT_PRESENTATION_DOCUMENT_TARGETS,
                "accept_presentation_document_targets",
            ),
        ] {
            assert_eq!(member, format!("{}#{name}", claim::DEEP_LINKING_SETTINGS));
        }
    }
}
