//! `RouterClient` and redirects: returned as they are by default, followed across origins only when asked, never
//! more than `MAX_REDIRECTS` times and never from https to http.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{StatusCode, header};
use lti_http::{Handler, HttpClient, HttpError, MAX_REDIRECTS, RouterClient};

#[path = "support/handlers.rs"]
mod handlers;

use handlers::{PLATFORM, TOOL, body_of, following, get, named, redirect};

#[tokio::test]
async fn redirects_are_returned_unless_asked_then_followed_across_origins() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, |_request: http::Request<Bytes>| async {
            redirect(StatusCode::SEE_OTHER, "https://tool.example/landing?x=1")
        })
        .unwrap()
        .route(TOOL, named("tool"))
        .unwrap();
    let post = || {
        http::Request::post("https://platform.example/start")
            .header(header::AUTHORIZATION, "Bearer platform-token")
            .body(Bytes::from_static(b"form"))
            .unwrap()
    };

    let response = router.execute(post()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "https://tool.example/landing?x=1"
    );

    // 303 turns the POST into a bodyless GET; the token does not follow to another origin.
    assert_eq!(
        body_of(&router, following(post())).await,
        "tool GET https://tool.example/landing?x=1 auth=- body="
    );
}

#[tokio::test]
async fn same_origin_temporary_redirect_keeps_method_body_and_credentials() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, |request: http::Request<Bytes>| async move {
            if request.uri().path() == "/old" {
                redirect(StatusCode::TEMPORARY_REDIRECT, "/new")
            } else {
                named("platform").handle(request).await
            }
        })
        .unwrap();
    let request = http::Request::post("https://platform.example/old")
        .header(header::AUTHORIZATION, "Bearer t")
        .body(Bytes::from_static(b"payload"))
        .unwrap();
    assert_eq!(
        body_of(&router, following(request)).await,
        "platform POST https://platform.example/new auth=Bearer t body=payload"
    );
}

#[tokio::test]
async fn redirects_stop_after_the_limit() {
    let calls = Arc::new(AtomicUsize::new(0));
    let router = RouterClient::new();
    router
        .route(PLATFORM, {
            let calls = Arc::clone(&calls);
            move |_request: http::Request<Bytes>| {
                let calls = Arc::clone(&calls);
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    redirect(StatusCode::FOUND, "/again")
                }
            }
        })
        .unwrap();
    let err = router
        .execute(following(get("https://platform.example/loop")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, HttpError::TooManyRedirects { url, limit: MAX_REDIRECTS } if url == "https://platform.example/again"),
        "{err:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), MAX_REDIRECTS + 1);
}

#[tokio::test]
async fn redirects_never_leave_https_nor_registered_origins() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, |request: http::Request<Bytes>| async move {
            match request.uri().path() {
                "/down" => redirect(StatusCode::FOUND, "http://tool.example/plain"),
                _ => redirect(StatusCode::FOUND, "https://unknown.example/"),
            }
        })
        .unwrap()
        .route("http://tool.example", named("plain tool"))
        .unwrap();
    let err = router
        .execute(following(get("https://platform.example/down?t=secret")))
        .await
        .unwrap_err();
    match &err {
        HttpError::InsecureRedirect { from, to } => {
            assert_eq!(from, "https://platform.example/down");
            assert_eq!(to, "http://tool.example/plain");
        }
        other => panic!("expected InsecureRedirect, got {other:?}"),
    }
    let err = router
        .execute(following(get("https://platform.example/away")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, HttpError::NoRoute { origin } if origin == "https://unknown.example"),
        "{err:?}"
    );
}
