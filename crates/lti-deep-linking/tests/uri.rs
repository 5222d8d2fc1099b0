//! Every deep linking constant against the spec digest (`deep-linking.md` §1–§3). The expected strings are
//! copied from the spec text, not from the code, so a typo or a stray space fails here.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use lti_deep_linking::uri::{self, claim, document_target, item_type};

#[test]
fn claims_match_the_spec_tables() {
    let table = [
        (
            claim::DEEP_LINKING_SETTINGS,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
        ),
        (
            claim::DATA,
            "https://purl.imsglobal.org/spec/lti-dl/claim/data",
        ),
        (
            claim::CONTENT_ITEMS,
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items",
        ),
        (
            claim::MSG,
            "https://purl.imsglobal.org/spec/lti-dl/claim/msg",
        ),
        (
            claim::LOG,
            "https://purl.imsglobal.org/spec/lti-dl/claim/log",
        ),
        (
            claim::ERRORMSG,
            "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg",
        ),
        (
            claim::ERRORLOG,
            "https://purl.imsglobal.org/spec/lti-dl/claim/errorlog",
        ),
    ];
    for (constant, spec) in table {
        assert_eq!(constant, spec);
    }
}

#[test]
fn message_types_version_and_form_field() {
    assert_eq!(uri::DEEP_LINKING_REQUEST, "LtiDeepLinkingRequest");
    assert_eq!(uri::DEEP_LINKING_RESPONSE, "LtiDeepLinkingResponse");
    assert_eq!(uri::LTI_VERSION, "1.3.0");
    assert_eq!(uri::JWT_FIELD, "JWT");
}

#[test]
fn item_types_and_targets() {
    assert_eq!(
        [
            item_type::LINK,
            item_type::LTI_RESOURCE_LINK,
            item_type::FILE,
            item_type::HTML,
            item_type::IMAGE
        ],
        ["link", "ltiResourceLink", "file", "html", "image"]
    );
    assert_eq!(
        [
            document_target::EMBED,
            document_target::IFRAME,
            document_target::WINDOW
        ],
        ["embed", "iframe", "window"]
    );
}
