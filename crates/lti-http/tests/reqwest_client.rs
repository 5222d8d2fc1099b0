//! `ReqwestClient` against a hand-written HTTP/1.1 server on 127.0.0.1: body cap, timeout, redirects, non-2xx,
//! and URLs without their query in errors.
#![cfg(feature = "reqwest")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/loopback.rs"]
mod loopback;

use std::error::Error as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::StatusCode;
use loopback::{Server, Step, chunk, head, last_chunk, response};
use lti_http::{HttpClient, HttpError, MAX_REDIRECTS, RequestOptions, ReqwestClient};

const CAP: usize = 1000;

fn client() -> ReqwestClient {
    ReqwestClient::builder()
        .timeout(Duration::from_secs(5))
        .max_body_bytes(CAP)
        .build()
        .unwrap()
}

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

fn following(url: &str) -> http::Request<Bytes> {
    let mut request = get(url);
    RequestOptions::default()
        .with_follow_redirects(true)
        .apply(&mut request);
    request
}

fn write(bytes: Vec<u8>) -> Step {
    Step::Write(bytes)
}

/// Long enough that a test passing only because it waited would be obvious, short enough to stay bounded.
fn stall() -> Step {
    Step::Sleep(Duration::from_secs(8))
}

#[tokio::test]
async fn body_announced_over_the_cap_is_refused_before_it_is_read() {
    // Headers promise 2000 bytes, then the server stalls: only an up-front check can fail fast.
    let server = Server::start(|_| {
        vec![
            write(head(200, &[("content-length", "2000")])),
            write(vec![b'a'; 10]),
            stall(),
        ]
    })
    .await;
    let started = Instant::now();
    let err = client()
        .execute(get(&server.url("/big?token=secret")))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    match err {
        HttpError::BodyTooLarge { url, limit } => {
            assert_eq!(url, server.url("/big"));
            assert_eq!(limit, CAP);
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn chunked_body_over_the_cap_is_refused_as_soon_as_it_passes() {
    // 5 x 300 bytes, then a stall that never finishes the body: the cut must come while reading.
    let server = Server::start(|_| {
        let mut steps = vec![write(head(200, &[("transfer-encoding", "chunked")]))];
        for _ in 0..5 {
            steps.push(write(chunk(&[b'b'; 300])));
            steps.push(Step::Sleep(Duration::from_millis(20)));
        }
        steps.push(stall());
        steps
    })
    .await;
    let started = Instant::now();
    let err = client()
        .execute(get(&server.url("/chunked")))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err, HttpError::BodyTooLarge { limit: CAP, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn close_delimited_body_over_the_cap_is_refused() {
    // No Content-Length, no chunking: the body ends when the connection closes.
    let server = Server::start(|_| vec![write(head(200, &[])), write(vec![b'c'; CAP + 1])]).await;
    let err = client()
        .execute(get(&server.url("/raw")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, HttpError::BodyTooLarge { limit: CAP, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn body_exactly_at_the_cap_is_accepted_whatever_the_framing() {
    let server = Server::start(|seen| match seen.target.as_str() {
        "/length" => vec![write(response(200, &[], &[b'd'; CAP]))],
        "/chunked" => vec![
            write(head(200, &[("transfer-encoding", "chunked")])),
            write(chunk(&[b'd'; CAP / 2])),
            write(chunk(&[b'd'; CAP / 2])),
            write(last_chunk()),
        ],
        _ => vec![write(head(200, &[])), write(vec![b'd'; CAP])],
    })
    .await;
    for path in ["/length", "/chunked", "/close"] {
        let response = client().execute(get(&server.url(path))).await.unwrap();
        assert_eq!(response.body().len(), CAP, "{path}");
    }
}

#[tokio::test]
async fn request_options_raise_or_lower_the_cap() {
    let server = Server::start(|_| vec![write(response(200, &[], &[b'e'; 2 * CAP]))]).await;
    let mut request = get(&server.url("/"));
    RequestOptions::default()
        .with_max_body_bytes(2 * CAP)
        .apply(&mut request);
    assert_eq!(
        client().execute(request).await.unwrap().body().len(),
        2 * CAP
    );

    let mut request = get(&server.url("/"));
    RequestOptions::default()
        .with_max_body_bytes(10)
        .apply(&mut request);
    let err = client().execute(request).await.unwrap_err();
    assert!(
        matches!(err, HttpError::BodyTooLarge { limit: 10, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn slow_server_times_out_within_the_bound() {
    let server = Server::start(|_| vec![stall(), write(response(200, &[], b"late"))]).await;
    let mut request = get(&server.url("/slow?access_token=secret"));
    let timeout = Duration::from_millis(300);
    RequestOptions::default()
        .with_timeout(timeout)
        .apply(&mut request);
    let started = Instant::now();
    let err = client().execute(request).await.unwrap_err();
    let took = started.elapsed();
    assert!(took >= timeout && took < Duration::from_secs(2), "{took:?}");
    match &err {
        HttpError::Timeout { url, after } => {
            assert_eq!(url, &server.url("/slow"));
            assert_eq!(*after, timeout);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    // No query string in the message, the debug form, or any source.
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("/slow"), "{shown}");
    assert!(
        !shown.contains("secret") && !shown.contains("access_token"),
        "{shown}"
    );
}

#[tokio::test]
async fn timeout_covers_a_body_that_trickles() {
    // Headers at once, then the body far slower than the timeout: the whole exchange is bounded.
    let server = Server::start(|_| {
        vec![
            write(head(200, &[("content-length", "100")])),
            write(vec![b'f'; 10]),
            stall(),
        ]
    })
    .await;
    let client = ReqwestClient::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .execute(get(&server.url("/trickle")))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(err, HttpError::Timeout { after, .. } if after == Duration::from_millis(300)),
        "{err:?}"
    );
}

#[tokio::test]
async fn non_2xx_is_returned_as_a_response() {
    let server = Server::start(|seen| match seen.target.as_str() {
        "/missing" => vec![write(response(404, &[], b"nope"))],
        _ => vec![write(response(500, &[("x-why", "broken")], b"oops"))],
    })
    .await;
    let response = client()
        .execute(get(&server.url("/missing")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.body(), "nope");
    let response = client().execute(get(&server.url("/boom"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["x-why"], "broken");
    assert_eq!(response.body(), "oops");
}

#[tokio::test]
async fn method_headers_and_body_reach_the_server() {
    let server = Server::start(|_| vec![write(response(201, &[], b"made"))]).await;
    let request = http::Request::post(server.url("/items?x=1"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"a":1}"#))
        .unwrap();
    let response = client().execute(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/items?x=1");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].body, br#"{"a":1}"#);
    assert!(seen[0].header("user-agent").unwrap().starts_with("lti-rs/"));
}

/// `/hops/N` redirects to `/hops/N-1`; `/hops/0` answers 200.
fn countdown(seen: &loopback::Seen) -> Vec<Step> {
    let path = seen.target.split('?').next().unwrap();
    let n: usize = path.strip_prefix("/hops/").unwrap().parse().unwrap();
    if n == 0 {
        vec![write(response(200, &[], b"arrived"))]
    } else {
        let location = format!("/hops/{}", n - 1);
        vec![write(response(302, &[("location", &location)], b""))]
    }
}

#[tokio::test]
async fn redirect_is_not_followed_by_default() {
    let server = Server::start(countdown).await;
    let response = client().execute(get(&server.url("/hops/1"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/hops/0");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn redirects_are_followed_when_asked_up_to_the_limit() {
    let server = Server::start(countdown).await;
    let url = server.url(&format!("/hops/{MAX_REDIRECTS}"));
    let response = client().execute(following(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "arrived");
    let seen = server.seen();
    assert_eq!(seen.len(), MAX_REDIRECTS + 1);
    // The query-bearing URL of the previous hop never leaks through Referer.
    assert!(seen.iter().all(|s| s.header("referer").is_none()));
}

#[tokio::test]
async fn one_redirect_over_the_limit_fails() {
    let server = Server::start(countdown).await;
    let url = server.url(&format!("/hops/{}?t=secret", MAX_REDIRECTS + 1));
    let err = client().execute(following(&url)).await.unwrap_err();
    match &err {
        HttpError::TooManyRedirects { url, limit } => {
            assert_eq!(*limit, MAX_REDIRECTS);
            assert_eq!(url, &server.url("/hops/1"));
        }
        other => panic!("expected TooManyRedirects, got {other:?}"),
    }
    assert_eq!(server.seen().len(), MAX_REDIRECTS + 1);
}

#[tokio::test]
async fn transport_errors_name_the_url_without_its_query() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/jwks?client_assertion=secret");
    let err = client().execute(get(&url)).await.unwrap_err();
    assert!(
        matches!(&err, HttpError::Transport { url, .. } if *url == format!("http://127.0.0.1:{port}/jwks")),
        "{err:?}"
    );
    let mut shown = format!("{err} | {err:?}");
    let mut source = err.source();
    while let Some(cause) = source {
        shown.push_str(&format!(" | {cause}"));
        source = cause.source();
    }
    assert!(!shown.contains("secret"), "{shown}");
    assert!(!shown.contains("client_assertion"), "{shown}");
}

#[tokio::test]
async fn relative_or_non_http_urls_are_invalid_requests() {
    for url in ["/jwks", "ftp://lms.example/jwks"] {
        let err = client().execute(get(url)).await.unwrap_err();
        assert!(
            matches!(err, HttpError::InvalidRequest { .. }),
            "{url}: {err:?}"
        );
    }
}
