//! The launch endpoint under hostile input: every mutation of a valid launch post is refused with its own
//! code and status, never a panic, never a 5xx, never an echo of the token; and a refused post never burns the
//! login's nonce (checklist B23: the nonce is consumed last).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/platform.rs"]
mod platform;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, COOKIE};
use lti_security::{Algorithm, SigningKey, sign_jwt};
use platform::{LoginOutcome, Platform, TOOL};
use serde_json::{Value, json};

const FORM: &str = "application/x-www-form-urlencoded";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A request with the given pieces (the body is sent exactly as given).
fn raw(
    method: &str,
    content_type: Option<&str>,
    cookie: Option<String>,
    body: Vec<u8>,
) -> http::Request<Bytes> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("{TOOL}/launch"));
    if let Some(ct) = content_type {
        builder = builder.header(CONTENT_TYPE, ct);
    }
    if let Some(cookie) = cookie {
        builder = builder.header(COOKIE, cookie);
    }
    builder.body(Bytes::from(body)).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

fn cookie(login: &LoginOutcome) -> Option<String> {
    Some(format!("lti_state={}", login.cookie))
}

/// Replaces one part of a compact token.
fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

type Mutation = Box<dyn Fn(&Platform, &LoginOutcome, &str) -> http::Request<Bytes>>;

#[tokio::test]
async fn every_hostile_mutation_has_its_own_refusal_and_burns_nothing() {
    let p = Platform::new();
    let state_post = |token: &str, login: &LoginOutcome| {
        raw(
            "POST",
            Some(FORM),
            cookie(login),
            form(&[("id_token", token), ("state", &login.state)]),
        )
    };
    let signed = |p: &Platform, login: &LoginOutcome, edit: &dyn Fn(&mut Value)| {
        let mut claims = p.claims(login);
        edit(&mut claims);
        p.sign(&claims)
    };
    let cases: Vec<(&str, Mutation, &str, u16)> = vec![
        // The request itself.
        (
            "GET",
            Box::new(|_, l, t| {
                raw(
                    "GET",
                    Some(FORM),
                    cookie(l),
                    form(&[("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.tool.launch.method",
            405,
        ),
        (
            "PUT",
            Box::new(|_, l, t| {
                raw(
                    "PUT",
                    Some(FORM),
                    cookie(l),
                    form(&[("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.tool.launch.method",
            405,
        ),
        (
            "JSON body",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    Some("application/json"),
                    cookie(l),
                    json!({"id_token": t, "state": l.state})
                        .to_string()
                        .into_bytes(),
                )
            }),
            "lti.tool.launch.content_type",
            415,
        ),
        (
            "no content type",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    None,
                    cookie(l),
                    form(&[("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.tool.launch.content_type",
            415,
        ),
        (
            "multipart",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    Some("multipart/form-data; boundary=x"),
                    cookie(l),
                    form(&[("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.tool.launch.content_type",
            415,
        ),
        (
            "empty body",
            Box::new(|_, l, _| raw("POST", Some(FORM), cookie(l), Vec::new())),
            "lti.oidc.parameter.missing",
            400,
        ),
        (
            "binary garbage",
            Box::new(|_, l, _| {
                raw(
                    "POST",
                    Some(FORM),
                    cookie(l),
                    (0u8..=255).cycle().take(4096).collect(),
                )
            }),
            "lti.oidc.parameter.missing",
            400,
        ),
        (
            "id_token twice",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    Some(FORM),
                    cookie(l),
                    form(&[("id_token", t), ("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.oidc.parameter.duplicated",
            400,
        ),
        (
            "state twice",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    Some(FORM),
                    cookie(l),
                    form(&[("id_token", t), ("state", &l.state), ("state", &l.state)]),
                )
            }),
            "lti.oidc.parameter.duplicated",
            400,
        ),
        (
            "empty id_token",
            Box::new(|_, l, _| {
                raw(
                    "POST",
                    Some(FORM),
                    cookie(l),
                    form(&[("id_token", ""), ("state", &l.state)]),
                )
            }),
            "lti.oidc.parameter.missing",
            400,
        ),
        (
            "no state",
            Box::new(|_, l, t| raw("POST", Some(FORM), cookie(l), form(&[("id_token", t)]))),
            "lti.oidc.parameter.missing",
            400,
        ),
        (
            "platform error post",
            Box::new(|_, l, _| {
                raw(
                    "POST",
                    Some(FORM),
                    cookie(l),
                    form(&[
                        ("error", "login_required"),
                        ("error_description", "<script>x</script>"),
                        ("state", &l.state),
                    ]),
                )
            }),
            "lti.tool.launch.platform_error",
            400,
        ),
        // The browser binding.
        (
            "no cookie",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    Some(FORM),
                    None,
                    form(&[("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.tool.state.cookie_missing",
            400,
        ),
        (
            "other cookie value",
            Box::new(|_, l, t| {
                raw(
                    "POST",
                    Some(FORM),
                    Some("lti_state=forged".into()),
                    form(&[("id_token", t), ("state", &l.state)]),
                )
            }),
            "lti.tool.state.mismatch",
            400,
        ),
        (
            "state and cookie forged together",
            Box::new(|_, _, t| {
                raw(
                    "POST",
                    Some(FORM),
                    Some("lti_state=forged".into()),
                    form(&[("id_token", t), ("state", "forged")]),
                )
            }),
            "lti.tool.state.unknown",
            400,
        ),
        (
            "state longer than a store key",
            Box::new(|_, _, t| {
                let long = "s".repeat(4096);
                raw(
                    "POST",
                    Some(FORM),
                    Some(format!("lti_state={long}")),
                    form(&[("id_token", t), ("state", &long)]),
                )
            }),
            "lti.tool.state.unknown",
            400,
        ),
        // The token's structure.
        (
            "two parts",
            Box::new(move |_, l, t| {
                let two = t.rsplit_once('.').unwrap().0.to_owned();
                state_post(&two, l)
            }),
            "lti.jwt.malformed",
            400,
        ),
        (
            "four parts",
            Box::new(move |_, l, t| state_post(&format!("{t}.x"), l)),
            "lti.jwt.malformed",
            400,
        ),
        (
            "not base64",
            Box::new(move |_, l, t| state_post(&with_part(t, 1, "***"), l)),
            // The payload is never decoded before the signature verifies.
            "lti.jwt.signature.invalid",
            400,
        ),
        (
            "header not JSON",
            Box::new(move |_, l, t| state_post(&with_part(t, 0, &b64(b"nope")), l)),
            "lti.jwt.header.malformed",
            400,
        ),
        (
            "header an array",
            Box::new(move |_, l, t| state_post(&with_part(t, 0, &b64(b"[1,2]")), l)),
            "lti.jwt.header.malformed",
            400,
        ),
        (
            "alg none",
            Box::new(move |_, l, t| {
                state_post(&with_part(t, 0, &b64(br#"{"alg":"none","kid":"k"}"#)), l)
            }),
            "lti.jwt.alg.none",
            400,
        ),
        (
            "alg HS256",
            Box::new(move |_, l, t| {
                state_post(&with_part(t, 0, &b64(br#"{"alg":"HS256","kid":"k"}"#)), l)
            }),
            "lti.jwt.alg.symmetric",
            400,
        ),
        (
            "no kid",
            Box::new(move |_, l, t| state_post(&with_part(t, 0, &b64(br#"{"alg":"RS256"}"#)), l)),
            "lti.jwt.kid.missing",
            400,
        ),
        (
            "unknown kid",
            Box::new(move |_, l, t| {
                state_post(
                    &with_part(t, 0, &b64(br#"{"alg":"RS256","kid":"nobody"}"#)),
                    l,
                )
            }),
            "lti.jwt.kid.not_found",
            400,
        ),
        (
            "crit header",
            Box::new(move |p, l, t| {
                let header = json!({"alg": "RS256", "kid": p.key.kid().as_str(), "crit": ["exp"]});
                state_post(&with_part(t, 0, &b64(header.to_string().as_bytes())), l)
            }),
            "lti.jwt.header.crit",
            400,
        ),
        (
            "empty signature",
            Box::new(move |_, l, t| state_post(&with_part(t, 2, ""), l)),
            "lti.jwt.malformed",
            400,
        ),
        (
            "truncated signature",
            Box::new(move |_, l, t| {
                let sig = t.rsplit('.').next().unwrap();
                let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
                bytes.pop();
                state_post(&with_part(t, 2, &b64(&bytes)), l)
            }),
            "lti.jwt.signature.invalid",
            400,
        ),
        (
            "payload swapped",
            Box::new(move |p, l, t| {
                let mut claims = p.claims(l);
                claims["sub"] = json!("admin");
                state_post(&with_part(t, 1, &b64(claims.to_string().as_bytes())), l)
            }),
            "lti.jwt.signature.invalid",
            400,
        ),
        (
            "token over the size limit",
            Box::new(move |p, l, _| {
                let big = signed(p, l, &|c| c["x"] = json!("a".repeat(300_000)));
                state_post(&big, l)
            }),
            "lti.jwt.too_large",
            400,
        ),
        (
            "signed by another key",
            Box::new(move |p, l, _| {
                let other = SigningKey::generate(Algorithm::Rs256).unwrap();
                state_post(&sign_jwt(&other, &p.claims(l)).unwrap(), l)
            }),
            "lti.jwt.kid.not_found",
            400,
        ),
        // Signed, but hostile content.
        (
            "payload an array",
            Box::new(move |p, l, _| state_post(&p.sign(&json!([1, 2, 3])), l)),
            "lti.message.malformed",
            400,
        ),
        (
            "deeply nested claim",
            Box::new(move |p, l, _| {
                let mut deep = json!(1);
                for _ in 0..200 {
                    deep = json!([deep]);
                }
                state_post(
                    &signed(p, l, &|c| c["https://vendor.example/deep"] = deep.clone()),
                    l,
                )
            }),
            "lti.message.malformed",
            400,
        ),
        (
            "claim given twice",
            Box::new(move |p, l, _| {
                let claims = p.claims(l).to_string();
                let twice = claims.replacen('{', r#"{"iss":"https://evil.example","#, 1);
                state_post(
                    &lti_security::jws::sign_bytes(&p.key, Some("JWT"), twice.as_bytes()).unwrap(),
                    l,
                )
            }),
            "lti.message.malformed",
            400,
        ),
        (
            "exp as a string of letters",
            Box::new(move |p, l, _| state_post(&signed(p, l, &|c| c["exp"] = json!("soon")), l)),
            "lti.message.malformed",
            400,
        ),
        (
            "huge exp",
            Box::new(move |p, l, _| state_post(&signed(p, l, &|c| c["exp"] = json!(1e300)), l)),
            "lti.message.malformed",
            400,
        ),
        (
            "nonce of another login",
            Box::new(move |p, l, _| {
                state_post(&signed(p, l, &|c| c["nonce"] = json!("someone-else")), l)
            }),
            "lti.tool.nonce.mismatch",
            400,
        ),
        (
            "aud of another tool",
            Box::new(move |p, l, _| {
                state_post(&signed(p, l, &|c| c["aud"] = json!("other-client")), l)
            }),
            "lti.jwt.aud.mismatch",
            401,
        ),
        (
            "iss of another platform",
            Box::new(move |p, l, _| {
                state_post(
                    &signed(p, l, &|c| c["iss"] = json!("https://evil.example")),
                    l,
                )
            }),
            "lti.jwt.iss.mismatch",
            400,
        ),
    ];

    for (name, mutate, code, status) in cases {
        let login = p.login().await;
        let valid = p.sign(&p.claims(&login));
        let request = mutate(&p, &login, &valid);
        let result = p.tool.launch(request).await;
        let error = match result {
            Ok(_) => panic!("{name}: accepted; expected {code}"),
            Err(e) => e,
        };
        assert_eq!(
            (error.code(), error.status().as_u16()),
            (code, status),
            "{name}: {error}"
        );
        let page = error.into_response();
        let body = String::from_utf8_lossy(page.body());
        assert!(
            !body.contains(&valid),
            "{name}: the error page echoes the token"
        );
        assert!(
            !body.contains("<script>"),
            "{name}: unescaped HTML in the error page"
        );

        // B23: a refused post did not burn the nonce. When the state survived (refused before it was taken),
        // the real token still launches; otherwise a fresh login with the same nonce value is impossible, so
        // check the nonce record directly.
        let nonce_used = p
            .store
            .get(
                lti_storage::Namespace::new("lti.tool.nonce"),
                login.nonce.as_bytes(),
            )
            .await
            .unwrap();
        assert!(
            nonce_used.is_none(),
            "{name}: a refused post burnt the nonce"
        );
    }
}
