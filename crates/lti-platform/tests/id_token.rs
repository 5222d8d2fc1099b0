//! Checklist sections D51-D52 (login initiation) and E (the minted `id_token`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/fixtures.rs"]
mod fixtures;

use std::sync::Arc;

use fixtures::*;
use lti_core::claims::ResourceLink;
use lti_core::role::ContextRole;
use lti_core::{ClientId, DeploymentId, ResourceLinkId, Role, TargetLinkUri, UserId};
use lti_platform::{LaunchRequest, PlatformError};
use lti_security::{ClaimRules, JwtVerifier};
use lti_storage::Clock;
use serde_json::Value;

const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";
const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
const MENTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor";
const CLAIM: &str = "https://purl.imsglobal.org/spec/lti/claim/";

/// Runs a launch and returns the id_token and its raw payload.
async fn mint(f: &Fixture, request: LaunchRequest, user: Option<&str>) -> (String, Value) {
    let form = run(f, request, user).await;
    let token = form.field("id_token").unwrap().to_owned();
    let verifier = JwtVerifier::new(f.clock.clone() as Arc<dyn Clock>);
    let jwt = verifier
        .verify(
            &token,
            &f.key_ring.key_set(),
            &ClaimRules::new().issuer(ISSUER).audience(CLIENT_ID),
        )
        .await
        .unwrap();
    let payload = serde_json::from_slice(jwt.payload()).unwrap();
    (token, payload)
}

#[tokio::test]
async fn d51_launch_starts_with_a_login_initiation_to_the_initiate_login_uri() {
    let f = fixture(true).await;
    let start = f
        .platform
        .start_launch(launch(Some("alice"), ContextRole::Learner, true))
        .await
        .unwrap();
    assert_eq!(start.url.path(), "/login");
    assert!(start.url.as_str().starts_with(LOGIN_URI));
    let q: Vec<(String, String)> = start.url.query_pairs().into_owned().collect();
    let get = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(get("iss"), Some(ISSUER));
    assert_eq!(get("login_hint"), Some("alice"));
    assert_eq!(get("target_link_uri"), Some(TARGET_URI));
    assert_eq!(get("client_id"), Some(CLIENT_ID));
    assert_eq!(
        get("lti_message_hint"),
        start.message_hint().map(|h| h.as_str())
    );
    assert!(start.message_hint().unwrap().as_str().len() >= 43);
    let form = parse_form(&start.form_html());
    assert_eq!(form.action, LOGIN_URI);
    assert_eq!(form.field("iss"), Some(ISSUER));
    assert_eq!(form.field("lti_deployment_id"), Some(DEPLOYMENT_ID));
}

#[tokio::test]
async fn d52_lti_deployment_id_equals_the_deployment_id_claim() {
    let f = fixture(true).await;
    let start = f
        .platform
        .start_launch(launch(Some("alice"), ContextRole::Learner, true))
        .await
        .unwrap();
    let sent = start.initiation.lti_deployment_id.clone().unwrap();
    let response = f
        .platform
        .authorize(
            get_request(&auth_pairs(&start)),
            Some(&UserId::new("alice")),
        )
        .await;
    let form = parse_form(&body(&response));
    let message = verify(&f, form.field("id_token").unwrap()).await;
    assert_eq!(message.deployment_id.unwrap(), sent);
}

#[tokio::test]
async fn e53_signed_with_rs256_and_a_kid_in_the_platform_jwks() {
    let f = fixture(true).await;
    let (token, _) = mint(
        &f,
        launch(Some("alice"), ContextRole::Learner, true),
        Some("alice"),
    )
    .await;
    let verifier = JwtVerifier::new(f.clock.clone() as Arc<dyn Clock>);
    let parsed = verifier.parse(&token).unwrap();
    let header = parsed.header();
    assert_eq!(header.alg.name(), "RS256");
    let kid = header.kid.clone().unwrap();
    assert_eq!(kid.as_str(), f.key_ring.signing_key().kid().as_str());
    let jwks: Value = serde_json::from_slice(f.platform.jwks().body()).unwrap();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str())
    );
}

#[tokio::test]
async fn e54_iss_aud_azp_exp_iat_nonce() {
    let f = fixture(true).await;
    let (_, p) = mint(
        &f,
        launch(Some("alice"), ContextRole::Learner, true),
        Some("alice"),
    )
    .await;
    assert_eq!(p["iss"], ISSUER);
    assert_eq!(p["aud"], CLIENT_ID, "aud is the client_id string");
    assert_eq!(p["azp"], CLIENT_ID);
    assert_eq!(p["iat"], START);
    assert_eq!(p["exp"], START + 300);
    assert_eq!(p["nonce"], NONCE);
}

#[tokio::test]
async fn e55_version_is_1_3_0() {
    let f = fixture(true).await;
    let (_, p) = mint(
        &f,
        launch(Some("alice"), ContextRole::Learner, true),
        Some("alice"),
    )
    .await;
    assert_eq!(p[format!("{CLAIM}version")], "1.3.0");
}

#[tokio::test]
async fn e56_resource_link_launch_is_complete_and_target_link_uri_is_the_initiation_one() {
    let f = fixture(true).await;
    let request = launch(Some("alice"), ContextRole::Learner, true)
        .with_target_link_uri(TargetLinkUri::new("https://tool.example/item/7"));
    let start = f.platform.start_launch(request).await.unwrap();
    assert_eq!(
        start.initiation.target_link_uri.as_str(),
        "https://tool.example/item/7"
    );
    let response = f
        .platform
        .authorize(
            get_request(&auth_pairs(&start)),
            Some(&UserId::new("alice")),
        )
        .await;
    let form = parse_form(&body(&response));
    let m = verify(&f, form.field("id_token").unwrap()).await;
    assert_eq!(m.message_type.unwrap().as_str(), "LtiResourceLinkRequest");
    assert_eq!(m.deployment_id.unwrap().as_str(), DEPLOYMENT_ID);
    assert_eq!(
        m.target_link_uri.unwrap().as_str(),
        "https://tool.example/item/7"
    );
    assert_eq!(m.resource_link.unwrap().id.unwrap().as_str(), "rl-1");
    assert_eq!(m.roles.unwrap(), vec![LEARNER.to_owned()]);
    assert_eq!(m.sub.unwrap().as_str(), "alice");
}

#[tokio::test]
async fn e56_anonymous_launch_has_no_sub_and_no_identity_claims() {
    let f = fixture(true).await;
    let (_, p) = mint(&f, launch(None, ContextRole::Learner, false), None).await;
    for claim in ["sub", "name", "given_name", "family_name", "email"] {
        assert!(p.get(claim).is_none(), "{claim} in {p}");
    }
    assert_eq!(p[format!("{CLAIM}roles")][0], LEARNER);
}

#[tokio::test]
async fn e56_unknown_deployment_or_client_is_rejected_at_start() {
    let f = fixture(true).await;
    let mut request = launch(Some("alice"), ContextRole::Learner, true);
    request.deployment_id = DeploymentId::new("dep-unknown");
    let e = f.platform.start_launch(request).await.unwrap_err();
    assert!(matches!(e, PlatformError::DeploymentUnknown { .. }), "{e}");
    let mut request = launch(Some("alice"), ContextRole::Learner, true);
    request.client_id = ClientId::new("nobody");
    let e = f.platform.start_launch(request).await.unwrap_err();
    assert!(matches!(e, PlatformError::ClientUnknown { .. }), "{e}");
}

#[tokio::test]
async fn e56_resource_link_launch_without_resource_link_is_rejected() {
    let f = fixture(true).await;
    let mut request = launch(Some("alice"), ContextRole::Learner, true);
    request.resource_link = None;
    let e = f.platform.start_launch(request).await.unwrap_err();
    assert!(matches!(e, PlatformError::LaunchMessage(_)), "{e}");
}

#[tokio::test]
async fn e57_identifiers_longer_than_255_or_not_ascii_are_rejected() {
    let f = fixture(true).await;
    let long = "x".repeat(256);
    let cases: Vec<LaunchRequest> = vec![
        launch(Some(&long), ContextRole::Learner, true),
        launch(Some("élève"), ContextRole::Learner, true),
        LaunchRequest::resource_link(
            ClientId::new(CLIENT_ID),
            DeploymentId::new(DEPLOYMENT_ID),
            None,
            ResourceLink::new(ResourceLinkId::new(long.clone())),
        ),
        launch(Some("alice"), ContextRole::Learner, false).with_context(
            lti_core::claims::Context::new(lti_core::ContextId::new(long.clone())),
        ),
    ];
    for request in cases {
        let e = f.platform.start_launch(request).await.unwrap_err();
        assert!(
            matches!(
                e,
                PlatformError::InvalidLaunch { .. } | PlatformError::LaunchMessage(_)
            ),
            "{e}"
        );
        assert_eq!(e.status(), 400);
    }
    let exactly = "y".repeat(255);
    f.platform
        .start_launch(launch(Some(&exactly), ContextRole::Learner, true))
        .await
        .unwrap();
}

#[tokio::test]
async fn e58_learner_and_instructor_roles_as_full_uris() {
    let f = fixture(true).await;
    let request =
        launch(Some("alice"), ContextRole::Learner, true).with_roles([Role::parse("Instructor")]);
    let (_, p) = mint(&f, request, Some("alice")).await;
    assert_eq!(p[format!("{CLAIM}roles")], serde_json::json!([INSTRUCTOR]));
    let (_, p) = mint(
        &f,
        launch(Some("bob"), ContextRole::Learner, true),
        Some("bob"),
    )
    .await;
    assert_eq!(p[format!("{CLAIM}roles")], serde_json::json!([LEARNER]));
}

#[tokio::test]
async fn e59_no_pii_setting_omits_name_email_picture() {
    let f = fixture(false).await;
    let mut request = launch(Some("alice"), ContextRole::Learner, true);
    if let Some(user) = request.user.as_mut() {
        user.picture = Some("https://lms.example/a.png".to_owned());
    }
    let (_, p) = mint(&f, request, Some("alice")).await;
    for claim in ["name", "given_name", "family_name", "email", "picture"] {
        assert!(p.get(claim).is_none(), "{claim} in {p}");
    }
    assert_eq!(p["sub"], "alice");
    let f = fixture(true).await;
    let (_, p) = mint(
        &f,
        launch(Some("alice"), ContextRole::Learner, true),
        Some("alice"),
    )
    .await;
    assert_eq!(p["name"], "Ada Lovelace");
    assert_eq!(p["email"], "ada@example.edu");
}

#[tokio::test]
async fn e60_values_with_surrounding_whitespace_are_rejected() {
    let f = fixture(true).await;
    let mut with_title = launch(Some("alice"), ContextRole::Learner, true);
    if let Some(context) = with_title.context.as_mut() {
        context.title = Some(" Analytical Engines".to_owned());
    }
    let cases = vec![
        with_title,
        launch(Some("alice "), ContextRole::Learner, true),
        launch(Some("alice"), ContextRole::Learner, true).with_custom("level", "hard\n"),
        launch(Some("alice"), ContextRole::Learner, true).with_extra_claim(
            "https://vendor.example/x",
            serde_json::json!({"a": ["ok", "\tno"]}),
        ),
    ];
    for request in cases {
        let e = f.platform.start_launch(request).await.unwrap_err();
        assert!(matches!(e, PlatformError::InvalidLaunch { .. }), "{e}");
        assert!(e.to_string().contains("whitespace"), "{e}");
    }
}

#[tokio::test]
async fn e60_minted_payload_is_free_of_extra_whitespace() {
    fn walk(v: &Value) {
        match v {
            Value::String(s) => assert_eq!(s.trim(), s),
            Value::Array(a) => a.iter().for_each(walk),
            Value::Object(o) => o.values().for_each(walk),
            _ => {}
        }
    }
    let f = fixture(true).await;
    let (_, p) = mint(
        &f,
        launch(Some("alice"), ContextRole::Learner, true),
        Some("alice"),
    )
    .await;
    walk(&p);
}

#[tokio::test]
async fn e61_role_scope_mentor_only_with_the_mentor_role() {
    let f = fixture(true).await;
    let request = launch(Some("alice"), ContextRole::Learner, true)
        .with_role_scope_mentor([UserId::new("kid-1")]);
    let e = f.platform.start_launch(request).await.unwrap_err();
    assert!(matches!(e, PlatformError::InvalidLaunch { .. }), "{e}");
    let request = launch(Some("alice"), ContextRole::Mentor, true)
        .with_role_scope_mentor([UserId::new("kid-1")]);
    let (_, p) = mint(&f, request, Some("alice")).await;
    assert_eq!(p[format!("{CLAIM}roles")], serde_json::json!([MENTOR]));
    assert_eq!(
        p[format!("{CLAIM}role_scope_mentor")],
        serde_json::json!(["kid-1"])
    );
}

#[tokio::test]
async fn custom_and_tool_platform_and_extra_claims_are_carried() {
    let f = fixture(true).await;
    let request = launch(Some("alice"), ContextRole::Learner, true)
        .with_custom("level", "hard")
        .with_extra_claim(
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
            serde_json::json!({"scope": [], "lineitems": "https://lms.example/li"}),
        );
    let (_, p) = mint(&f, request, Some("alice")).await;
    assert_eq!(p[format!("{CLAIM}custom")]["level"], "hard");
    assert_eq!(
        p["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitems"],
        "https://lms.example/li"
    );
    assert_eq!(p[format!("{CLAIM}context")]["id"], "course-1");
    let bad = launch(Some("alice"), ContextRole::Learner, true)
        .with_extra_claim("not-a-url", serde_json::json!(1));
    assert!(f.platform.start_launch(bad).await.is_err());
}

#[tokio::test]
async fn user_ids_with_the_anonymous_prefix_are_rejected_at_start() {
    let f = fixture(true).await;
    let request = launch(Some("anonymous.x"), ContextRole::Learner, true);
    let e = f.platform.start_launch(request).await.unwrap_err();
    assert!(matches!(e, PlatformError::InvalidLaunch { .. }), "{e}");
}
