//! Checklist section D: the platform's authorization endpoint.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/fixtures.rs"]
mod fixtures;

use std::time::Duration;

use fixtures::*;
use lti_core::UserId;
use lti_core::role::ContextRole;

fn alice() -> UserId {
    UserId::new("alice")
}

async fn started() -> (Fixture, Vec<(String, String)>) {
    let f = fixture(true).await;
    let start = f
        .platform
        .start_launch(launch(Some("alice"), ContextRole::Learner, true))
        .await
        .unwrap();
    let pairs = auth_pairs(&start);
    (f, pairs)
}

fn assert_error_page(response: &http::Response<bytes::Bytes>, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let html = body(response);
    assert!(!html.contains("<form"), "an error page, not a post: {html}");
    assert!(html.contains(code), "{code} in {html}");
    assert!(response.headers().get("location").is_none());
    assert_eq!(response.headers()["cache-control"], "no-store");
}

fn assert_oidc_error(response: &http::Response<bytes::Bytes>, error: &str) {
    assert_eq!(response.status(), 200);
    let form = parse_form(&body(response));
    assert_eq!(form.action, REDIRECT_URI);
    assert_eq!(form.field("error"), Some(error), "{form:?}");
    assert_eq!(form.field("state"), Some(STATE));
    assert!(form.field("id_token").is_none());
}

#[tokio::test]
async fn d45_unknown_client_id_gets_an_error_page_not_a_redirect() {
    let (f, mut pairs) = started().await;
    set(&mut pairs, "client_id", Some("someone-else"));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_error_page(&response, 400, "lti.platform.client_id.unknown");
}

#[tokio::test]
async fn d45_missing_or_repeated_client_id_gets_an_error_page() {
    let (f, mut pairs) = started().await;
    pairs.push(("client_id".to_owned(), CLIENT_ID.to_owned()));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_error_page(&response, 400, "lti.platform.auth_request.unroutable");
    set(&mut pairs, "client_id", None);
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_error_page(&response, 400, "lti.platform.auth_request.unroutable");
}

#[tokio::test]
async fn d46_unregistered_redirect_uri_gets_an_error_page() {
    let (f, mut pairs) = started().await;
    for bad in [
        "https://evil.example/launch",
        "https://tool.example/launch/",
        "https://TOOL.example/launch",
        "https://tool.example/launch?x=1",
    ] {
        set(&mut pairs, "redirect_uri", Some(bad));
        let response = f
            .platform
            .authorize(get_request(&pairs), Some(&alice()))
            .await;
        assert_error_page(&response, 400, "lti.platform.redirect_uri.not_registered");
        assert!(!body(&response).contains("evil.example"));
    }
}

#[tokio::test]
async fn d47_no_session_is_login_required_posted_to_the_tool() {
    let (f, pairs) = started().await;
    let response = f.platform.authorize(get_request(&pairs), None).await;
    assert_oidc_error(&response, "login_required");
}

#[tokio::test]
async fn d48_other_signed_in_user_is_rejected() {
    let (f, pairs) = started().await;
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&UserId::new("mallory")))
        .await;
    assert_oidc_error(&response, "login_required");
}

#[tokio::test]
async fn d48_login_hint_changed_by_the_tool_is_rejected() {
    let (f, mut pairs) = started().await;
    set(&mut pairs, "login_hint", Some("mallory"));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&UserId::new("mallory")))
        .await;
    assert_oidc_error(&response, "login_required");
}

#[tokio::test]
async fn d49_bad_response_type_scope_mode_prompt_are_oidc_errors() {
    let cases = [
        ("response_type", Some("code"), "unsupported_response_type"),
        ("response_type", None, "invalid_request"),
        ("scope", Some("profile"), "invalid_scope"),
        ("scope", None, "invalid_request"),
        ("response_mode", Some("query"), "invalid_request"),
        ("response_mode", None, "invalid_request"),
        ("prompt", Some("login"), "invalid_request"),
        ("prompt", None, "invalid_request"),
        ("nonce", None, "invalid_request"),
        ("login_hint", None, "invalid_request"),
        ("lti_message_hint", None, "invalid_request"),
    ];
    // `state` is echoed, so without it the error carries none.
    let (f, mut pairs) = started().await;
    set(&mut pairs, "state", None);
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    let form = parse_form(&body(&response));
    assert_eq!(form.field("error"), Some("invalid_request"));
    assert!(form.field("id_token").is_none() && form.field("state").is_none());
    for (name, value, error) in cases {
        let (f, mut pairs) = started().await;
        set(&mut pairs, name, value);
        let response = f
            .platform
            .authorize(get_request(&pairs), Some(&alice()))
            .await;
        assert_oidc_error(&response, error);
    }
}

#[tokio::test]
async fn d49_scope_list_with_openid_is_accepted() {
    let (f, mut pairs) = started().await;
    set(&mut pairs, "scope", Some("openid profile"));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    let form = parse_form(&body(&response));
    assert!(form.field("id_token").is_some(), "{form:?}");
}

#[tokio::test]
async fn d50_answer_is_an_auto_submit_post_of_id_token_and_state_with_the_nonce() {
    for post in [false, true] {
        let (f, pairs) = started().await;
        let request = if post {
            post_request(&pairs)
        } else {
            get_request(&pairs)
        };
        let response = f.platform.authorize(request, Some(&alice())).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = body(&response);
        assert!(html.contains("document.forms[0].submit()"));
        let form = parse_form(&html);
        assert_eq!(form.action, REDIRECT_URI);
        assert_eq!(form.fields.len(), 2);
        assert_eq!(form.field("state"), Some(STATE));
        let message = verify(&f, form.field("id_token").unwrap()).await;
        assert_eq!(message.nonce.unwrap().as_str(), NONCE);
    }
}

#[tokio::test]
async fn other_methods_and_bodies_are_rejected() {
    let (f, pairs) = started().await;
    let request = http::Request::put(AUTH_ENDPOINT)
        .body(bytes::Bytes::new())
        .unwrap();
    let response = f.platform.authorize(request, Some(&alice())).await;
    assert_eq!(response.status(), 405);
    let mut request = post_request(&pairs);
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    let response = f.platform.authorize(request, Some(&alice())).await;
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn message_hint_is_single_use() {
    let (f, pairs) = started().await;
    let first = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert!(parse_form(&body(&first)).field("id_token").is_some());
    let second = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_oidc_error(&second, "invalid_request");
    assert!(body(&second).contains("already used"));
}

#[tokio::test]
async fn message_hint_is_single_use_under_concurrency() {
    let (f, pairs) = started().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let platform = f.platform.clone();
        let request = get_request(&pairs);
        tasks.push(tokio::spawn(async move {
            let response = platform.authorize(request, Some(&alice())).await;
            parse_form(&body(&response)).field("id_token").is_some()
        }));
    }
    let mut won = 0;
    for task in tasks {
        if task.await.unwrap() {
            won += 1;
        }
    }
    assert_eq!(won, 1);
}

#[tokio::test]
async fn message_hint_expires() {
    let (f, pairs) = started().await;
    f.clock.advance(Duration::from_secs(301));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_oidc_error(&response, "invalid_request");
}

#[tokio::test]
async fn message_hint_is_used_just_before_expiry() {
    let (f, pairs) = started().await;
    f.clock.advance(Duration::from_secs(299));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert!(parse_form(&body(&response)).field("id_token").is_some());
}

#[tokio::test]
async fn unknown_message_hint_is_rejected() {
    let (f, mut pairs) = started().await;
    set(&mut pairs, "lti_message_hint", Some("forged"));
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_oidc_error(&response, "invalid_request");
}

#[tokio::test]
async fn rejected_request_does_not_burn_the_hint() {
    let (f, pairs) = started().await;
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&UserId::new("mallory")))
        .await;
    assert_oidc_error(&response, "login_required");
    let response = f
        .platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert!(parse_form(&body(&response)).field("id_token").is_some());
}

#[tokio::test]
async fn launch_for_another_client_is_rejected() {
    let second = lti_core::ToolRegistration::builder("tool-2")
        .redirect_uri(REDIRECT_URI)
        .initiate_login_uri(LOGIN_URI)
        .target_link_uri(TARGET_URI)
        .jwks_url("https://tool.example/jwks")
        .deployment(DEPLOYMENT_ID)
        .build()
        .unwrap();
    let f = fixture(true).await;
    let registry = lti_platform::StaticToolRegistry::new()
        .with(registration(true))
        .with(second);
    let platform = lti_platform::Platform::builder(f.platform.config().clone())
        .tools(std::sync::Arc::new(registry))
        .store(std::sync::Arc::new(lti_storage::MemoryStore::new()))
        .key_ring(f.key_ring.clone())
        .build()
        .unwrap();
    let start = platform
        .start_launch(launch(Some("alice"), ContextRole::Learner, true))
        .await
        .unwrap();
    let mut pairs = auth_pairs(&start);
    set(&mut pairs, "client_id", Some("tool-2"));
    let response = platform
        .authorize(get_request(&pairs), Some(&alice()))
        .await;
    assert_oidc_error(&response, "unauthorized_client");
}

#[tokio::test]
async fn jwks_publishes_the_signing_key() {
    let f = fixture(true).await;
    let response = f.platform.jwks();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let kid = f.key_ring.signing_key().kid().as_str().to_owned();
    assert!(
        json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str())
    );
}
