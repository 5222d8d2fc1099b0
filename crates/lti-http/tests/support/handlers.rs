//! Handlers and requests shared by the `RouterClient` tests.
// Each test binary uses its own subset.
#![allow(dead_code)]

use bytes::Bytes;
use http::{StatusCode, header};
use lti_http::{Handler, HttpClient, RequestOptions, RouterClient};

pub(crate) const PLATFORM: &str = "https://platform.example";
pub(crate) const TOOL: &str = "https://tool.example";

pub(crate) fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

pub(crate) fn following(mut request: http::Request<Bytes>) -> http::Request<Bytes> {
    RequestOptions::default()
        .with_follow_redirects(true)
        .apply(&mut request);
    request
}

pub(crate) fn text(status: StatusCode, body: &'static str) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from_static(body.as_bytes()));
    *response.status_mut() = status;
    response
}

pub(crate) fn redirect(status: StatusCode, location: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header(header::LOCATION, location)
        .body(Bytes::new())
        .unwrap()
}

/// Answers with its own name and what it was asked.
pub(crate) fn named(name: &'static str) -> impl Handler {
    move |request: http::Request<Bytes>| async move {
        let auth = request
            .headers()
            .get(header::AUTHORIZATION)
            .map_or("-", |v| v.to_str().unwrap_or("?"))
            .to_owned();
        let body = format!(
            "{name} {} {} auth={auth} body={}",
            request.method(),
            request.uri(),
            String::from_utf8_lossy(request.body())
        );
        http::Response::new(Bytes::from(body))
    }
}

pub(crate) async fn body_of(client: &RouterClient, request: http::Request<Bytes>) -> String {
    let response = client.execute(request).await.unwrap();
    String::from_utf8(response.into_body().to_vec()).unwrap()
}
