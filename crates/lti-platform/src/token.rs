//! The OAuth 2.0 token endpoint (client credentials with a JWT client assertion) and the resource-server check
//! of the access tokens it issues [Sec §4.1; RFC 6749 §4.4, §5; RFC 7523; RFC 6750] (checklist H74-H83).
//!
//! Access tokens are opaque random values (256 bits). The store keeps only their SHA-256, so a copy of the store
//! holds no usable token; each record binds the token to the client, the granted scopes and the deployment the
//! assertion named, never to a context, and lives until the token expires.

mod error;
mod form;
mod service;

use std::sync::Arc;

use aws_lc_rs::digest;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use lti_core::registration::ToolKeys;
use lti_core::{ClientId, DeploymentId, ToolRegistration};
use lti_security::oauth::{
    CLIENT_ASSERTION_TYPE_JWT_BEARER, ClientAssertionVerifier, GRANT_TYPE_CLIENT_CREDENTIALS,
    Scopes, TokenResponse, VerifiedClientAssertion,
};
use lti_security::{KeyResolver, KeySet};
use lti_storage::{Clock, Namespace, Store};
use serde::Serialize;
use tracing::Instrument as _;

pub use error::TokenError;
pub use form::MAX_TOKEN_REQUEST_PARAMS;
pub use service::{ServiceAuthError, ServiceGrant};

use crate::{Platform, PlatformConfig};
use service::TokenRecord;

/// The largest token request body accepted: 16 KiB (a request with an RS256 assertion is about 1 KiB).
pub const MAX_TOKEN_REQUEST_BYTES: usize = 16 * 1024;

/// The longest a parameter value is quoted in an error.
const CLIP: usize = 100;

impl Platform {
    /// The store namespace of issued access tokens, keyed by the SHA-256 of the token.
    pub const ACCESS_TOKEN_NAMESPACE: Namespace = Namespace::new("lti.platform.access_token");

    /// The OAuth 2.0 token endpoint [Sec §4.1; RFC 6749 §4.4; RFC 7523 §2.2] (checklist H74-H81).
    ///
    /// In order: POST only; `Content-Type: application/x-www-form-urlencoded`; a body of at most
    /// [`MAX_TOKEN_REQUEST_BYTES`], parsed strictly (UTF-8, no repeated parameter, at most
    /// [`MAX_TOKEN_REQUEST_PARAMS`]); `grant_type=client_credentials`; the JWT-bearer `client_assertion_type`;
    /// a `client_assertion` (and no second client authentication method) and a `scope`. The assertion's
    /// unverified `iss` selects the tool's registration (and must equal a `client_id` parameter if one is sent);
    /// its signature is checked with the tool's key (its JWKS URL through the
    /// [`jwks_cache`](crate::PlatformBuilder::jwks_cache), or its static key), then its claims (`iss` = `sub` =
    /// client_id, `aud` naming [`token_endpoint`](PlatformConfig::token_endpoint) or one of the
    /// [`authorization_server_ids`](PlatformConfig::authorization_server_ids), `exp`, `nbf`, `iat`, `jti`); a
    /// deployment it names must be registered for the tool; every requested scope must be allowed to the tool,
    /// or the request is refused with `invalid_scope` (never silently narrowed). Only then is the `jti` spent,
    /// and an opaque access token issued for [`access_token_ttl`](PlatformConfig::access_token_ttl).
    ///
    /// Success is 200 JSON `{access_token, token_type: "bearer", expires_in, scope}`; errors are RFC 6749 §5.2
    /// JSON (see [`TokenError`]). Every answer has `Cache-Control: no-store` and `Pragma: no-cache`.
    pub async fn token(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let span = tracing::info_span!(
            "lti.token",
            client_id = tracing::field::Empty,
            deployment_id = tracing::field::Empty,
            scope = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let result = self.token_inner(&request).instrument(span.clone()).await;
        let _entered = span.enter();
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                if e.is_internal() {
                    tracing::error!(error = %e, source = ?std::error::Error::source(&e), "token endpoint failure");
                } else {
                    tracing::debug!(code = %e.oauth_error(), error = %e, "token request refused");
                }
                e.into_response()
            }
        };
        span.record("status", response.status().as_u16());
        response
    }

    async fn token_inner(
        &self,
        request: &http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TokenError> {
        let params = read_request(request)?;
        let grant_type = params
            .grant_type
            .ok_or(TokenError::ParameterMissing { name: "grant_type" })?;
        if grant_type != GRANT_TYPE_CLIENT_CREDENTIALS {
            return Err(TokenError::UnsupportedGrantType {
                found: clip(&grant_type),
            });
        }
        let assertion_type = params
            .client_assertion_type
            .ok_or(TokenError::ParameterMissing {
                name: "client_assertion_type",
            })?;
        if assertion_type != CLIENT_ASSERTION_TYPE_JWT_BEARER {
            return Err(TokenError::AssertionType {
                found: clip(&assertion_type),
            });
        }
        let assertion = params
            .client_assertion
            .ok_or(TokenError::ClientAssertionMissing)?;
        if request.headers().contains_key(header::AUTHORIZATION) {
            return Err(TokenError::ClientAuthenticationRepeated {
                found: "an `Authorization` header",
            });
        }
        if params.client_secret.is_some() {
            return Err(TokenError::ClientAuthenticationRepeated {
                found: "parameter `client_secret`",
            });
        }
        let requested = Scopes::parse(params.scope.as_deref().unwrap_or_default());
        if requested.is_empty() {
            return Err(TokenError::ScopeMissing);
        }
        let inner = &self.inner;
        let verifier = inner
            .assertions
            .as_ref()
            .ok_or_else(|| TokenError::NotConfigured {
                what: "no token endpoint URL (PlatformConfig::with_token_endpoint)".to_owned(),
            })?;
        let unverified = verifier.parse(&assertion).map_err(TokenError::Assertion)?;
        let iss = unverified.unverified_issuer();
        if let Some(client_id) = &params.client_id
            && client_id != iss
        {
            return Err(TokenError::ClientIdMismatch {
                iss: clip(iss),
                found: clip(client_id),
            });
        }
        let client_id = ClientId::new(iss);
        let registration = inner
            .tools
            .find(&client_id)
            .await
            .map_err(TokenError::Registry)?
            .ok_or_else(|| TokenError::ClientUnknown {
                client_id: ClientId::new(clip(iss)),
            })?;
        let span = tracing::Span::current();
        span.record("client_id", client_id.as_str());
        let keys = self.tool_keys(&registration)?;
        let checked = verifier
            .check(unverified, client_id.as_str(), keys.as_ref())
            .await
            .map_err(TokenError::Assertion)?;
        let deployment_id = checked.deployment_id().map(DeploymentId::new);
        if let Some(deployment_id) = &deployment_id {
            span.record("deployment_id", deployment_id.as_str());
            if !registration.accepts_deployment(deployment_id) {
                return Err(TokenError::DeploymentUnknown {
                    client_id,
                    deployment_id: DeploymentId::new(clip(deployment_id.as_str())),
                });
            }
        }
        let refused: Vec<String> = requested
            .iter()
            .filter(|scope| !registration.allows_scope(scope))
            .take(5)
            .map(clip)
            .collect();
        if !refused.is_empty() {
            return Err(TokenError::ScopeNotAllowed {
                client_id,
                scopes: refused,
            });
        }
        span.record("scope", tracing::field::display(&requested));
        let verified = verifier
            .consume(checked)
            .await
            .map_err(TokenError::Assertion)?;
        let answer = self.issue(&verified, deployment_id, requested).await?;
        Ok(json_response(StatusCode::OK, &answer))
    }

    /// Where the tool's keys come from: its JWKS URL (cached) or its static key.
    fn tool_keys(
        &self,
        registration: &ToolRegistration,
    ) -> Result<Arc<dyn KeyResolver>, TokenError> {
        match registration.keys() {
            ToolKeys::JwksUrl(url) => {
                let cache = self
                    .inner
                    .jwks
                    .as_ref()
                    .ok_or_else(|| TokenError::NotConfigured {
                        what: format!(
                            "tool `{}` has a JWKS URL but no JWKS cache is set (PlatformBuilder::jwks_cache)",
                            registration.client_id()
                        ),
                    })?;
                Ok(Arc::new(cache.resolver(url.clone())))
            }
            keys => {
                let key = keys
                    .static_key()
                    .map_err(|e| TokenError::NotConfigured {
                        what: format!("tool `{}` static key: {e}", registration.client_id()),
                    })?
                    .ok_or_else(|| TokenError::NotConfigured {
                        what: format!(
                            "tool `{}` has no usable key source",
                            registration.client_id()
                        ),
                    })?;
                Ok(Arc::new(KeySet::from_keys([key])))
            }
        }
    }

    /// Issues an access token for an authenticated client and returns the token response.
    async fn issue(
        &self,
        verified: &VerifiedClientAssertion,
        deployment_id: Option<DeploymentId>,
        scopes: Scopes,
    ) -> Result<TokenResponse, TokenError> {
        let inner = &self.inner;
        let ttl = inner.config.access_token_ttl;
        let token = lti_security::random_token(lti_security::DEFAULT_TOKEN_BYTES)
            .map_err(TokenError::Crypto)?;
        let record = TokenRecord {
            client_id: ClientId::new(verified.client_id()),
            deployment_id,
            scopes: scopes.iter().map(str::to_owned).collect(),
            expires_at: inner.clock.unix_seconds().saturating_add(ttl.as_secs()),
        };
        let bytes = serde_json::to_vec(&record).map_err(TokenError::Serialize)?;
        let inserted = inner
            .store
            .insert_if_absent(
                Self::ACCESS_TOKEN_NAMESPACE,
                token_key(&token).as_ref(),
                &bytes,
                Some(ttl),
            )
            .await
            .map_err(TokenError::Storage)?;
        if !inserted {
            // 256 random bits collided: the generator is broken.
            return Err(TokenError::Crypto(lti_security::Error::Crypto {
                operation: "random generation",
            }));
        }
        Ok(TokenResponse {
            access_token: token,
            token_type: "bearer".to_owned(),
            expires_in: Some(ttl.as_secs()),
            scope: Some(scopes.to_string()),
        })
    }
}

/// Method, content type, size, then the strict form parse.
fn read_request(request: &http::Request<Bytes>) -> Result<form::TokenParams, TokenError> {
    if request.method() != Method::POST {
        return Err(TokenError::MethodNotAllowed {
            method: request.method().as_str().chars().take(20).collect(),
        });
    }
    let content_type = request.headers().get(header::CONTENT_TYPE);
    let is_form = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(TokenError::ContentType {
            found: content_type
                .map(|v| clip(&String::from_utf8_lossy(v.as_bytes())))
                .unwrap_or_else(|| "none".to_owned()),
        });
    }
    let len = request.body().len();
    if len > MAX_TOKEN_REQUEST_BYTES {
        return Err(TokenError::BodyTooLarge {
            len,
            limit: MAX_TOKEN_REQUEST_BYTES,
        });
    }
    form::parse(request.body())
}

/// The verifier for this platform's token endpoint, `None` without a configured token endpoint URL.
pub(crate) fn assertion_verifier(
    config: &PlatformConfig,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
) -> Option<ClientAssertionVerifier> {
    let endpoint = config.token_endpoint.as_ref()?;
    let verifier =
        ClientAssertionVerifier::new(endpoint.as_str(), Arc::clone(store), Arc::clone(clock));
    Some(
        config
            .authorization_server_ids
            .iter()
            .fold(verifier, |v, id| v.with_audience(id.clone())),
    )
}

/// The store key of an access token: its SHA-256.
pub(crate) fn token_key(token: &str) -> digest::Digest {
    digest::digest(&digest::SHA256, token.as_bytes())
}

/// A JSON response that no cache keeps [RFC 6749 §5.1].
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> http::Response<Bytes> {
    // The bodies are our own plain structs of strings and numbers: serializing them cannot fail.
    let json = serde_json::to_vec(body).unwrap_or_else(|_| br#"{"error":"server_error"}"#.to_vec());
    let mut response = http::Response::new(Bytes::from(json));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `value` cut to [`CLIP`] characters.
fn clip(value: &str) -> String {
    let mut out: String = value.chars().take(CLIP).collect();
    if out.len() < value.len() {
        out.push('…');
    }
    out
}
