//! What a platform-side LTI Advantage service handler (AGS, NRPS) needs before it touches any data: who is
//! calling, with which scopes, and whether that caller may reach the context named in the URL
//! [Core §6; Sec §4.1; RFC 6750].
//!
//! - [`ServiceAuthorizer`]: turns the request's `Authorization: Bearer …` into a [`ServiceCaller`] (client id,
//!   deployment, granted scopes) and checks the scope a route needs. The platform's token endpoint implements
//!   it over the tokens it issued; failures are typed ([`ServiceAccessError`]) and render as
//!   `401` + `WWW-Authenticate: Bearer …` or `403` + `insufficient_scope` [RFC 6750 §3.1].
//! - [`ContextAdoption`]: is this tool deployed (adopted) in this context? [`StoreContextAdoption`] keeps the
//!   answer in any [`Store`](lti_storage::Store).
//! - [`ScopedUrlKey`]: service URLs placed in launches carry a signature over (purpose, context id, client id),
//!   so a tool can only use the URLs issued to it, and a changed context id is detected. The encoding is
//!   lower-case base32, which survives clients that lower-case URLs.
//! - [`ServiceGate`]: the three together, in order; it returns a [`ServiceAccess`], which only the gate builds,
//!   so a handler that holds one has passed every check.

mod adoption;
mod scoped_url;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use lti_security::oauth::Scopes;

pub use adoption::{ContextAdoption, StoreContextAdoption};
pub use scoped_url::{MIN_SCOPED_URL_SECRET_BYTES, ScopedUrlKey, base32_decode, base32_encode};

use crate::error::clip;
use crate::{ClientId, ContextId, DeploymentId};

/// The longest bearer token accepted, in bytes.
pub const MAX_BEARER_TOKEN_BYTES: usize = 4096;

/// Who is calling a service: what the platform's token endpoint granted to the bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceCaller {
    /// The tool's client id (the client assertion's `iss`/`sub`).
    pub client_id: ClientId,
    /// The deployment named in the client assertion, when it named one [Core §6.2.1].
    pub deployment_id: Option<DeploymentId>,
    /// The scopes granted to the token.
    pub scopes: Scopes,
}

impl ServiceCaller {
    /// A caller.
    pub fn new(client_id: ClientId, deployment_id: Option<DeploymentId>, scopes: Scopes) -> Self {
        Self {
            client_id,
            deployment_id,
            scopes,
        }
    }

    /// Whether the caller holds at least one of `accepted`.
    pub fn holds_any(&self, accepted: &[&str]) -> bool {
        accepted.iter().any(|scope| self.scopes.contains(scope))
    }
}

/// A bearer token read from a request. `Debug` does not show it; [`secret`](Self::secret) does.
#[derive(Clone, Copy)]
pub struct BearerToken<'a>(&'a str);

impl<'a> BearerToken<'a> {
    /// Wraps `token` (for implementations and tests; handlers use [`bearer_token`]).
    pub fn new(token: &'a str) -> Self {
        Self(token)
    }

    /// The token itself. Never log it.
    pub fn secret(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for BearerToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

/// Reads the bearer token of `headers` [RFC 6750 §2.1]: exactly one `Authorization` header, scheme `Bearer`
/// (any case), then a `token68`.
///
/// # Errors
/// [`ServiceAccessError::MissingToken`] without an `Authorization` header or with another scheme;
/// [`ServiceAccessError::MalformedAuthorization`] for several headers, non-ASCII, an empty, over-long
/// ([`MAX_BEARER_TOKEN_BYTES`]) or badly formed token.
pub fn bearer_token(headers: &HeaderMap) -> Result<BearerToken<'_>, ServiceAccessError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(ServiceAccessError::MissingToken);
    };
    if values.next().is_some() {
        return Err(ServiceAccessError::MalformedAuthorization {
            reason: "several `Authorization` headers",
        });
    }
    let value = value
        .to_str()
        .map_err(|_| ServiceAccessError::MalformedAuthorization {
            reason: "`Authorization` header is not visible ASCII",
        })?;
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(ServiceAccessError::MissingToken);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ServiceAccessError::MissingToken);
    }
    let token = token.trim_matches(' ');
    if token.is_empty() {
        return Err(ServiceAccessError::MalformedAuthorization {
            reason: "empty bearer token",
        });
    }
    if token.len() > MAX_BEARER_TOKEN_BYTES {
        return Err(ServiceAccessError::MalformedAuthorization {
            reason: "bearer token longer than 4096 bytes",
        });
    }
    let body = token.trim_end_matches('=');
    let token68 = !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    if !token68 {
        return Err(ServiceAccessError::MalformedAuthorization {
            reason: "bearer token is not a token68",
        });
    }
    Ok(BearerToken(token))
}

/// Resolves bearer tokens to callers: implemented by the platform's token endpoint over the tokens it issued.
///
/// Implement [`caller`](Self::caller); the provided [`authorize`](Self::authorize) reads the token from the
/// request and checks the scope, so every service enforces scopes the same way.
#[async_trait]
pub trait ServiceAuthorizer: Send + Sync + fmt::Debug {
    /// The caller `token` was issued to.
    ///
    /// # Errors
    /// [`ServiceAccessError::InvalidToken`] when the token is unknown, expired or revoked;
    /// [`ServiceAccessError::Storage`] when the lookup fails.
    async fn caller(&self, token: &BearerToken<'_>) -> Result<ServiceCaller, ServiceAccessError>;

    /// Authenticates the request and checks that the caller holds at least one of `accepted` (a route that a
    /// read-only and a read-write scope both open passes both).
    ///
    /// # Errors
    /// The errors of [`bearer_token`] and [`caller`](Self::caller);
    /// [`ServiceAccessError::InsufficientScope`] when the token holds none of `accepted` (or `accepted` is
    /// empty).
    async fn authorize(
        &self,
        parts: &http::request::Parts,
        accepted: &[&str],
    ) -> Result<ServiceCaller, ServiceAccessError> {
        let token = bearer_token(&parts.headers)?;
        let caller = self.caller(&token).await?;
        if caller.holds_any(accepted) {
            Ok(caller)
        } else {
            Err(ServiceAccessError::InsufficientScope {
                required: accepted.join(" "),
            })
        }
    }
}

/// Proof that a request passed the [`ServiceGate`]: the caller, and the context its URL is scoped to (verified
/// against the caller's client id, with the tool adopted in it). Only the gate builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccess {
    caller: ServiceCaller,
    context_id: ContextId,
}

impl ServiceAccess {
    /// The caller.
    pub fn caller(&self) -> &ServiceCaller {
        &self.caller
    }

    /// The context the request may reach.
    pub fn context_id(&self) -> &ContextId {
        &self.context_id
    }

    /// The caller's client id.
    pub fn client_id(&self) -> &ClientId {
        &self.caller.client_id
    }
}

/// The checks every platform-side service request goes through, in order: bearer token and scope
/// ([`ServiceAuthorizer`]), the scoped URL segment ([`ScopedUrlKey`]), then adoption of the tool in the context
/// ([`ContextAdoption`]).
#[derive(Debug, Clone)]
pub struct ServiceGate {
    authorizer: Arc<dyn ServiceAuthorizer>,
    adoption: Arc<dyn ContextAdoption>,
    urls: ScopedUrlKey,
}

impl ServiceGate {
    /// A gate.
    pub fn new(
        authorizer: Arc<dyn ServiceAuthorizer>,
        adoption: Arc<dyn ContextAdoption>,
        urls: ScopedUrlKey,
    ) -> Self {
        Self {
            authorizer,
            adoption,
            urls,
        }
    }

    /// The key that signs and opens scoped URL segments.
    pub fn urls(&self) -> &ScopedUrlKey {
        &self.urls
    }

    /// Admits the request to `purpose` (`"ags"`, `"nrps"`) through the scoped URL segment `segment`, if the
    /// caller holds one of `accepted`.
    ///
    /// # Errors
    /// 401/403 [`ServiceAccessError`]s: the token ([`ServiceAuthorizer::authorize`]), a segment that was not
    /// issued to this caller for `purpose` ([`ServiceAccessError::ScopedUrlInvalid`]), a tool not adopted in the
    /// context ([`ServiceAccessError::NotAdopted`]); [`ServiceAccessError::Storage`].
    pub async fn admit(
        &self,
        parts: &http::request::Parts,
        purpose: &str,
        segment: &str,
        accepted: &[&str],
    ) -> Result<ServiceAccess, ServiceAccessError> {
        let caller = self.authorizer.authorize(parts, accepted).await?;
        let context_id = self.urls.open(purpose, segment, &caller.client_id)?;
        if !self.adoption.is_adopted(&caller, &context_id).await? {
            return Err(ServiceAccessError::NotAdopted {
                client_id: clip(caller.client_id.as_str()),
                context_id: clip(context_id.as_str()),
            });
        }
        Ok(ServiceAccess { caller, context_id })
    }
}

/// Why a service request was not admitted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceAccessError {
    /// No bearer token (no `Authorization` header, or another scheme) [RFC 6750 §3.1]: 401.
    #[error("no bearer token: expected `Authorization: Bearer <token>`")]
    MissingToken,
    /// The `Authorization` header is malformed [RFC 6750 §3.1 `invalid_request`]: 400.
    #[error("malformed `Authorization` header: {reason}")]
    MalformedAuthorization {
        /// What is wrong.
        reason: &'static str,
    },
    /// The token is unknown, expired or revoked [RFC 6750 §3.1 `invalid_token`]: 401.
    #[error("invalid bearer token: {reason}")]
    InvalidToken {
        /// Why (never the token itself).
        reason: &'static str,
    },
    /// The token lacks the scope the route needs [RFC 6750 §3.1 `insufficient_scope`]: 403.
    #[error("the token's scopes do not allow this request: expected one of `{required}`")]
    InsufficientScope {
        /// The accepted scopes, space separated.
        required: String,
    },
    /// The scoped URL segment was not issued to this caller for this service, or was changed: 403.
    #[error("service URL is not valid for this tool: {reason}")]
    ScopedUrlInvalid {
        /// What is wrong (never the expected signature).
        reason: &'static str,
    },
    /// The tool is not deployed in the context of the URL: 403.
    #[error("tool `{client_id}` is not deployed in context `{context_id}`")]
    NotAdopted {
        /// The caller's client id (clipped).
        client_id: String,
        /// The context (clipped).
        context_id: String,
    },
    /// The scoped-URL secret is too short (our configuration).
    #[error("scoped URL secret is {len} bytes: expected at least {min}")]
    WeakSecret {
        /// The length given.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// Storage failed: 500.
    #[error("service access storage failed")]
    Storage(#[from] lti_storage::Error),
}

impl ServiceAccessError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingToken | Self::InvalidToken { .. } => StatusCode::UNAUTHORIZED,
            Self::MalformedAuthorization { .. } => StatusCode::BAD_REQUEST,
            Self::InsufficientScope { .. }
            | Self::ScopedUrlInvalid { .. }
            | Self::NotAdopted { .. } => StatusCode::FORBIDDEN,
            Self::WeakSecret { .. } | Self::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error code for the JSON body (and the `WWW-Authenticate` `error` attribute where RFC 6750 has one).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken | Self::InvalidToken { .. } => "invalid_token",
            Self::MalformedAuthorization { .. } => "invalid_request",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::ScopedUrlInvalid { .. } | Self::NotAdopted { .. } => "forbidden",
            Self::WeakSecret { .. } | Self::Storage(_) => "server_error",
        }
    }

    /// The `WWW-Authenticate` challenge [RFC 6750 §3]: bare `Bearer` without a token, `Bearer error="…"` for a
    /// bad token, a malformed header or a missing scope (with `scope="…"`); `None` for the other errors.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        let challenge = match self {
            Self::MissingToken => "Bearer".to_owned(),
            Self::InvalidToken { reason } => {
                format!("Bearer error=\"invalid_token\", error_description=\"{reason}\"")
            }
            Self::MalformedAuthorization { .. } => "Bearer error=\"invalid_request\"".to_owned(),
            Self::InsufficientScope { required } => format!(
                "Bearer error=\"insufficient_scope\", scope=\"{}\"",
                required.replace(['"', '\\'], "")
            ),
            _ => return None,
        };
        HeaderValue::from_str(&challenge).ok()
    }

    /// The whole answer: status, `WWW-Authenticate` when it applies, `Cache-Control: no-store`, and a JSON body
    /// `{"error": code, "error_description": message}`. Internal failures get a generic description (log the
    /// error itself).
    pub fn response(&self) -> http::Response<Bytes> {
        let description = if self.status().is_server_error() {
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let body = serde_json::json!({ "error": self.code(), "error_description": description });
        let mut response = http::Response::new(Bytes::from(body.to_string()));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.www_authenticate() {
            headers.insert(WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn bearer_tokens_are_read_strictly() {
        assert_eq!(
            bearer_token(&headers(&["Bearer abc.DEF-_~+/=="]))
                .unwrap()
                .secret(),
            "abc.DEF-_~+/=="
        );
        assert_eq!(
            bearer_token(&headers(&["bearer  xyz"])).unwrap().secret(),
            "xyz"
        );
        assert!(matches!(
            bearer_token(&headers(&[])),
            Err(ServiceAccessError::MissingToken)
        ));
        assert!(matches!(
            bearer_token(&headers(&["Basic dXNlcjpwdw=="])),
            Err(ServiceAccessError::MissingToken)
        ));
        for bad in ["Bearer ", "Bearer a b", "Bearer a\"b", "Bearer ==="] {
            assert!(
                matches!(
                    bearer_token(&headers(&[bad])),
                    Err(ServiceAccessError::MalformedAuthorization { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            bearer_token(&headers(&["Bearer a", "Bearer b"])),
            Err(ServiceAccessError::MalformedAuthorization { .. })
        ));
        let long = format!("Bearer {}", "a".repeat(MAX_BEARER_TOKEN_BYTES + 1));
        assert!(matches!(
            bearer_token(&headers(&[&long])),
            Err(ServiceAccessError::MalformedAuthorization { .. })
        ));
        assert_eq!(
            format!("{:?}", BearerToken::new("secret")),
            "BearerToken([redacted])"
        );
    }

    #[test]
    fn c82_errors_render_401_with_a_challenge_and_403_insufficient_scope() {
        let r = ServiceAccessError::MissingToken.response();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer");
        let r = ServiceAccessError::InvalidToken { reason: "expired" }.response();
        assert_eq!(r.status(), 401);
        assert!(
            r.headers()[WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer error=\"invalid_token\"")
        );
        let r = ServiceAccessError::InsufficientScope {
            required: "https://purl.imsglobal.org/spec/lti-ags/scope/score".into(),
        }
        .response();
        assert_eq!(r.status(), 403);
        assert_eq!(
            r.headers()[WWW_AUTHENTICATE],
            "Bearer error=\"insufficient_scope\", scope=\"https://purl.imsglobal.org/spec/lti-ags/scope/score\""
        );
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
        let body: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(body["error"], "insufficient_scope");
        let r = ServiceAccessError::NotAdopted {
            client_id: "c".into(),
            context_id: "x".into(),
        }
        .response();
        assert_eq!(r.status(), 403);
        assert!(r.headers().get(WWW_AUTHENTICATE).is_none());
    }
}
