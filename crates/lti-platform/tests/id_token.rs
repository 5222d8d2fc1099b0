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
use lti_core::{
    ClientId, DeploymentId, ResourceLinkId, Role, TargetLinkUri, ToolRegistration, UserId,
};
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
        // lti-core's length rule or its outbound identifier rule (E57), each with its own code.
        assert!(
            matches!(
                &e,
                PlatformError::LaunchMessage(m)
                    if matches!(m.code(), lti_core::ErrorCode::OutboundIdentifier | lti_core::ErrorCode::ClaimTooLong)
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
        assert!(
            matches!(&e, PlatformError::LaunchMessage(m) if m.code().checklist() == Some(60)),
            "{e}"
        );
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
    assert!(
        matches!(&e, PlatformError::LaunchMessage(m) if m.code().checklist() == Some(61)),
        "{e}"
    );
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

/// E62: `$variables` in the registration's and the launch's custom values are substituted when supported and
/// authorised, sent as `""` when supported but empty, and sent unchanged when unsupported or not authorised
/// (here: names and email with the privacy setting off).
#[tokio::test]
async fn e62_custom_variables_substituted_empty_or_unchanged() {
    for include_pii in [true, false] {
        let registration = ToolRegistration::builder(CLIENT_ID)
            .redirect_uri(REDIRECT_URI)
            .initiate_login_uri(LOGIN_URI)
            .target_link_uri(TARGET_URI)
            .jwks_url("https://tool.example/jwks")
            .deployment(DEPLOYMENT_ID)
            .include_name(include_pii)
            .include_email(include_pii)
            .custom("user", "$User.id")
            .custom("course_title", "$Context.title")
            .custom("plain", "no variable here")
            .build()
            .unwrap();
        let f = fixture_with(registration).await;
        let request = launch(Some("alice"), ContextRole::Learner, true)
            .with_custom("link", "$ResourceLink.id")
            .with_custom("link_description", "$ResourceLink.description")
            .with_custom("name", "$Person.name.full")
            .with_custom("email", "$Person.email.primary")
            .with_custom("unsupported", "$CourseSection.timeFrame.begin")
            .with_custom("vendor", "$com.example.Term.id")
            .with_custom("dollar", "$")
            .with_custom("roles", "$Membership.role");
        let (_, p) = mint(&f, request, Some("alice")).await;
        let custom = &p[format!("{CLAIM}custom")];
        assert_eq!(custom["user"], "alice");
        assert_eq!(custom["course_title"], "Analytical Engines");
        assert_eq!(custom["plain"], "no variable here");
        assert_eq!(custom["link"], "rl-1");
        assert_eq!(custom["link_description"], "", "supported but empty");
        assert_eq!(custom["unsupported"], "$CourseSection.timeFrame.begin");
        assert_eq!(custom["vendor"], "$com.example.Term.id");
        assert_eq!(custom["dollar"], "$");
        assert_eq!(custom["roles"], LEARNER);
        if include_pii {
            assert_eq!(custom["name"], "Ada Lovelace");
            assert_eq!(custom["email"], "ada@example.edu");
        } else {
            assert_eq!(
                custom["name"], "$Person.name.full",
                "not authorised: unchanged"
            );
            assert_eq!(
                custom["email"], "$Person.email.primary",
                "not authorised: unchanged"
            );
        }
        // Every value is a string.
        assert!(custom.as_object().unwrap().values().all(Value::is_string));
    }
}

/// E63: service claims must hold resolved https URLs: a template, plain http to a public host, a relative URL
/// or a non-string are refused; https and loopback http are accepted.
#[tokio::test]
async fn e63_service_urls_must_be_resolved_https() {
    let f = fixture(true).await;
    let ags = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
    let nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
    let refused = [
        (
            ags,
            serde_json::json!({"lineitems": "https://lms.example/{context_id}/lineitems"}),
        ),
        (
            ags,
            serde_json::json!({"lineitem": "http://lms.example/lineitems/1"}),
        ),
        (ags, serde_json::json!({"lineitems": "/relative/lineitems"})),
        (ags, serde_json::json!({"lineitems": 42})),
        (
            nrps,
            serde_json::json!({"context_memberships_url": "ftp://lms.example/m"}),
        ),
    ];
    for (claim, value) in refused {
        let request = launch(Some("alice"), ContextRole::Learner, true)
            .with_extra_claim(claim, value.clone());
        let e = f.platform.start_launch(request).await.unwrap_err();
        assert!(
            matches!(&e, PlatformError::LaunchMessage(m) if m.code().checklist() == Some(63)),
            "{value}: {e}"
        );
    }
    let accepted = [
        (
            ags,
            serde_json::json!({"scope": [], "lineitems": "https://lms.example/c/1/lineitems"}),
        ),
        (
            nrps,
            serde_json::json!({"context_memberships_url": "http://localhost:8080/m", "service_versions": ["2.0"]}),
        ),
    ];
    for (claim, value) in accepted {
        let request = launch(Some("alice"), ContextRole::Learner, true)
            .with_extra_claim(claim, value.clone());
        f.platform.start_launch(request).await.unwrap();
    }
}
