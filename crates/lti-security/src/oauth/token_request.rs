//! One token request: the form POST [Sec §4.1.1; RFC 6749 §4.4.2; RFC 7523 §2.2], sent through the injected
//! [`HttpClient`], and the `lti.oauth.token` span around it.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use lti_http::{HttpClient, HttpError, RequestOptions};
use tracing::Instrument as _;

use super::token_response::{self, Context};
use super::{
    CLIENT_ASSERTION_TYPE_JWT_BEARER, ClientAssertion, GRANT_TYPE_CLIENT_CREDENTIALS, Scopes,
    TokenEndpoint, TokenError, TokenResponse, TokenSourceConfig,
};

/// The form body: exactly `grant_type`, `client_assertion_type`, `client_assertion` and `scope` (space
/// separated, sorted), `application/x-www-form-urlencoded`. No `client_id`: the assertion names the client
/// (RFC 7521 §4.2).
pub(super) fn form_body(assertion: &ClientAssertion, scopes: &Scopes) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", GRANT_TYPE_CLIENT_CREDENTIALS)
        .append_pair("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT_BEARER)
        .append_pair("client_assertion", assertion.secret())
        .append_pair("scope", &scopes.to_string())
        .finish()
}

/// Posts the token request and reads the answer.
pub(super) async fn request_token(
    http: &dyn HttpClient,
    endpoint: &TokenEndpoint,
    scopes: &Scopes,
    assertion: &ClientAssertion,
    config: &TokenSourceConfig,
) -> Result<TokenResponse, TokenError> {
    let span = tracing::info_span!(
        "lti.oauth.token",
        client_id = endpoint.client_id(),
        deployment_id = endpoint.deployment_id(),
        scope = %scopes,
        url.path = endpoint.token_url().path(),
        status = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = exchange(http, endpoint, scopes, assertion, config)
        .instrument(span.clone())
        .await;
    span.record(
        "elapsed_ms",
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    );
    let _entered = span.enter();
    match &result {
        Ok((status, _)) => {
            span.record("status", status);
            tracing::debug!(
                token_endpoint = endpoint.shown_url(),
                "service token obtained"
            );
        }
        Err(error) => {
            if let Some(status) = error.status() {
                span.record("status", status);
            }
            tracing::debug!(token_endpoint = endpoint.shown_url(), %error, "service token request failed");
        }
    }
    result.map(|(_, response)| response)
}

async fn exchange(
    http: &dyn HttpClient,
    endpoint: &TokenEndpoint,
    scopes: &Scopes,
    assertion: &ClientAssertion,
    config: &TokenSourceConfig,
) -> Result<(u16, TokenResponse), TokenError> {
    let url = endpoint.shown_url();
    let transport = |source: HttpError| TokenError::Http {
        url: url.to_owned(),
        source: Arc::new(source),
    };
    let uri: http::Uri = endpoint.token_url().as_str().parse().map_err(|e| {
        transport(HttpError::InvalidRequest {
            reason: format!("token URL `{url}` is not a valid request URI ({e})"),
        })
    })?;
    let mut request = http::Request::post(uri)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(Bytes::from(form_body(assertion, scopes)))
        .map_err(|e| {
            transport(HttpError::InvalidRequest {
                reason: format!("cannot build the token request to `{url}` ({e})"),
            })
        })?;
    RequestOptions::default()
        .with_timeout(config.timeout)
        .with_max_body_bytes(config.max_body_bytes)
        .apply(&mut request);

    let response = http.execute(request).await.map_err(|e| match e {
        HttpError::BodyTooLarge { limit, .. } => TokenError::ResponseTooLarge {
            url: url.to_owned(),
            limit,
        },
        other => transport(other),
    })?;
    let status = response.status();
    let parsed = token_response::parse(
        status,
        response.headers(),
        response.body(),
        Context {
            url,
            max_body_bytes: config.max_body_bytes,
        },
    )?;
    Ok((status.as_u16(), parsed))
}
