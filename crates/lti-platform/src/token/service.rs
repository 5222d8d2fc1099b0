//! The resource-server side: checking the bearer token on a service call [RFC 6750; Sec §4.1] (checklist H82,
//! H83).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use lti_core::{ClientId, DeploymentId};
use lti_security::oauth::{OAuthErrorBody, OAuthErrorCode, Scopes};
use serde::{Deserialize, Serialize};
use tracing::Instrument as _;

use super::{json_response, token_key};
use crate::{Platform, PlatformError};

/// What an access token grants, as stored under the SHA-256 of the token. Bound to the client, its scopes and
/// the deployment the assertion named, never to a context (checklist H83).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub(crate) client_id: ClientId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deployment_id: Option<DeploymentId>,
    pub(crate) scopes: Vec<String>,
    /// Unix seconds.
    pub(crate) expires_at: u64,
}

/// The access a valid bearer token gives a service call. Only [`Platform::authorize_service`] builds one.
///
/// A token is not bound to a context: a service must still check that the context (course) it serves belongs to
/// [`deployment_id`](Self::deployment_id) when set, or to a deployment of [`client_id`](Self::client_id).
#[derive(Debug, Clone)]
pub struct ServiceGrant {
    client_id: ClientId,
    deployment_id: Option<DeploymentId>,
    scopes: Scopes,
    expires_at: u64,
}

impl ServiceGrant {
    /// The tool the token was issued to.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The deployment the tool's client assertion named, if it named one [Core §6.2.1].
    pub fn deployment_id(&self) -> Option<&DeploymentId> {
        self.deployment_id.as_ref()
    }

    /// Every scope the token grants.
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// When the token expires, in Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// Why a service call was refused [RFC 6750 §3.1].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceAuthError {
    /// More than one `Authorization` header.
    #[error("header `Authorization` is sent more than once")]
    DuplicateAuthorization,
    /// The token is not well-formed, unknown, revoked or expired.
    #[error("the access token is invalid, expired or revoked")]
    InvalidToken,
    /// The token is valid but does not grant the scope the service needs.
    #[error("the access token does not grant scope `{required}`")]
    InsufficientScope {
        /// The scope the service needs.
        required: String,
    },
    /// No `Authorization: Bearer` credentials.
    #[error("no bearer access token: send `Authorization: Bearer <token>`")]
    MissingToken,
    /// A stored token record is unreadable.
    #[error("stored token record is unreadable")]
    Serialize(#[source] serde_json::Error),
    /// The store failed.
    #[error("storage failed")]
    Storage(#[source] lti_storage::Error),
}

impl ServiceAuthError {
    /// The HTTP status: 401 without a usable token, 403 for a missing scope, 400 for a duplicated header, 500 for
    /// our failures.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::DuplicateAuthorization => StatusCode::BAD_REQUEST,
            Self::InvalidToken | Self::MissingToken => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::Serialize(_) | Self::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The RFC 6750 §3.1 error code, `None` when no token was sent (RFC 6750 §3.1: then no code is given).
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::DuplicateAuthorization => Some("invalid_request"),
            Self::InvalidToken => Some("invalid_token"),
            Self::InsufficientScope { .. } => Some("insufficient_scope"),
            Self::MissingToken => None,
            Self::Serialize(_) | Self::Storage(_) => Some("server_error"),
        }
    }

    /// Whether this is a failure on our side.
    pub fn is_internal(&self) -> bool {
        self.status().is_server_error()
    }

    /// The response: `WWW-Authenticate: Bearer` with `error` (and `scope` for a missing scope) on every 4xx
    /// [RFC 6750 §3], a JSON `{"error", "error_description"}` body, `Cache-Control: no-store`.
    pub fn into_response(self) -> http::Response<Bytes> {
        let status = self.status();
        let code = self.error_code();
        let description = if self.is_internal() {
            "internal error; the details are in the platform's log".to_owned()
        } else {
            self.to_string()
        };
        let mut challenge = String::from("Bearer");
        if let Some(code) = code.filter(|_| !self.is_internal()) {
            challenge.push_str(" error=\"");
            challenge.push_str(code);
            challenge.push('"');
            if let Self::InsufficientScope { required } = &self {
                challenge.push_str(", scope=\"");
                // RFC 6750 §3: scope values are %x21 / %x23-5B / %x5D-7E; anything else is dropped.
                challenge.extend(
                    required
                        .chars()
                        .filter(|c| matches!(*c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e' | ' ')),
                );
                challenge.push('"');
            }
        }
        let body = OAuthErrorBody::new(
            OAuthErrorCode::from_wire(code.unwrap_or("invalid_request")),
            description,
        );
        let mut response = json_response(status, &body);
        if status.is_client_error()
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl Platform {
    /// Checks the bearer token of a service call (AGS, NRPS, ...) for `required_scope` [RFC 6750 §2.1, §3.1]
    /// (checklist H82, H83).
    ///
    /// Reads `Authorization: Bearer <token>` (scheme case-insensitive) from `headers`, looks the token up by its
    /// SHA-256 in the store, and checks that it has not expired by the platform's clock and that it grants
    /// `required_scope`. The token is not bound to a context: the caller checks that the context it serves
    /// belongs to the grant's deployment.
    ///
    /// # Errors
    /// - [`ServiceAuthError::MissingToken`] (401, no `error` code) when there is no `Authorization` header or it
    ///   is not a Bearer credential;
    /// - [`ServiceAuthError::InvalidToken`] (401 `invalid_token`) for a malformed, unknown, revoked or expired
    ///   token;
    /// - [`ServiceAuthError::InsufficientScope`] (403 `insufficient_scope`);
    /// - [`ServiceAuthError::DuplicateAuthorization`] (400 `invalid_request`);
    /// - [`ServiceAuthError::Storage`] / [`ServiceAuthError::Serialize`] on our side.
    pub async fn authorize_service(
        &self,
        headers: &HeaderMap,
        required_scope: &str,
    ) -> Result<ServiceGrant, ServiceAuthError> {
        let span = tracing::debug_span!(
            "lti.service.auth",
            scope = required_scope,
            client_id = tracing::field::Empty
        );
        let result = self
            .authorize_service_inner(headers, required_scope)
            .instrument(span.clone())
            .await;
        span.in_scope(|| match &result {
            Ok(grant) => {
                tracing::Span::current().record("client_id", grant.client_id.as_str());
            }
            Err(e) if e.is_internal() => {
                tracing::error!(error = %e, source = ?std::error::Error::source(e), "service authorization failed");
            }
            Err(e) => tracing::debug!(status = e.status().as_u16(), error = %e, "service call refused"),
        });
        result
    }

    async fn authorize_service_inner(
        &self,
        headers: &HeaderMap,
        required_scope: &str,
    ) -> Result<ServiceGrant, ServiceAuthError> {
        let token = bearer_token(headers)?;
        let grant = self.grant_for(token).await?;
        if !grant.scopes.contains(required_scope) {
            return Err(ServiceAuthError::InsufficientScope {
                required: required_scope.to_owned(),
            });
        }
        Ok(grant)
    }

    /// The live grant of `token` (no scope check).
    async fn grant_for(&self, token: &str) -> Result<ServiceGrant, ServiceAuthError> {
        let inner = &self.inner;
        let stored = inner
            .store
            .get(Self::ACCESS_TOKEN_NAMESPACE, token_key(token).as_ref())
            .await
            .map_err(ServiceAuthError::Storage)?
            .ok_or(ServiceAuthError::InvalidToken)?;
        let record: TokenRecord =
            serde_json::from_slice(&stored).map_err(ServiceAuthError::Serialize)?;
        if inner.clock.unix_seconds() >= record.expires_at {
            return Err(ServiceAuthError::InvalidToken);
        }
        let scopes: Scopes = record.scopes.into_iter().collect();
        Ok(ServiceGrant {
            client_id: record.client_id,
            deployment_id: record.deployment_id,
            scopes,
            expires_at: record.expires_at,
        })
    }

    /// Revokes an access token; returns whether a live token was removed. Later service calls with it get 401.
    ///
    /// # Errors
    /// [`PlatformError::Storage`] when the store fails.
    pub async fn revoke_token(&self, token: &str) -> Result<bool, PlatformError> {
        Ok(self
            .inner
            .store
            .delete(Self::ACCESS_TOKEN_NAMESPACE, token_key(token).as_ref())
            .await?)
    }
}

/// The bearer token of `Authorization: Bearer <token>` [RFC 6750 §2.1], read by the parser every service shares
/// (`lti_core::service_access::bearer_token`); this facade answers several `Authorization` headers with 400 and
/// any other malformed credential with 401 `invalid_token`.
fn bearer_token(headers: &HeaderMap) -> Result<&str, ServiceAuthError> {
    if headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return Err(ServiceAuthError::DuplicateAuthorization);
    }
    match lti_core::service_access::bearer_token(headers) {
        Ok(token) => Ok(token.secret()),
        Err(lti_core::service_access::ServiceAccessError::MissingToken) => {
            Err(ServiceAuthError::MissingToken)
        }
        Err(_) => Err(ServiceAuthError::InvalidToken),
    }
}

/// The platform is the [`ServiceAuthorizer`](lti_core::service_access::ServiceAuthorizer) of its own services:
/// a bearer token resolves to the client, deployment and scopes the token endpoint granted, so AGS and NRPS
/// handlers (`lti_ags::AgsService`, `lti_nrps::NrpsService`) check tokens exactly as
/// [`Platform::authorize_service`] does.
#[async_trait::async_trait]
impl lti_core::service_access::ServiceAuthorizer for Platform {
    async fn caller(
        &self,
        token: &lti_core::service_access::BearerToken<'_>,
    ) -> Result<lti_core::service_access::ServiceCaller, lti_core::service_access::ServiceAccessError>
    {
        use lti_core::service_access::ServiceAccessError as E;
        match self.grant_for(token.secret()).await {
            Ok(grant) => Ok(lti_core::service_access::ServiceCaller::new(
                grant.client_id,
                grant.deployment_id,
                grant.scopes,
            )),
            Err(ServiceAuthError::Storage(e)) => Err(E::Storage(e)),
            Err(ServiceAuthError::Serialize(e)) => {
                tracing::error!(error = %e, "stored access token record is corrupt");
                Err(E::InvalidToken {
                    reason: "the token record is unreadable",
                })
            }
            Err(_) => Err(E::InvalidToken {
                reason: "unknown, expired or revoked",
            }),
        }
    }
}
