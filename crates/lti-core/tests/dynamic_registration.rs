//! Dynamic Registration wire types: the digest's example body parses, round-trips with vendor keys kept, and the
//! platform-side checks name the member at fault.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use lti_core::registration::RegistrationError;
use lti_core::registration::dynamic::{ClientRegistration, PlatformConfiguration};
use serde_json::json;

fn example() -> serde_json::Value {
    json!({
      "application_type": "web",
      "response_types": ["id_token"],
      "grant_types": ["implicit", "client_credentials"],
      "initiate_login_uri": "https://tool.example.org/lti/login",
      "redirect_uris": ["https://tool.example.org/lti/launch"],
      "client_name": "Example Tool",
      "client_name#ja": "例",
      "jwks_uri": "https://tool.example.org/.well-known/jwks.json",
      "token_endpoint_auth_method": "private_key_jwt",
      "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
      "https://purl.imsglobal.org/spec/lti-tool-configuration": {
        "domain": "tool.example.org",
        "target_link_uri": "https://tool.example.org/lti/launch",
        "claims": ["iss", "sub", "name", "email"],
        "custom_parameters": {"course": "$Context.id"},
        "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": "https://tool.example.org/lti/dl", "label": "Add content", "label#ja": "追加"}],
        "https://canvas.instructure.com/lti/privacy_level": "public"
      }
    })
}

#[test]
fn example_parses_round_trips_and_keeps_vendor_keys() {
    let request: ClientRegistration = serde_json::from_value(example()).unwrap();
    request.check().unwrap();
    assert_eq!(request.scopes().count(), 2);
    let back = serde_json::to_value(&request).unwrap();
    assert_eq!(back, example());
}

#[test]
fn to_tool_registration_keeps_allowed_scopes_and_privacy_from_claims() {
    let request: ClientRegistration = serde_json::from_value(example()).unwrap();
    let registration = request
        .to_tool_registration(
            "client-9",
            &["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        )
        .unwrap()
        .deployment("dep-9")
        .build()
        .unwrap();
    let scopes: Vec<&str> = registration.scopes().collect();
    assert_eq!(
        scopes,
        ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    );
    assert!(registration.include_name() && registration.include_email());
    assert_eq!(
        registration.custom().get("course").map(String::as_str),
        Some("$Context.id")
    );
    assert!(registration.accepts_redirect_uri("https://tool.example.org/lti/launch"));
}

#[test]
fn check_names_each_wrong_member() {
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("application_type", json!("native"), "application_type"),
        ("grant_types", json!(["implicit"]), "grant_types"),
        ("response_types", json!(["code"]), "response_types"),
        (
            "token_endpoint_auth_method",
            json!("client_secret_basic"),
            "token_endpoint_auth_method",
        ),
        ("client_name", json!("  "), "client_name"),
        ("jwks_uri", json!(""), "jwks_uri"),
    ];
    for (member, value, named) in cases {
        let mut body = example();
        body[member] = value;
        let request: ClientRegistration = serde_json::from_value(body).unwrap();
        let err = request.check().unwrap_err();
        assert!(err.to_string().contains(named), "{member}: {err}");
    }
    let mut body = example();
    body["redirect_uris"] = json!([]);
    let request: ClientRegistration = serde_json::from_value(body).unwrap();
    assert_eq!(
        request.check().unwrap_err(),
        RegistrationError::NoRedirectUri
    );
    // A non-https redirect URI is refused when the registration is built.
    let mut body = example();
    body["redirect_uris"] = json!(["http://tool.example.org/launch"]);
    let request: ClientRegistration = serde_json::from_value(body).unwrap();
    assert!(
        request
            .to_tool_registration("c", &[])
            .unwrap()
            .deployment("d")
            .build()
            .is_err()
    );
}

#[test]
fn platform_configuration_token_audience() {
    let mut config: PlatformConfiguration = serde_json::from_value(json!({
        "issuer": "https://lms.example",
        "authorization_endpoint": "https://lms.example/auth",
        "jwks_uri": "https://lms.example/jwks",
        "token_endpoint": "https://lms.example/token",
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": "x", "version": "1", "messages_supported": ["LtiResourceLinkRequest"]}
    }))
    .unwrap();
    assert_eq!(config.token_audience(), "https://lms.example/token");
    config.authorization_server = Some("https://lms.example/as".into());
    assert_eq!(config.token_audience(), "https://lms.example/as");
}
