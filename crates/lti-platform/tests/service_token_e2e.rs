//! Issue 4 end to end, in one process over `RouterClient`: the tool's real `TokenSource` (lti-security) gets
//! access tokens from the platform's real token endpoint (`Platform::token`) and calls a service guarded by
//! `Platform::authorize_service`. Checklist G70–G73 (tool side) meet H74–H82 (platform side).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "support/services.rs"]
mod services;

use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use lti_security::oauth::{Scopes, TokenError};
use services::{LINEITEM, LINEITEM_READONLY, SCORE, SERVICE_URL, World, world};

fn score_call() -> http::Request<Bytes> {
    http::Request::post(SERVICE_URL)
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

impl World {
    async fn call(&self, scopes: &Scopes) -> Result<http::Response<Bytes>, TokenError> {
        self.tokens.send(&self.endpoint, scopes, score_call()).await
    }
    fn counts(&self) -> (usize, usize) {
        (
            self.token_requests.load(Ordering::SeqCst),
            self.service_calls.load(Ordering::SeqCst),
        )
    }
}

/// c73 + c81/c82: a token is requested once, reused until it expires, then renewed; a revoked token makes the
/// service answer 401, and the tool retries exactly once with a new token.
#[tokio::test]
async fn c73_token_cached_renewed_on_expiry_and_retried_once_after_401() {
    let w = world().await;
    let score: Scopes = [SCORE].into_iter().collect();

    let first = w.call(&score).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.body(), "ok for tool-1");
    assert_eq!(w.counts(), (1, 1), "one token request, one service call");

    // Cached: the second call makes no token request.
    w.call(&score).await.unwrap();
    assert_eq!(w.counts(), (1, 2));

    // Expiry (platform default 3600 s; the tool stops using it 60 s early) → a new token.
    w.clock.advance(Duration::from_secs(3_600 - 59));
    let renewed = w.call(&score).await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    assert_eq!(w.counts(), (2, 3));

    // The platform revokes the current token: 401, then exactly one retry with a fresh token.
    let current = w.tokens.token(&w.endpoint, &score).await.unwrap();
    assert_eq!(w.counts(), (2, 3), "served from the cache");
    assert!(w.platform.revoke_token(current.secret()).await.unwrap());
    let retried = w.call(&score).await.unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(
        w.counts(),
        (3, 5),
        "one new token, two service calls (401 then 200)"
    );
}

/// c80/c82: a scope the registration does not allow is refused at the token endpoint with `invalid_scope` (the
/// tool sees the platform's RFC 6749 error), and nothing reaches the service.
#[tokio::test]
async fn c80_scope_not_allowed_is_the_platforms_invalid_scope() {
    let w = world().await;
    let readonly: Scopes = [LINEITEM_READONLY].into_iter().collect();
    let error = w.call(&readonly).await.unwrap_err();
    let body = error.oauth_error().expect("the platform's error body");
    assert_eq!(body.error.as_str(), "invalid_scope", "{error}");
    assert_eq!(w.counts(), (1, 0));
}

/// c77 seen from the tool: every token request carries a fresh assertion (new `jti`), so renewals are never
/// refused as replays, including many in a row.
#[tokio::test]
async fn c77_renewals_use_fresh_assertions() {
    let w = world().await;
    let score: Scopes = [SCORE].into_iter().collect();
    for round in 1..=5 {
        w.tokens.clear();
        w.call(&score).await.unwrap();
        assert_eq!(w.counts().0, round);
    }
}

/// c82: a token granted for another scope (line items) is not enough for the score service: 403 with
/// `insufficient_scope`, and a 403 is not retried.
#[tokio::test]
async fn c82_token_without_the_needed_scope_is_403_and_not_retried() {
    let w = world().await;
    let lineitem: Scopes = [LINEITEM].into_iter().collect();
    let response = w.call(&lineitem).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    assert_eq!(w.counts(), (1, 1), "403 is not retried");
}
