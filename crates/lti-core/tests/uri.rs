//! Every protocol constant against the spec digest (`/work/shared/spec/README.md` identifier cheat-sheet and
//! `core.md` §3). The expected strings are copied from the spec text, not from the code, so a typo or a stray
//! space in a constant fails here (oat-sa anti-pattern 7).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use lti_core::claims::{
    AgsEndpoint, BasicOutcome, Claim, Context, Custom, DeepLinkingSettings, ForUser,
    LaunchPresentation, Lis, Lti1p1, NamesRoleService, ResourceLink, RoleScopeMentor, ToolPlatform,
};
use lti_core::login::param;
use lti_core::message::MessageType;
use lti_core::uri::{self, claim, message_type};

#[test]
fn version_is_1_3_0() {
    assert_eq!(uri::LTI_VERSION, "1.3.0");
}

#[test]
fn core_claims_match_the_spec_table() {
    let table = [
        (
            claim::MESSAGE_TYPE,
            "https://purl.imsglobal.org/spec/lti/claim/message_type",
        ),
        (
            claim::VERSION,
            "https://purl.imsglobal.org/spec/lti/claim/version",
        ),
        (
            claim::DEPLOYMENT_ID,
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id",
        ),
        (
            claim::TARGET_LINK_URI,
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri",
        ),
        (
            claim::RESOURCE_LINK,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link",
        ),
        (
            claim::ROLES,
            "https://purl.imsglobal.org/spec/lti/claim/roles",
        ),
        (
            claim::ROLE_SCOPE_MENTOR,
            "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor",
        ),
        (
            claim::CONTEXT,
            "https://purl.imsglobal.org/spec/lti/claim/context",
        ),
        (
            claim::TOOL_PLATFORM,
            "https://purl.imsglobal.org/spec/lti/claim/tool_platform",
        ),
        (
            claim::LAUNCH_PRESENTATION,
            "https://purl.imsglobal.org/spec/lti/claim/launch_presentation",
        ),
        (claim::LIS, "https://purl.imsglobal.org/spec/lti/claim/lis"),
        (
            claim::CUSTOM,
            "https://purl.imsglobal.org/spec/lti/claim/custom",
        ),
        (
            claim::LTI1P1,
            "https://purl.imsglobal.org/spec/lti/claim/lti1p1",
        ),
        (
            claim::LTI11_LEGACY_USER_ID,
            "https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id",
        ),
        (
            claim::FOR_USER,
            "https://purl.imsglobal.org/spec/lti/claim/for_user",
        ),
        (
            claim::LTI_PREFIX,
            "https://purl.imsglobal.org/spec/lti/claim/",
        ),
    ];
    for (constant, spec) in table {
        assert_eq!(constant, spec);
    }
}

#[test]
fn service_claims_match_the_spec_table() {
    assert_eq!(
        claim::AGS_ENDPOINT,
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    );
    assert_eq!(
        claim::NRPS,
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    );
    assert_eq!(
        claim::DEEP_LINKING_SETTINGS,
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    );
    assert_eq!(
        claim::BASIC_OUTCOME,
        "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome"
    );
}

#[test]
fn message_types_match_the_spec() {
    assert_eq!(
        message_type::RESOURCE_LINK_REQUEST,
        "LtiResourceLinkRequest"
    );
    assert_eq!(message_type::DEEP_LINKING_REQUEST, "LtiDeepLinkingRequest");
    assert_eq!(
        message_type::DEEP_LINKING_RESPONSE,
        "LtiDeepLinkingResponse"
    );
    assert_eq!(
        message_type::SUBMISSION_REVIEW_REQUEST,
        "LtiSubmissionReviewRequest"
    );
    assert_eq!(
        MessageType::LtiResourceLinkRequest.as_str(),
        "LtiResourceLinkRequest"
    );
}

#[test]
fn claim_types_carry_their_uri() {
    let table = [
        (
            ResourceLink::URI,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link",
        ),
        (
            Context::URI,
            "https://purl.imsglobal.org/spec/lti/claim/context",
        ),
        (
            ToolPlatform::URI,
            "https://purl.imsglobal.org/spec/lti/claim/tool_platform",
        ),
        (
            LaunchPresentation::URI,
            "https://purl.imsglobal.org/spec/lti/claim/launch_presentation",
        ),
        (Lis::URI, "https://purl.imsglobal.org/spec/lti/claim/lis"),
        (
            Custom::URI,
            "https://purl.imsglobal.org/spec/lti/claim/custom",
        ),
        (
            Lti1p1::URI,
            "https://purl.imsglobal.org/spec/lti/claim/lti1p1",
        ),
        (
            RoleScopeMentor::URI,
            "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor",
        ),
        (
            ForUser::URI,
            "https://purl.imsglobal.org/spec/lti/claim/for_user",
        ),
        (
            MessageType::URI,
            "https://purl.imsglobal.org/spec/lti/claim/message_type",
        ),
        (
            AgsEndpoint::URI,
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
        ),
        (
            NamesRoleService::URI,
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
        ),
        (
            DeepLinkingSettings::URI,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
        ),
        (
            BasicOutcome::URI,
            "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome",
        ),
    ];
    for (constant, spec) in table {
        assert_eq!(constant, spec);
    }
}

#[test]
fn oidc_parameters_match_the_spec() {
    let table = [
        (param::ISS, "iss"),
        (param::LOGIN_HINT, "login_hint"),
        (param::TARGET_LINK_URI, "target_link_uri"),
        (param::LTI_MESSAGE_HINT, "lti_message_hint"),
        (param::LTI_DEPLOYMENT_ID, "lti_deployment_id"),
        (param::CLIENT_ID, "client_id"),
        (param::LTI_STORAGE_TARGET, "lti_storage_target"),
        (param::SCOPE, "scope"),
        (param::RESPONSE_TYPE, "response_type"),
        (param::RESPONSE_MODE, "response_mode"),
        (param::PROMPT, "prompt"),
        (param::REDIRECT_URI, "redirect_uri"),
        (param::NONCE, "nonce"),
        (param::STATE, "state"),
        (param::ID_TOKEN, "id_token"),
        (param::ERROR, "error"),
        (param::ERROR_DESCRIPTION, "error_description"),
        (param::SCOPE_OPENID, "openid"),
        (param::RESPONSE_TYPE_ID_TOKEN, "id_token"),
        (param::RESPONSE_MODE_FORM_POST, "form_post"),
        (param::PROMPT_NONE, "none"),
    ];
    for (constant, spec) in table {
        assert_eq!(constant, spec);
    }
}

#[test]
fn vendor_claim_rule() {
    assert!(uri::is_vendor_claim_name(
        "http://www.ExamplePlatformVendor.com/session"
    ));
    assert!(!uri::is_vendor_claim_name("session"));
}
