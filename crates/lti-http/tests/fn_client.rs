//! `FnClient`: a closure stands in for the network, asserts the request, answers with a canned response.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, StatusCode, header};
use lti_http::{FnClient, HttpClient, HttpError};

/// What a component under test would do: POST a form and hand back the status.
async fn post_form(client: &dyn HttpClient, body: &'static str) -> Result<StatusCode, HttpError> {
    let request = http::Request::post("https://platform.example/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap();
    Ok(client.execute(request).await?.status())
}

#[tokio::test]
async fn the_closure_sees_the_request_and_its_answer_is_returned() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let client = FnClient::new({
        let seen = Arc::clone(&seen);
        move |request: http::Request<Bytes>| {
            seen.lock().unwrap().push((
                request.method().clone(),
                request.uri().to_string(),
                request.body().clone(),
            ));
            async {
                let mut response =
                    http::Response::new(Bytes::from_static(br#"{"error":"invalid_client"}"#));
                *response.status_mut() = StatusCode::UNAUTHORIZED;
                Ok(response)
            }
        }
    });
    let client: Arc<dyn HttpClient> = Arc::new(client);
    let status = post_form(client.as_ref(), "grant_type=client_credentials")
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, Method::POST);
    assert_eq!(seen[0].1, "https://platform.example/token");
    assert_eq!(seen[0].2, "grant_type=client_credentials");
}

#[tokio::test]
async fn a_canned_error_reaches_the_caller() {
    let client = FnClient::new(|request: http::Request<Bytes>| async move {
        Err(HttpError::Timeout {
            url: lti_http::redacted_url(request.uri()),
            after: std::time::Duration::from_secs(1),
        })
    });
    let err = post_form(&client, "x=1").await.unwrap_err();
    assert!(
        matches!(&err, HttpError::Timeout { url, .. } if url == "https://platform.example/token"),
        "{err:?}"
    );
}
