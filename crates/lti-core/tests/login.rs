//! OIDC login types: checklist A (tool side) and D49 (platform side).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;

use lti_core::login::{
    AuthRequest, AuthResponse, LoginInitiation, auto_submit_form, oidc_error_code,
};
use lti_core::{ClientId, Error, ErrorCode, LoginHint, Nonce, State};
use url::Url;

fn pairs<'a>(list: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)> {
    list.iter()
        .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
}

/// A hint with characters that must be percent-encoded, and a `+` and `%` that must not be decoded twice.
const HINT: &str = "a b+c%2F&d=é/\"<>?#";

fn initiation_query() -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("iss", "https://platform.example.edu")
        .append_pair("login_hint", HINT)
        .append_pair("target_link_uri", "https://tool.example/launch?x=1")
        .append_pair("lti_message_hint", "{\"k\": \"v w\"}")
        .append_pair("lti_deployment_id", "d1")
        .append_pair("client_id", "client-1")
        .append_pair("unknown", "ignored")
        .finish()
}

#[test]
fn a1_initiation_from_query_or_form_body() {
    let q = initiation_query();
    let from_query = LoginInitiation::from_urlencoded(q.as_bytes()).unwrap();
    let url = Url::parse(&format!("https://tool.example/login?{q}")).unwrap();
    let from_url = LoginInitiation::from_pairs(url.query_pairs()).unwrap();
    assert_eq!(from_query, from_url);
    assert_eq!(from_query.iss, "https://platform.example.edu");
    assert_eq!(from_query.login_hint.as_str(), HINT);
    assert_eq!(
        from_query.target_link_uri,
        "https://tool.example/launch?x=1"
    );
    assert_eq!(from_query.lti_deployment_id.as_ref().unwrap(), "d1");
    assert_eq!(from_query.client_id.as_ref().unwrap(), "client-1");
    assert_eq!(from_query.extra["unknown"], "ignored");
}

#[test]
fn a2_missing_required_parameter_named() {
    for missing in ["iss", "login_hint", "target_link_uri"] {
        let all = [
            ("iss", "https://p.example"),
            ("login_hint", "u1"),
            ("target_link_uri", "https://t.example/"),
        ];
        let some: Vec<_> = all.iter().copied().filter(|(k, _)| *k != missing).collect();
        let err = LoginInitiation::from_pairs(pairs(&some)).unwrap_err();
        assert_eq!(err, Error::ParameterMissing { parameter: missing });
        assert_eq!(err.code(), ErrorCode::ParameterMissing);
        assert_eq!(err.code().checklist(), Some(2));
        let empty: Vec<_> = all
            .iter()
            .map(|(k, v)| (*k, if *k == missing { "" } else { *v }))
            .collect();
        assert_eq!(
            LoginInitiation::from_pairs(pairs(&empty)).unwrap_err(),
            Error::ParameterMissing { parameter: missing }
        );
    }
}

#[test]
fn duplicated_parameter_rejected() {
    let list = [
        ("iss", "https://p.example"),
        ("login_hint", "u1"),
        ("login_hint", "u2"),
        ("target_link_uri", "https://t.example/"),
    ];
    let err = LoginInitiation::from_pairs(pairs(&list)).unwrap_err();
    assert_eq!(
        err,
        Error::ParameterDuplicated {
            parameter: "login_hint"
        }
    );
    assert_eq!(err.code().as_str(), "lti.oidc.parameter.duplicated");
}

fn request_for(login: &LoginInitiation) -> AuthRequest {
    AuthRequest::for_login(
        login,
        ClientId::new("client-1"),
        "https://tool.example/launch",
        Nonce::new("n-1"),
        State::new("s-1"),
    )
}

#[test]
fn a5_auth_request_carries_every_required_parameter() {
    let login = LoginInitiation::from_urlencoded(initiation_query().as_bytes()).unwrap();
    let url = request_for(&login).to_url(&Url::parse("https://platform.example.edu/auth").unwrap());
    let got: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("scope"), Some("openid"));
    assert_eq!(get("response_type"), Some("id_token"));
    assert_eq!(get("response_mode"), Some("form_post"));
    assert_eq!(get("prompt"), Some("none"));
    assert_eq!(get("client_id"), Some("client-1"));
    assert_eq!(get("redirect_uri"), Some("https://tool.example/launch"));
    assert_eq!(get("nonce"), Some("n-1"));
    assert_eq!(get("state"), Some("s-1"));
}

#[test]
fn a6_login_hint_forwarded_byte_for_byte() {
    let login = LoginInitiation::from_urlencoded(initiation_query().as_bytes()).unwrap();
    let url = request_for(&login).to_url(&Url::parse("https://platform.example.edu/auth").unwrap());
    let hint = url
        .query_pairs()
        .find(|(k, _)| k == "login_hint")
        .unwrap()
        .1;
    assert_eq!(hint, HINT);
    // and the platform reads back the same bytes
    let back = AuthRequest::from_pairs(url.query_pairs()).unwrap();
    assert_eq!(back.login_hint, LoginHint::new(HINT));
}

#[test]
fn a7_lti_message_hint_forwarded_only_when_received() {
    let login = LoginInitiation::from_urlencoded(initiation_query().as_bytes()).unwrap();
    let endpoint = Url::parse("https://platform.example.edu/auth").unwrap();
    let url = request_for(&login).to_url(&endpoint);
    let hint = url
        .query_pairs()
        .find(|(k, _)| k == "lti_message_hint")
        .unwrap()
        .1;
    assert_eq!(hint, "{\"k\": \"v w\"}");

    let bare = LoginInitiation::from_urlencoded(
        b"iss=https%3A%2F%2Fp&login_hint=u&target_link_uri=https%3A%2F%2Ft",
    )
    .unwrap();
    let url = request_for(&bare).to_url(&endpoint);
    assert!(url.query_pairs().all(|(k, _)| k != "lti_message_hint"));
}

#[test]
fn auth_endpoint_query_is_kept() {
    let login = LoginInitiation::from_urlencoded(initiation_query().as_bytes()).unwrap();
    let url = request_for(&login)
        .to_url(&Url::parse("https://platform.example.edu/auth?tenant=7").unwrap());
    assert!(
        url.as_str()
            .starts_with("https://platform.example.edu/auth?tenant=7&scope=openid&")
    );
    assert_eq!(url.query_pairs().filter(|(k, _)| k == "tenant").count(), 1);
}

#[test]
fn initiation_to_url_round_trips() {
    let login = LoginInitiation::from_urlencoded(initiation_query().as_bytes()).unwrap();
    let url = login.to_url(&Url::parse("https://tool.example/login").unwrap());
    assert_eq!(
        LoginInitiation::from_pairs(url.query_pairs()).unwrap(),
        login
    );
}

fn valid_auth() -> Vec<(&'static str, &'static str)> {
    vec![
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", "client-1"),
        ("redirect_uri", "https://tool.example/launch"),
        ("login_hint", "u1"),
        ("nonce", "n1"),
        ("state", "s1"),
    ]
}

fn auth_with(key: &str, value: &'static str) -> Result<AuthRequest, Error> {
    let list: Vec<_> = valid_auth()
        .into_iter()
        .map(|(k, v)| (k, if k == key { value } else { v }))
        .collect();
    AuthRequest::from_pairs(pairs(&list))
}

#[test]
fn d49_fixed_values_checked() {
    let ok = AuthRequest::from_pairs(pairs(&valid_auth())).unwrap();
    assert_eq!(ok.client_id, "client-1");
    assert!(auth_with("scope", "openid profile").is_ok());
    for (key, bad, oidc) in [
        ("response_type", "code", "unsupported_response_type"),
        ("scope", "profile", "invalid_scope"),
        ("scope", "openidx", "invalid_scope"),
        ("response_mode", "query", "invalid_request"),
        ("prompt", "login", "invalid_request"),
    ] {
        let err = auth_with(key, bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ParameterInvalid, "{key}");
        assert_eq!(err.code().checklist(), Some(49));
        assert!(err.to_string().contains(key), "{err}");
        assert_eq!(oidc_error_code(&err), oidc);
    }
    for required in [
        "client_id",
        "redirect_uri",
        "login_hint",
        "nonce",
        "response_mode",
        "prompt",
    ] {
        let list: Vec<_> = valid_auth()
            .into_iter()
            .filter(|(k, _)| *k != required)
            .collect();
        assert_eq!(
            AuthRequest::from_pairs(pairs(&list)).unwrap_err(),
            Error::ParameterMissing {
                parameter: required
            }
        );
    }
}

#[test]
fn auth_response_form_fields() {
    let ok = AuthResponse::from_urlencoded(b"id_token=a.b.c&state=s1").unwrap();
    assert_eq!(
        ok,
        AuthResponse::IdToken {
            id_token: "a.b.c".into(),
            state: State::new("s1")
        }
    );
    assert!(!format!("{ok:?}").contains("a.b.c"));
    assert_eq!(ok.to_pairs(), [("id_token", "a.b.c"), ("state", "s1")]);
    let err = AuthResponse::from_urlencoded(
        b"error=login_required&error_description=no+session&state=s1",
    )
    .unwrap();
    assert_eq!(
        err.to_pairs(),
        [
            ("error", "login_required"),
            ("error_description", "no session"),
            ("state", "s1")
        ]
    );
    assert_eq!(
        AuthResponse::from_urlencoded(b"id_token=a.b.c").unwrap_err(),
        Error::ParameterMissing { parameter: "state" }
    );
}

#[test]
fn auto_submit_form_escapes_every_value() {
    let action = Url::parse("https://tool.example/launch?a=1&b=\"2\"").unwrap();
    let html = auto_submit_form(&action, &[("id_token", "\"<>&'"), ("st\"ate", "x")]);
    assert!(
        html.contains("value=\"&quot;&lt;&gt;&amp;&#x27;\""),
        "{html}"
    );
    assert!(html.contains("name=\"st&quot;ate\""), "{html}");
    assert!(
        html.contains("action=\"https://tool.example/launch?a=1&amp;b=%222%22\""),
        "{html}"
    );
    assert!(!html.contains("\"<>&'"));
    let response = AuthResponse::IdToken {
        id_token: "t".into(),
        state: State::new("<s>"),
    };
    assert!(
        response
            .to_form_post(&action)
            .contains("value=\"&lt;s&gt;\"")
    );
}
