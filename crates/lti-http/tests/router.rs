//! `RouterClient`: dispatch by origin, `NoRoute`, the body cap and the timeout (redirects: `router_redirect.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, StatusCode, header};
use lti_http::{Handler, HttpClient, HttpError, RequestOptions, RouterClient};

#[path = "support/handlers.rs"]
mod handlers;

use handlers::{PLATFORM, TOOL, body_of, get, named, text};

#[tokio::test]
async fn requests_go_to_the_handler_of_their_origin() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, named("platform"))
        .unwrap()
        .route(TOOL, named("tool"))
        .unwrap()
        .route("http://127.0.0.1:8080", named("local-8080"))
        .unwrap();
    assert_eq!(
        body_of(&router, get("https://platform.example/jwks?x=1")).await,
        "platform GET https://platform.example/jwks?x=1 auth=- body="
    );
    assert_eq!(
        body_of(&router, get("https://tool.example:443/launch")).await,
        "tool GET https://tool.example:443/launch auth=- body="
    );
    assert!(
        body_of(&router, get("http://127.0.0.1:8080/"))
            .await
            .starts_with("local-8080 ")
    );
    assert_eq!(
        router.origins(),
        ["http://127.0.0.1:8080", PLATFORM, TOOL].map(String::from)
    );
}

#[tokio::test]
async fn unknown_origins_have_no_route() {
    let router = RouterClient::new();
    router.route(PLATFORM, named("platform")).unwrap();
    for (url, origin) in [
        ("https://elsewhere.example/", "https://elsewhere.example"),
        ("http://platform.example/", "http://platform.example"),
        (
            "https://platform.example:8443/",
            "https://platform.example:8443",
        ),
    ] {
        let err = router.execute(get(url)).await.unwrap_err();
        assert!(
            matches!(&err, HttpError::NoRoute { origin: o } if o == origin),
            "{url}: {err:?}"
        );
    }
    assert!(router.unroute(PLATFORM).unwrap());
    assert!(!router.unroute(PLATFORM).unwrap());
    let err = router
        .execute(get("https://platform.example/"))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::NoRoute { .. }), "{err:?}");
}

#[tokio::test]
async fn routes_added_after_handing_out_a_clone_are_seen() {
    let router = RouterClient::new();
    let handed_out: Arc<dyn HttpClient> = Arc::new(router.clone());
    assert!(matches!(
        handed_out.execute(get("https://tool.example/")).await,
        Err(HttpError::NoRoute { .. })
    ));
    router.route(TOOL, named("tool")).unwrap();
    let response = handed_out
        .execute(get("https://tool.example/"))
        .await
        .unwrap();
    assert!(response.body().starts_with(b"tool "));
}

struct Counter(AtomicUsize);

#[async_trait::async_trait]
impl Handler for Counter {
    async fn handle(&self, _request: http::Request<Bytes>) -> http::Response<Bytes> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        http::Response::new(Bytes::from(n.to_string()))
    }
}

#[tokio::test]
async fn shared_handler_objects_can_be_mounted() {
    let counter = Arc::new(Counter(AtomicUsize::new(0)));
    let shared: Arc<dyn Handler> = counter.clone();
    let router = RouterClient::new();
    router.route(PLATFORM, shared).unwrap();
    assert_eq!(
        body_of(&router, get("https://platform.example/a")).await,
        "1"
    );
    assert_eq!(
        body_of(&router, get("https://platform.example/b")).await,
        "2"
    );
    assert_eq!(counter.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn handlers_see_the_request_as_sent_with_its_options() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, |request: http::Request<Bytes>| async move {
            let options = RequestOptions::of(&request);
            let ok = request.method() == Method::POST
                && request.headers()[header::CONTENT_TYPE] == "application/json"
                && request.body() == r#"{"score":1}"#
                && options.max_body_bytes == Some(64);
            text(
                if ok {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                },
                "",
            )
        })
        .unwrap();
    let mut request = http::Request::post("https://platform.example/scores")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(br#"{"score":1}"#))
        .unwrap();
    RequestOptions::default()
        .with_max_body_bytes(64)
        .apply(&mut request);
    assert_eq!(
        router.execute(request).await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn non_2xx_is_returned_as_a_response() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, |_request: http::Request<Bytes>| async {
            text(StatusCode::UNAUTHORIZED, "who are you")
        })
        .unwrap();
    let response = router
        .execute(get("https://platform.example/"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.body(), "who are you");
}

#[tokio::test]
async fn the_body_cap_is_enforced() {
    let router = RouterClient::new().with_max_body_bytes(1000);
    router
        .route(PLATFORM, |request: http::Request<Bytes>| async move {
            match request.uri().path() {
                "/exact" => http::Response::new(Bytes::from(vec![b'a'; 1000])),
                "/lying" => http::Response::builder()
                    .header(header::CONTENT_LENGTH, "5000")
                    .body(Bytes::from_static(b"short"))
                    .unwrap(),
                _ => http::Response::new(Bytes::from(vec![b'a'; 1001])),
            }
        })
        .unwrap();
    let exact = router
        .execute(get("https://platform.example/exact"))
        .await
        .unwrap();
    assert_eq!(exact.body().len(), 1000);
    let err = router
        .execute(get("https://platform.example/big?token=secret"))
        .await
        .unwrap_err();
    match &err {
        HttpError::BodyTooLarge { url, limit } => {
            assert_eq!(url, "https://platform.example/big");
            assert_eq!(*limit, 1000);
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    assert!(!err.to_string().contains("secret"));
    let err = router
        .execute(get("https://platform.example/lying"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, HttpError::BodyTooLarge { limit: 1000, .. }),
        "{err:?}"
    );
    // A request may raise its own cap.
    let mut request = get("https://platform.example/big");
    RequestOptions::default()
        .with_max_body_bytes(1001)
        .apply(&mut request);
    assert_eq!(router.execute(request).await.unwrap().body().len(), 1001);
}

#[tokio::test]
async fn a_slow_handler_times_out_within_the_bound() {
    let router = RouterClient::new();
    router
        .route(PLATFORM, |_request: http::Request<Bytes>| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            text(StatusCode::OK, "late")
        })
        .unwrap();
    let mut request = get("https://platform.example/slow?token=secret");
    RequestOptions::default()
        .with_timeout(Duration::from_millis(100))
        .apply(&mut request);
    let started = Instant::now();
    let err = router.execute(request).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match &err {
        HttpError::Timeout { url, after } => {
            assert_eq!(url, "https://platform.example/slow");
            assert_eq!(*after, Duration::from_millis(100));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_origins_and_request_urls_are_refused() {
    let router = RouterClient::new();
    let err = router
        .route("https://platform.example/jwks", named("x"))
        .err()
        .unwrap();
    assert!(matches!(err, HttpError::InvalidConfig { .. }), "{err:?}");
    let err = router.execute(get("/relative")).await.unwrap_err();
    assert!(matches!(err, HttpError::InvalidRequest { .. }), "{err:?}");
}

#[test]
fn debug_lists_origins_only() {
    let router = RouterClient::new();
    router.route(TOOL, named("tool")).unwrap();
    let shown = format!("{router:?}");
    assert!(shown.contains("https://tool.example"), "{shown}");
}
