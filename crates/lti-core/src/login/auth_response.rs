//! Step 3: the authentication response, platform → tool `redirect_uri` [Sec §5.1.1.3; OIDC Core §3.1.2.6].

use std::borrow::Cow;
use std::fmt;

use url::Url;

use super::{Params, auto_submit_form, param};
use crate::State;
use crate::error::Error;

/// The form the platform posts to the tool's `redirect_uri`: the `id_token` and `state`, or an OIDC error
/// [Sec §5.1.1.3, §5.1.1.5].
///
/// `Debug` never prints the token, only its length.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthResponse {
    /// A successful authentication: the signed LTI message and the echoed `state`.
    IdToken {
        /// `id_token`: the compact JWS.
        id_token: String,
        /// `state`: the authentication request's value, unchanged.
        state: State,
    },
    /// An OIDC error (`login_required`, `invalid_request`, …) [OIDC Core §3.1.2.6; RFC 6749 §4.2.2.1].
    Error {
        /// `error`: the error code.
        error: String,
        /// `error_description`: a human-readable explanation.
        error_description: Option<String>,
        /// `state`: the authentication request's value, when it had one.
        state: Option<State>,
    },
}

impl AuthResponse {
    /// Reads the posted form at the tool: an `error` parameter makes it an [`Error`](Self::Error), otherwise
    /// `id_token` and `state` are required.
    ///
    /// # Errors
    /// [`Error::ParameterMissing`] naming `id_token` or `state` (checklist B10 for a missing state);
    /// [`Error::ParameterDuplicated`].
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Self, Error> {
        let mut p = Params::collect(KNOWN, pairs)?;
        if let Some(error) = p.optional(param::ERROR) {
            return Ok(Self::Error {
                error,
                error_description: p.optional(param::ERROR_DESCRIPTION),
                state: p.optional(param::STATE).map(State::new),
            });
        }
        let id_token = p.required(param::ID_TOKEN)?;
        let state = State::new(p.required(param::STATE)?);
        Ok(Self::IdToken { id_token, state })
    }

    /// Reads the form from an `application/x-www-form-urlencoded` body.
    ///
    /// # Errors
    /// As [`from_pairs`](Self::from_pairs).
    pub fn from_urlencoded(input: &[u8]) -> Result<Self, Error> {
        Self::from_pairs(super::urlencoded_pairs(input))
    }

    /// The form fields, in order.
    pub fn to_pairs(&self) -> Vec<(&'static str, &str)> {
        match self {
            Self::IdToken { id_token, state } => {
                vec![
                    (param::ID_TOKEN, id_token.as_str()),
                    (param::STATE, state.as_str()),
                ]
            }
            Self::Error {
                error,
                error_description,
                state,
            } => {
                let mut out = vec![(param::ERROR, error.as_str())];
                if let Some(description) = error_description {
                    out.push((param::ERROR_DESCRIPTION, description.as_str()));
                }
                if let Some(state) = state {
                    out.push((param::STATE, state.as_str()));
                }
                out
            }
        }
    }

    /// The auto-submitting HTML page that posts this response to `redirect_uri` [Sec §5.1.1.3].
    pub fn to_form_post(&self, redirect_uri: &Url) -> String {
        auto_submit_form(redirect_uri, &self.to_pairs())
    }
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IdToken { id_token, state } => f
                .debug_struct("IdToken")
                .field(
                    "id_token",
                    &format_args!("[redacted, {} bytes]", id_token.len()),
                )
                .field("state", state)
                .finish(),
            Self::Error {
                error,
                error_description,
                state,
            } => f
                .debug_struct("Error")
                .field("error", error)
                .field("error_description", error_description)
                .field("state", state)
                .finish(),
        }
    }
}

/// The OIDC `error` value for a failed authentication request check [OIDC Core §3.1.2.6; RFC 6749 §4.2.2.1]:
/// `unsupported_response_type` for `response_type`, `invalid_scope` for `scope`, `invalid_request` otherwise.
///
/// Send it to the redirect URI only once `client_id` and `redirect_uri` are known to be valid; otherwise show an
/// error page (checklist D45, D46).
pub fn oidc_error_code(error: &Error) -> &'static str {
    match error {
        Error::ParameterInvalid { parameter, .. } if *parameter == param::RESPONSE_TYPE => {
            "unsupported_response_type"
        }
        Error::ParameterInvalid { parameter, .. } if *parameter == param::SCOPE => "invalid_scope",
        _ => "invalid_request",
    }
}

/// The parameters read into typed fields.
const KNOWN: &[&str] = &[
    param::ID_TOKEN,
    param::STATE,
    param::ERROR,
    param::ERROR_DESCRIPTION,
];
