//! One fetch of a JWK Set: the GET, the checks on the answer (status, size, JSON), and the `lti.jwks.fetch` span.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use lti_http::{HttpClient, HttpError, RequestOptions};
use tracing::Instrument as _;

use super::cache_control;
use super::config::JwksCacheConfig;
use crate::error::clip;
use crate::{Error, KeySet};

/// The media type asked for.
const ACCEPT_JSON: &str = "application/json";

/// A key set as fetched, with the lifetime its response asked for.
#[derive(Debug)]
pub(super) struct Fetched {
    /// The usable keys.
    pub(super) keys: KeySet,
    /// `Cache-Control: max-age` (minus `Age`), zero for `no-cache`/`no-store`, `None` when not said.
    pub(super) max_age: Option<Duration>,
}

/// Where to fetch from.
#[derive(Debug, Clone, Copy)]
pub(super) struct Target<'a> {
    /// The request URI; `None` when the URL cannot be requested over HTTP (not http(s), or not a valid URI).
    pub(super) uri: Option<&'a http::Uri>,
    /// The URL's path, for the span.
    pub(super) path: &'a str,
    /// The URL without query, fragment or user info, for errors and logs.
    pub(super) shown: &'a str,
}

/// GETs the JWK Set at `target` and parses it.
///
/// The answer must have a 2xx status and a body of at most `config.max_body_bytes` bytes that is a JWK Set;
/// anything else is an error, so an error page is never taken for keys.
pub(super) async fn fetch(
    http: &dyn HttpClient,
    target: Target<'_>,
    config: &JwksCacheConfig,
) -> Result<Fetched, Error> {
    let span = tracing::info_span!(
        "lti.jwks.fetch",
        url.path = target.path,
        status = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
        keys = tracing::field::Empty,
        skipped = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = exchange(http, target, config)
        .instrument(span.clone())
        .await;
    span.record(
        "elapsed_ms",
        u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    );
    let _entered = span.enter();
    match &result {
        Ok((status, fetched, skipped)) => {
            span.record("status", status);
            span.record("keys", fetched.keys.len());
            span.record("skipped", skipped);
            tracing::debug!(jwks = target.shown, "fetched JWK Set");
        }
        Err(Error::JwksStatus { status, .. }) => {
            span.record("status", status);
            tracing::debug!(
                jwks = target.shown,
                "JWKS endpoint answered an error status"
            );
        }
        Err(error) => tracing::debug!(jwks = target.shown, %error, "JWKS fetch failed"),
    }
    result.map(|(_, fetched, _)| fetched)
}

async fn exchange(
    http: &dyn HttpClient,
    target: Target<'_>,
    config: &JwksCacheConfig,
) -> Result<(u16, Fetched, usize), Error> {
    let Some(uri) = target.uri else {
        return Err(Error::Http(HttpError::InvalidRequest {
            reason: format!(
                "JWKS URL `{}` cannot be fetched: expected an http(s) URL",
                clip(target.shown)
            ),
        }));
    };
    let mut request = http::Request::get(uri.clone())
        .header(ACCEPT, ACCEPT_JSON)
        .body(Bytes::new())
        .map_err(|e| {
            Error::Http(HttpError::InvalidRequest {
                reason: format!("cannot build a GET for JWKS URL `{}` ({e})", target.shown),
            })
        })?;
    RequestOptions::default()
        .with_timeout(config.timeout)
        .with_max_body_bytes(config.max_body_bytes)
        .apply(&mut request);

    let response = http.execute(request).await?;
    let status = response.status();
    if !status.is_success() {
        return Err(Error::JwksStatus {
            url: target.shown.to_owned(),
            status: status.as_u16(),
        });
    }
    let body = response.body();
    // The client enforces the cap; check again so a client that ignores RequestOptions cannot feed us more.
    if body.len() > config.max_body_bytes {
        return Err(Error::Http(HttpError::BodyTooLarge {
            url: target.shown.to_owned(),
            limit: config.max_body_bytes,
        }));
    }
    // Lenient on Content-Type (some platforms serve their JWKS as text/plain or octet-stream): the body must
    // parse as a JWK Set whatever it says, and a non-JSON type is named in the error to help find the cause.
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|ct| !is_json(ct))
        .map(clip);
    let malformed = |reason: String| Error::JwksMalformed {
        url: target.shown.to_owned(),
        reason: match &content_type {
            Some(ct) => format!("{reason}; Content-Type is `{ct}`, expected `{ACCEPT_JSON}`"),
            None => reason,
        },
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed(
            "expected a JSON object with a `keys` array (found an empty body)".to_owned(),
        ));
    }
    let (keys, skipped) = KeySet::from_json(body, target.shown).map_err(|e| match e {
        Error::JwksMalformed { reason, .. } => malformed(format!(
            "expected a JSON object with a `keys` array ({reason})"
        )),
        other => other,
    })?;
    for key in &skipped {
        tracing::debug!(jwks = target.shown, kid = ?key.kid, reason = %key.reason, "skipped JWK");
    }
    if keys.is_empty() {
        tracing::warn!(
            jwks = target.shown,
            skipped = skipped.len(),
            "JWK Set has no usable signature key: no token from this issuer can be verified"
        );
    }
    let fetched = Fetched {
        keys,
        max_age: cache_control::max_age(response.headers()),
    };
    Ok((status.as_u16(), fetched, skipped.len()))
}

/// Whether a `Content-Type` value names JSON: `application/json`, `application/jwk-set+json` or any other
/// `+json` type, parameters and case ignored.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == ACCEPT_JSON || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A copy of a fetch failure, for the tasks that waited on the fetch (single flight) and for later calls that
/// serve a stale set. The variants a fetch produces are copied field by field; a transport error's cause is kept
/// as its message.
pub(super) fn duplicate(error: &Error, shown: &str) -> Error {
    match error {
        Error::JwksStatus { url, status } => Error::JwksStatus {
            url: url.clone(),
            status: *status,
        },
        Error::JwksMalformed { url, reason } => Error::JwksMalformed {
            url: url.clone(),
            reason: reason.clone(),
        },
        Error::Http(http) => Error::Http(duplicate_http(http, shown)),
        // ok: `fetch` returns only the variants above; anything else is described, not lost
        other => Error::JwksMalformed {
            url: shown.to_owned(),
            reason: other.to_string(),
        },
    }
}

fn duplicate_http(error: &HttpError, shown: &str) -> HttpError {
    match error {
        HttpError::BodyTooLarge { url, limit } => HttpError::BodyTooLarge {
            url: url.clone(),
            limit: *limit,
        },
        HttpError::Timeout { url, after } => HttpError::Timeout {
            url: url.clone(),
            after: *after,
        },
        HttpError::InsecureRedirect { from, to } => HttpError::InsecureRedirect {
            from: from.clone(),
            to: to.clone(),
        },
        HttpError::TooManyRedirects { url, limit } => HttpError::TooManyRedirects {
            url: url.clone(),
            limit: *limit,
        },
        HttpError::NoRoute { origin } => HttpError::NoRoute {
            origin: origin.clone(),
        },
        HttpError::InvalidConfig { reason } => HttpError::InvalidConfig {
            reason: reason.clone(),
        },
        HttpError::InvalidRequest { reason } => HttpError::InvalidRequest {
            reason: reason.clone(),
        },
        HttpError::Transport { url, source } => HttpError::Transport {
            url: url.clone(),
            source: source.to_string().into(),
        },
        HttpError::ClientBuild { source } => HttpError::ClientBuild {
            source: source.to_string().into(),
        },
        other => HttpError::Transport {
            url: shown.to_owned(),
            source: other.to_string().into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_content_types_are_recognised() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/jwk-set+json",
        ] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in [
            "text/html",
            "text/plain",
            "application/jsonp",
            "text/json+html",
            "",
        ] {
            assert!(!is_json(ct), "{ct}");
        }
    }
}
