//! OIDC third-party-initiated login, both directions, as pure types (no HTTP) [Sec §5.1.1; Core §4.1].
//!
//! - [`LoginInitiation`]: step 1, platform → tool (GET query or POST form).
//! - [`AuthRequest`]: step 2, tool → platform authorization endpoint.
//! - [`AuthResponse`]: step 3, platform → tool `redirect_uri` (auto-submitted form, see [`auto_submit_form`]).
//!
//! Parameters are read from decoded `(name, value)` pairs ([`url::form_urlencoded::parse`] gives them for a query
//! string or a form body). A known parameter sent twice is rejected; unknown parameters are kept in `extra` and
//! otherwise ignored [Sec §5.1.1.1]. Values are kept exactly as decoded (no trimming, no case folding), so hints
//! go back out byte for byte. URLs are built with [`url::Url::query_pairs_mut`], which keeps an existing query.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::error::Error;

mod auth_request;
mod auth_response;
mod form;
mod initiation;
mod urlencoded;

pub use auth_request::AuthRequest;
pub use auth_response::{AuthResponse, oidc_error_code};
pub use form::auto_submit_form;
pub use initiation::LoginInitiation;
pub use urlencoded::{UrlencodedPairs, urlencoded_pairs};

/// OIDC login and authentication parameter names and fixed values [Sec §5.1.1; Core §4.1].
pub mod param {
    /// `iss` (login initiation).
    pub const ISS: &str = "iss";
    /// `login_hint`.
    pub const LOGIN_HINT: &str = "login_hint";
    /// `target_link_uri` (login initiation).
    pub const TARGET_LINK_URI: &str = "target_link_uri";
    /// `lti_message_hint`.
    pub const LTI_MESSAGE_HINT: &str = "lti_message_hint";
    /// `lti_deployment_id` (login initiation).
    pub const LTI_DEPLOYMENT_ID: &str = "lti_deployment_id";
    /// `client_id`.
    pub const CLIENT_ID: &str = "client_id";
    /// `lti_storage_target` (platform storage draft) [CS-OIDC].
    pub const LTI_STORAGE_TARGET: &str = "lti_storage_target";
    /// `scope` (authentication request).
    pub const SCOPE: &str = "scope";
    /// `response_type`.
    pub const RESPONSE_TYPE: &str = "response_type";
    /// `response_mode`.
    pub const RESPONSE_MODE: &str = "response_mode";
    /// `prompt`.
    pub const PROMPT: &str = "prompt";
    /// `redirect_uri`.
    pub const REDIRECT_URI: &str = "redirect_uri";
    /// `nonce`.
    pub const NONCE: &str = "nonce";
    /// `state`.
    pub const STATE: &str = "state";
    /// `id_token` (authentication response).
    pub const ID_TOKEN: &str = "id_token";
    /// `error` (authentication error response).
    pub const ERROR: &str = "error";
    /// `error_description`.
    pub const ERROR_DESCRIPTION: &str = "error_description";

    /// The `scope` value: `openid`.
    pub const SCOPE_OPENID: &str = "openid";
    /// The `response_type` value: `id_token`.
    pub const RESPONSE_TYPE_ID_TOKEN: &str = "id_token";
    /// The `response_mode` value: `form_post`.
    pub const RESPONSE_MODE_FORM_POST: &str = "form_post";
    /// The `prompt` value: `none`.
    pub const PROMPT_NONE: &str = "none";
}

/// Known parameters of one message, collected from pairs: duplicates of a known name rejected, unknown names
/// kept (first value wins).
#[derive(Debug)]
struct Params {
    known: Vec<(&'static str, Option<String>)>,
    extra: BTreeMap<String, String>,
}

impl Params {
    fn collect<'a>(
        known: &[&'static str],
        pairs: impl IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Self, Error> {
        let mut out = Self {
            known: known.iter().map(|name| (*name, None)).collect(),
            extra: BTreeMap::new(),
        };
        for (name, value) in pairs {
            if let Some((known_name, slot)) = out.known.iter_mut().find(|(n, _)| *n == name) {
                if slot.is_some() {
                    return Err(Error::ParameterDuplicated {
                        parameter: known_name,
                    });
                }
                *slot = Some(value.into_owned());
            } else {
                out.extra
                    .entry(name.into_owned())
                    .or_insert_with(|| value.into_owned());
            }
        }
        Ok(out)
    }

    /// The value of `name` as sent (an empty value is kept: hints are forwarded unaltered).
    fn optional(&mut self, name: &'static str) -> Option<String> {
        self.known
            .iter_mut()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.take())
    }

    /// The value of `name`, required and non-empty.
    fn required(&mut self, name: &'static str) -> Result<String, Error> {
        self.optional(name)
            .filter(|v| !v.is_empty())
            .ok_or(Error::ParameterMissing { parameter: name })
    }
}
