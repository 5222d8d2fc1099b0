//! Development sign-in: `/launch-as` signs a person in without a password; the session is a random cookie
//! value whose record (the user id) lives in the store with a TTL.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use lti_core::UserId;
use lti_security::{DEFAULT_TOKEN_BYTES, random_token};
use lti_storage::{Namespace, Store};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rp_session";
/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);

/// Sessions in the store.
#[derive(Debug, Clone)]
pub struct Sessions {
    store: Arc<dyn Store>,
}

impl Sessions {
    /// The namespace of sessions, keyed by the cookie value.
    pub const SESSIONS: Namespace = Namespace::new("ref.platform.session");

    /// Sessions in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Signs `user` in: a new session; returns the `Set-Cookie` value (`HttpOnly`, `Path=/`). With `secure`
    /// (an `https` issuer) the cookie is `SameSite=None; Secure`, so that it comes along on the tool's
    /// cross-site form posts (authentication request, deep linking response); otherwise `SameSite=Lax`.
    ///
    /// # Errors
    /// A store or random-generation failure.
    pub async fn sign_in(&self, user: &UserId, secure: bool) -> Result<String, SessionError> {
        let id = random_token(DEFAULT_TOKEN_BYTES)?;
        self.store
            .put(
                Self::SESSIONS,
                id.as_bytes(),
                user.as_str().as_bytes(),
                Some(SESSION_TTL),
            )
            .await?;
        let same_site = if secure {
            "SameSite=None; Secure"
        } else {
            "SameSite=Lax"
        };
        Ok(format!(
            "{SESSION_COOKIE}={id}; Path=/; HttpOnly; {same_site}; Max-Age={}",
            SESSION_TTL.as_secs()
        ))
    }

    /// The signed-in user of a request (its session cookie), if any.
    ///
    /// # Errors
    /// A store failure.
    pub async fn current_user(&self, headers: &HeaderMap) -> Result<Option<UserId>, SessionError> {
        let Some(id) = cookie(headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        if id.is_empty() || id.len() > 128 {
            return Ok(None);
        }
        Ok(self
            .store
            .get(Self::SESSIONS, id.as_bytes())
            .await?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(UserId::new))
    }
}

/// Why a session operation failed (always ours: 500).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The store failed.
    #[error("session store: {0}")]
    Storage(#[from] lti_storage::Error),
    /// Random generation failed.
    #[error("session id: {0}")]
    Crypto(#[from] lti_security::Error),
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}
