//! The LTI message: the Core App. E example, the certification payload variants of `core.md` §2, and the
//! checklist B/C items that live in lti-core. Test names carry the checklist id.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use lti_core::claims::DocumentTarget;
use lti_core::message::{
    LtiMessage, MessageRules, MessageType, ResourceLinkRules, validate_lti_claims,
};
use lti_core::uri::claim;
use lti_core::{DeploymentId, Error, ErrorCode, ResourceLinkId, TargetLinkUri, UserId};
use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("data/core_example.json");

fn example() -> Value {
    serde_json::from_str(EXAMPLE).unwrap()
}

fn parse(value: &Value) -> LtiMessage {
    serde_json::from_value(value.clone()).unwrap()
}

fn validate(value: &Value) -> Result<LtiMessage, Error> {
    let message = parse(value);
    validate_lti_claims(&message, &[&ResourceLinkRules]).map(|()| message)
}

fn with(key: &str, v: Value) -> Value {
    let mut payload = example();
    payload[key] = v;
    payload
}

fn without(key: &str) -> Value {
    let mut payload = example();
    payload.as_object_mut().unwrap().remove(key);
    payload
}

fn rejected(payload: &Value, code: ErrorCode) -> Error {
    let err = validate(payload).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    err
}

mod core_app_e {
    use super::*;

    #[test]
    fn example_parses_with_every_claim_typed() {
        let m = validate(&example()).unwrap();
        assert_eq!(m.iss.as_ref().unwrap(), "https://platform.example.edu");
        assert!(m.aud.as_ref().unwrap().contains("client-1"));
        assert_eq!(m.exp.unwrap().unix_seconds(), 1_510_185_728);
        assert_eq!(m.message_type, Some(MessageType::LtiResourceLinkRequest));
        assert_eq!(m.version.as_deref(), Some("1.3.0"));
        assert_eq!(m.given_name.as_deref(), Some("Jane"));
        assert_eq!(m.middle_name.as_deref(), Some("Marie"));
        let link = m.resource_link.as_ref().unwrap();
        assert_eq!(
            link.id.as_ref().unwrap(),
            "200d101f-2c14-434a-a0f3-57c2a42369fd"
        );
        assert_eq!(link.title.as_deref(), Some("Introduction Assignment"));
        let context = m.context.as_ref().unwrap();
        assert_eq!(context.label.as_deref(), Some("ECON 1010"));
        assert_eq!(
            context.context_type,
            ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]
        );
        assert_eq!(
            m.tool_platform
                .as_ref()
                .unwrap()
                .product_family_code
                .as_deref(),
            Some("ExamplePlatformVendor-Product")
        );
        let lp = m.launch_presentation.as_ref().unwrap();
        assert_eq!(lp.document_target, Some(DocumentTarget::Iframe));
        assert_eq!((lp.height, lp.width), (Some(320.0), Some(240.0)));
        assert_eq!(
            m.custom.as_ref().unwrap().get("xstart"),
            Some("2017-04-21T01:00:00Z")
        );
        assert_eq!(
            m.lis.as_ref().unwrap().course_section_sourcedid.as_deref(),
            Some("example.edu:SI182-001-F16")
        );
        assert_eq!(
            m.mentored_users().unwrap(),
            [UserId::new("fad5fb29-a91c-770-3c110-1e687120efd9")]
        );
    }

    #[test]
    fn c41_vendor_claims_are_kept_in_extra() {
        let m = parse(&example());
        assert_eq!(
            m.extra_claim("http://www.ExamplePlatformVendor.com/session"),
            Some(&json!({"id": "89023sj890dju080"}))
        );
        assert_eq!(m.extra.len(), 1);
    }

    #[test]
    fn round_trip_serialize_then_deserialize() {
        let m = parse(&example());
        let mut json = serde_json::to_value(&m).unwrap();
        // one audience is written as a string, as RFC 7519 allows
        assert_eq!(json["aud"], "client-1");
        let mut expected = example();
        expected.as_object_mut().unwrap().remove("aud");
        let aud = json.as_object_mut().unwrap().remove("aud").unwrap();
        assert_eq!(json, expected);
        json["aud"] = aud;
        let back: LtiMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }
}

#[test]
fn c25_wrong_version_rejected() {
    let err = rejected(
        &with(claim::VERSION, json!("1.1.0")),
        ErrorCode::VersionMismatch,
    );
    assert_eq!(
        err,
        Error::VersionMismatch {
            found: "1.1.0".into()
        }
    );
    assert_eq!(err.code().checklist(), Some(25));
}

#[test]
fn c26_missing_version_rejected() {
    rejected(&without(claim::VERSION), ErrorCode::VersionMissing);
    assert_eq!(
        ErrorCode::VersionMissing.as_str(),
        "lti.claim.version.missing"
    );
}

#[test]
fn c27_missing_message_type_rejected() {
    rejected(&without(claim::MESSAGE_TYPE), ErrorCode::MessageTypeMissing);
}

#[test]
fn c28_unsupported_message_type_rejected() {
    let err = rejected(
        &with(claim::MESSAGE_TYPE, json!("LtiDeepLinkingRequest")),
        ErrorCode::MessageTypeUnsupported,
    );
    assert_eq!(
        err,
        Error::MessageTypeUnsupported {
            expected: vec!["LtiResourceLinkRequest".into()],
            found: "LtiDeepLinkingRequest".into()
        }
    );
}

#[test]
fn c29_missing_deployment_id_rejected() {
    rejected(
        &without(claim::DEPLOYMENT_ID),
        ErrorCode::DeploymentIdMissing,
    );
}

#[test]
fn deployment_id_longer_than_255_rejected() {
    let err = rejected(
        &with(claim::DEPLOYMENT_ID, json!("d".repeat(256))),
        ErrorCode::ClaimTooLong,
    );
    assert!(err.to_string().contains("256"), "{err}");
    validate(&with(claim::DEPLOYMENT_ID, json!("d".repeat(255)))).unwrap();
    rejected(
        &with(claim::DEPLOYMENT_ID, json!("")),
        ErrorCode::ClaimEmpty,
    );
}

#[test]
fn c31_missing_resource_link_id_rejected() {
    rejected(
        &with(claim::RESOURCE_LINK, json!({"title": "t"})),
        ErrorCode::ResourceLinkIdMissing,
    );
    rejected(
        &without(claim::RESOURCE_LINK),
        ErrorCode::ResourceLinkIdMissing,
    );
    rejected(
        &with(claim::RESOURCE_LINK, json!({"id": ""})),
        ErrorCode::ClaimEmpty,
    );
    rejected(
        &with(claim::RESOURCE_LINK, json!({"id": "r".repeat(256)})),
        ErrorCode::ClaimTooLong,
    );
}

#[test]
fn c32_missing_roles_rejected() {
    rejected(&without(claim::ROLES), ErrorCode::RolesMissing);
}

#[test]
fn c33_empty_sub_rejected() {
    let err = rejected(&with("sub", json!("")), ErrorCode::SubEmpty);
    assert_eq!(err.code().checklist(), Some(33));
    rejected(
        &with("sub", json!("u".repeat(256))),
        ErrorCode::ClaimTooLong,
    );
}

#[test]
fn c34_missing_target_link_uri_rejected() {
    rejected(
        &without(claim::TARGET_LINK_URI),
        ErrorCode::TargetLinkUriMissing,
    );
}

#[test]
fn c36_empty_roles_accepted() {
    validate(&with(claim::ROLES, json!([]))).unwrap();
    let m = validate(&with(claim::ROLES, json!([""]))).unwrap();
    assert_eq!(m.roles(), [""]);
}

#[test]
fn c37_short_role_accepted() {
    let m = validate(&with(claim::ROLES, json!(["Instructor"]))).unwrap();
    assert!(m.has_role("Instructor"));
}

#[test]
fn c38_unknown_role_accepted() {
    validate(&with(
        claim::ROLES,
        json!(["http://purl.imsglobal.org/vocab/lis/v2/unknown/unknown#Unknown"]),
    ))
    .unwrap();
    validate(&with(
        claim::ROLES,
        json!([
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
            "urn:vendor:role:Wizard"
        ]),
    ))
    .unwrap();
}

#[test]
fn c39_no_pii_and_no_context_accepted() {
    let mut payload = without(claim::CONTEXT);
    for key in [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "email",
        "picture",
    ] {
        payload.as_object_mut().unwrap().remove(key);
    }
    let m = validate(&payload).unwrap();
    assert!(m.context.is_none() && m.email.is_none());
    let mut email_only = without(claim::CONTEXT);
    for key in ["name", "given_name", "family_name", "middle_name"] {
        email_only.as_object_mut().unwrap().remove(key);
    }
    validate(&email_only).unwrap();
}

#[test]
fn c40_anonymous_launch_accepted() {
    let mut payload = without("sub");
    for key in [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "email",
        "picture",
    ] {
        payload.as_object_mut().unwrap().remove(key);
    }
    let m = validate(&payload).unwrap();
    assert!(m.is_anonymous());
}

#[test]
fn c41_unknown_members_inside_known_claims_ignored() {
    let payload = with(
        claim::RESOURCE_LINK,
        json!({"id": "r1", "vendor_flag": true}),
    );
    let m = validate(&payload).unwrap();
    assert_eq!(m.resource_link.unwrap().extra["vendor_flag"], json!(true));
}

#[test]
fn c42_custom_empty_and_unresolved_variables_accepted() {
    let payload = with(
        claim::CUSTOM,
        json!({"empty": "", "unresolved": "$CourseSection.timeFrame.begin"}),
    );
    let m = validate(&payload).unwrap();
    let custom = m.custom.unwrap();
    assert_eq!(custom.get("empty"), Some(""));
    assert_eq!(
        custom.get("unresolved"),
        Some("$CourseSection.timeFrame.begin")
    );
}

#[test]
fn context_without_id_rejected() {
    rejected(
        &with(claim::CONTEXT, json!({"label": "x"})),
        ErrorCode::ContextIdMissing,
    );
    rejected(
        &with(claim::CONTEXT, json!({"id": "c".repeat(256)})),
        ErrorCode::ClaimTooLong,
    );
}

#[test]
fn role_scope_mentor_without_mentor_role_accepted_but_not_exposed() {
    let payload = with(
        claim::ROLES,
        json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]),
    );
    let m = validate(&payload).unwrap();
    assert!(m.role_scope_mentor.is_some());
    assert!(m.mentored_users().is_none());
}

#[test]
fn wrong_json_types_name_the_claim() {
    let err = LtiMessage::from_json(
        with(claim::ROLES, json!("Instructor"))
            .to_string()
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::MessageMalformed);
    assert!(err.to_string().contains(claim::ROLES), "{err}");
    assert!(LtiMessage::from_json(b"[1,2]").is_err());
    assert!(LtiMessage::from_json(b"{\"sub\":\"a\",\"sub\":\"b\"}").is_err());
    assert!(LtiMessage::from_json(b"{\"x:y\":1,\"x:y\":2}").is_err());
}

#[test]
fn null_claims_read_as_absent() {
    let m = validate(&with(claim::CONTEXT, Value::Null)).unwrap();
    assert!(m.context.is_none());
}

#[test]
fn rule_sets_are_pluggable() {
    #[derive(Debug)]
    struct DeepLinkingRules;
    impl MessageRules for DeepLinkingRules {
        fn message_type(&self) -> MessageType {
            MessageType::LtiDeepLinkingRequest
        }
        fn check(&self, message: &LtiMessage) -> Result<(), Error> {
            message
                .deep_linking_settings
                .as_ref()
                .map(|_| ())
                .ok_or(Error::MissingClaim {
                    claim: claim::DEEP_LINKING_SETTINGS,
                })
        }
    }
    let payload = with(claim::MESSAGE_TYPE, json!("LtiDeepLinkingRequest"));
    let m = parse(&payload);
    let rules: [&dyn MessageRules; 2] = [&ResourceLinkRules, &DeepLinkingRules];
    let err = validate_lti_claims(&m, &rules).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ClaimMissing);
    let mut payload = payload;
    payload[claim::DEEP_LINKING_SETTINGS] = json!({"deep_link_return_url": "https://p.example/dl"});
    validate_lti_claims(&parse(&payload), &rules).unwrap();
}

#[test]
fn built_message_validates_and_serializes_with_uri_keys() {
    let mut m = LtiMessage::new(MessageType::LtiResourceLinkRequest, DeploymentId::new("d1"));
    m.target_link_uri = Some(TargetLinkUri::new("https://tool.example/launch"));
    m.resource_link = Some(lti_core::claims::ResourceLink::new(ResourceLinkId::new(
        "r1",
    )));
    m.roles = Some(vec![]);
    validate_lti_claims(&m, &[&ResourceLinkRules]).unwrap();
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json[claim::VERSION], "1.3.0");
    assert_eq!(json[claim::RESOURCE_LINK]["id"], "r1");
    assert!(json.get("sub").is_none());
}

#[test]
fn c37_typed_roles_and_context_types_available() {
    let m = validate(&with(claim::ROLES, json!(["Instructor"]))).unwrap();
    assert!(m.typed_roles().is_instructor());
    let m = parse(&example());
    assert!(m.typed_roles().is_learner());
    assert_eq!(m.context.unwrap().types().len(), 1);
}

/// Claim names written with JSON escapes are the same claims (they are not borrowed from the input, but must
/// still match), and one claim given twice, once escaped, is refused.
#[test]
fn escaped_claim_names_match_and_duplicates_through_escapes_are_refused() {
    let raw = r#"{"\u0069ss":"https://platform.example","sub":"u1","https:\/\/purl.imsglobal.org\/spec\/lti\/claim\/version":"1.3.0","x-\u00e9":1}"#;
    let message = LtiMessage::from_json(raw.as_bytes()).unwrap();
    assert_eq!(
        message.iss.as_ref().map(|i| i.as_str()),
        Some("https://platform.example")
    );
    assert_eq!(message.version.as_deref(), Some("1.3.0"));
    assert_eq!(message.extra_claim("x-é"), Some(&json!(1)));
    let twice = r#"{"iss":"https://a.example","\u0069ss":"https://b.example"}"#;
    let err = LtiMessage::from_json(twice.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("given twice"), "{err}");
    let extra_twice = r#"{"x":1,"\u0078":2}"#;
    let err = LtiMessage::from_json(extra_twice.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("given twice"), "{err}");
}
