//! The crate's error type and its one mapping to HTTP.

use std::fmt::Write as _;

use bytes::Bytes;
use http::StatusCode;
use lti_core::{ClientId, DeploymentId};

/// Everything that can go wrong in the platform facade, grouped by who must act.
///
/// [`status`](Self::status), [`code`](Self::code) and [`into_response`](Self::into_response) are the only place an
/// error becomes HTTP. Messages never contain a token, a hint, a state or a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    // --- the tool (or the browser) sent a bad authentication request ---
    /// The authentication request is malformed or has a wrong `scope`, `response_type`, `response_mode` or
    /// `prompt` [Sec §5.1.1.2] (checklist D49).
    #[error("authentication request: {0}")]
    AuthRequest(#[source] lti_core::Error),
    /// The request's `client_id` is not the one the launch was started for.
    #[error(
        "parameter `client_id`: expected the client the launch was started for (found `{found}`)"
    )]
    ClientMismatch {
        /// The request's client id.
        found: ClientId,
    },
    /// No tool is registered under this `client_id` [Sec §5.1.1.3] (checklist D45).
    #[error("no tool is registered with client_id `{client_id}`")]
    ClientUnknown {
        /// The unknown client id.
        client_id: ClientId,
    },
    /// The signed-in user is not the user the tool's `login_hint` names [Sec §5.1.1.3] (checklist D48).
    #[error(
        "parameter `login_hint`: the signed-in user is not the user the launch was started for"
    )]
    LoginHintMismatch,
    /// No user is signed in and `prompt=none` forbids asking (OIDC `login_required`) (checklist D47).
    #[error("no user is signed in (`prompt=none`: the platform cannot ask the user to sign in)")]
    LoginRequired,
    /// The authentication request has no `lti_message_hint`, so there is no launch to answer.
    #[error(
        "parameter `lti_message_hint` is missing: expected the hint sent in the login initiation"
    )]
    MessageHintMissing,
    /// The `lti_message_hint` is unknown, expired or already used (hints are single-use).
    #[error("parameter `lti_message_hint`: unknown, expired or already used")]
    MessageHintUnknown,
    /// The HTTP method is neither GET nor POST.
    #[error("method `{method}` not allowed: expected GET or POST")]
    MethodNotAllowed {
        /// The method received.
        method: String,
    },
    /// `redirect_uri` is not exactly one of the tool's registered redirect URIs [Sec §5.1.1.3; OIDC Core
    /// §3.1.2.1] (checklist D46). Never redirected to.
    #[error("parameter `redirect_uri` is not a registered redirect URI of client `{client_id}`")]
    RedirectUriNotRegistered {
        /// The client whose registration was checked.
        client_id: ClientId,
    },
    /// The request carries no usable `client_id` or `redirect_uri`, so no error can be sent back to the tool.
    #[error("authentication request: {0}")]
    UnroutableRequest(#[source] lti_core::Error),
    /// A POSTed body is too large or not `application/x-www-form-urlencoded`.
    #[error("request body: expected {expected}")]
    UnsupportedBody {
        /// What was expected.
        expected: &'static str,
    },

    // --- the integrator's launch input is wrong ---
    /// The deployment is not registered for the tool (checklist E56).
    #[error("deployment `{deployment_id}` is not registered for client `{client_id}`")]
    DeploymentUnknown {
        /// The client.
        client_id: ClientId,
        /// The deployment.
        deployment_id: DeploymentId,
    },
    /// A launch input breaks a rule of the LTI message (checklist E56-E61): which claim, what was expected.
    #[error("launch input `{field}`: {reason}")]
    InvalidLaunch {
        /// The claim or JSON path at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The launch fails lti-core's message rules (required claims, identifier lengths).
    #[error("launch message: {0}")]
    LaunchMessage(#[source] lti_core::Error),

    // --- our side failed ---
    /// A cryptographic operation (signing, random generation) failed.
    #[error("cryptographic operation failed")]
    Crypto(#[source] lti_security::Error),
    /// The tool registry failed.
    #[error("tool registry failed")]
    Registry(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored launch record is unreadable, or a value does not serialize.
    #[error("stored launch record is unreadable")]
    Serialize(#[source] serde_json::Error),
    /// The store failed.
    #[error("storage failed")]
    Storage(#[source] lti_storage::Error),
}

impl PlatformError {
    /// Wraps an error of a [`ToolRegistry`](crate::ToolRegistry) implementation.
    pub fn registry(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Registry(source.into())
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::AuthRequest(_)
            | Self::ClientMismatch { .. }
            | Self::ClientUnknown { .. }
            | Self::MessageHintMissing
            | Self::MessageHintUnknown
            | Self::RedirectUriNotRegistered { .. }
            | Self::UnroutableRequest(_)
            | Self::DeploymentUnknown { .. }
            | Self::InvalidLaunch { .. }
            | Self::LaunchMessage(_) => StatusCode::BAD_REQUEST,
            Self::LoginHintMismatch => StatusCode::FORBIDDEN,
            Self::LoginRequired => StatusCode::UNAUTHORIZED,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedBody { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Crypto(_) | Self::Registry(_) | Self::Serialize(_) | Self::Storage(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// A stable machine code for logs and docs (`lti.platform.*`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::AuthRequest(_) => "lti.platform.auth_request.invalid",
            Self::ClientMismatch { .. } => "lti.platform.client_id.mismatch",
            Self::ClientUnknown { .. } => "lti.platform.client_id.unknown",
            Self::LoginHintMismatch => "lti.platform.login_hint.mismatch",
            Self::LoginRequired => "lti.platform.login_required",
            Self::MessageHintMissing => "lti.platform.lti_message_hint.missing",
            Self::MessageHintUnknown => "lti.platform.lti_message_hint.unknown",
            Self::MethodNotAllowed { .. } => "lti.platform.method_not_allowed",
            Self::RedirectUriNotRegistered { .. } => "lti.platform.redirect_uri.not_registered",
            Self::UnroutableRequest(_) => "lti.platform.auth_request.unroutable",
            Self::UnsupportedBody { .. } => "lti.platform.body.unsupported",
            Self::DeploymentUnknown { .. } => "lti.platform.deployment_id.unknown",
            Self::InvalidLaunch { .. } => "lti.platform.launch.invalid",
            Self::LaunchMessage(_) => "lti.platform.launch.message",
            Self::Crypto(_) => "lti.platform.crypto",
            Self::Registry(_) => "lti.platform.registry",
            Self::Serialize(_) => "lti.platform.serialize",
            Self::Storage(_) => "lti.platform.storage",
        }
    }

    /// The OIDC error code [OIDC Core §3.1.2.6; RFC 6749 §4.2.2.1] used when this error is sent back to a
    /// verified `redirect_uri`.
    pub fn oidc_error(&self) -> &'static str {
        match self {
            Self::AuthRequest(e) | Self::UnroutableRequest(e) => {
                lti_core::login::oidc_error_code(e)
            }
            Self::LoginRequired | Self::LoginHintMismatch => "login_required",
            Self::ClientMismatch { .. } | Self::ClientUnknown { .. } => "unauthorized_client",
            Self::Crypto(_) | Self::Registry(_) | Self::Serialize(_) | Self::Storage(_) => {
                "server_error"
            }
            _ => "invalid_request",
        }
    }

    /// Whether this is a failure on our side (logged at `error`, shown as a generic message).
    pub fn is_internal(&self) -> bool {
        self.status().is_server_error()
    }

    /// The text shown to the user or sent as `error_description`: the message for peer errors, a generic text
    /// for internal ones (whose details go to the log).
    pub fn public_message(&self) -> String {
        if self.is_internal() {
            "internal error; the details are in the platform's log".to_owned()
        } else {
            self.to_string()
        }
    }

    /// An HTML error page (escaped, `Cache-Control: no-store`) with [`status`](Self::status). Used whenever the
    /// error must not be sent to the tool (unknown client, unregistered `redirect_uri`).
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut body = String::with_capacity(512);
        body.push_str(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>LTI launch error</title></head>\n<body>\n",
        );
        let _ = writeln!(
            body,
            "<h1>LTI launch error</h1>\n<p>{}</p>\n<p><code>{}</code></p>",
            escape_html(&self.public_message()),
            self.code()
        );
        body.push_str("</body></html>\n");
        crate::response::html(self.status(), body)
    }
}

impl From<lti_storage::Error> for PlatformError {
    fn from(e: lti_storage::Error) -> Self {
        Self::Storage(e)
    }
}

pub(crate) use lti_core::html::escape_html;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_page_escapes_the_message() {
        let page = PlatformError::ClientUnknown {
            client_id: ClientId::new("<script>alert(1)</script>"),
        }
        .into_response();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        let body = String::from_utf8(page.body().to_vec()).unwrap();
        assert!(!body.contains("<script>alert"));
        assert!(body.contains("&lt;script&gt;"));
    }

    #[test]
    fn internal_errors_hide_details() {
        let e = PlatformError::registry("db password wrong");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.public_message().contains("password"));
        assert_eq!(e.oidc_error(), "server_error");
    }
}
