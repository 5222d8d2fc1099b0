//! Step 2: the OIDC authentication request, tool → platform [Sec §5.1.1.2; OIDC Core §3.1.2.1].

use std::borrow::Cow;
use std::collections::BTreeMap;

use url::Url;

use super::{LoginInitiation, Params, param};
use crate::error::{Error, clip};
use crate::{ClientId, LoginHint, LtiMessageHint, Nonce, State};

/// The authentication request a tool sends to the platform's authorization endpoint [Sec §5.1.1.2].
///
/// Tool side: build it with [`for_login`](Self::for_login) (hints copied byte for byte, A6/A7) and redirect to
/// [`to_url`](Self::to_url). Platform side: read it with [`from_pairs`](Self::from_pairs), which checks the fixed
/// values (D49); the registration checks (`client_id`, exact `redirect_uri`, user vs `login_hint`) need the
/// platform's data and happen in the facade.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthRequest {
    /// `scope`: contains `openid`.
    pub scope: String,
    /// `response_type`: `id_token`.
    pub response_type: String,
    /// `response_mode`: `form_post`.
    pub response_mode: String,
    /// `prompt`: `none`.
    pub prompt: String,
    /// `client_id`: the tool's client id at this issuer.
    pub client_id: ClientId,
    /// `redirect_uri`: one of the tool's registered redirect URIs, compared as an exact string (kept unparsed).
    pub redirect_uri: String,
    /// `login_hint`: exactly as received in step 1.
    pub login_hint: LoginHint,
    /// `lti_message_hint`: exactly as received in step 1, absent when not received.
    pub lti_message_hint: Option<LtiMessageHint>,
    /// `nonce`: fresh, unpredictable.
    pub nonce: Nonce,
    /// `state`: the CSRF value (RECOMMENDED by the spec; tools built on lti-rs always send it).
    pub state: Option<State>,
    /// Other parameters (first value of each kept).
    pub extra: BTreeMap<String, String>,
}

impl AuthRequest {
    /// A request with the fixed LTI values (`scope=openid`, `response_type=id_token`,
    /// `response_mode=form_post`, `prompt=none`) and no `lti_message_hint`.
    pub fn new(
        client_id: ClientId,
        redirect_uri: impl Into<String>,
        login_hint: LoginHint,
        nonce: Nonce,
        state: State,
    ) -> Self {
        Self {
            scope: param::SCOPE_OPENID.to_owned(),
            response_type: param::RESPONSE_TYPE_ID_TOKEN.to_owned(),
            response_mode: param::RESPONSE_MODE_FORM_POST.to_owned(),
            prompt: param::PROMPT_NONE.to_owned(),
            client_id,
            redirect_uri: redirect_uri.into(),
            login_hint,
            lti_message_hint: None,
            nonce,
            state: Some(state),
            extra: BTreeMap::new(),
        }
    }

    /// The request answering `login`: `login_hint` and `lti_message_hint` copied unaltered (A6, A7).
    pub fn for_login(
        login: &LoginInitiation,
        client_id: ClientId,
        redirect_uri: impl Into<String>,
        nonce: Nonce,
        state: State,
    ) -> Self {
        let mut request = Self::new(
            client_id,
            redirect_uri,
            login.login_hint.clone(),
            nonce,
            state,
        );
        request.lti_message_hint = login.lti_message_hint.clone();
        request
    }

    /// Reads and checks a request at the platform: required parameters present, `response_type` is `id_token`,
    /// `scope` contains `openid`, `response_mode` is `form_post`, `prompt` is `none` (checklist D49).
    ///
    /// # Errors
    /// [`Error::ParameterDuplicated`], [`Error::ParameterMissing`] or [`Error::ParameterInvalid`] naming the
    /// parameter; [`oidc_error_code`](super::oidc_error_code) maps them to an OIDC `error` value.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Self, Error> {
        let mut p = Params::collect(KNOWN, pairs)?;
        let response_type = p.required(param::RESPONSE_TYPE)?;
        if response_type != param::RESPONSE_TYPE_ID_TOKEN {
            return Err(invalid(param::RESPONSE_TYPE, "`id_token`", &response_type));
        }
        let scope = p.required(param::SCOPE)?;
        if !scope.split(' ').any(|s| s == param::SCOPE_OPENID) {
            return Err(invalid(
                param::SCOPE,
                "a scope list containing `openid`",
                &scope,
            ));
        }
        let response_mode = p.required(param::RESPONSE_MODE)?;
        if response_mode != param::RESPONSE_MODE_FORM_POST {
            return Err(invalid(param::RESPONSE_MODE, "`form_post`", &response_mode));
        }
        let prompt = p.required(param::PROMPT)?;
        if prompt != param::PROMPT_NONE {
            return Err(invalid(param::PROMPT, "`none`", &prompt));
        }
        Ok(Self {
            scope,
            response_type,
            response_mode,
            prompt,
            client_id: ClientId::new(p.required(param::CLIENT_ID)?),
            redirect_uri: p.required(param::REDIRECT_URI)?,
            login_hint: LoginHint::new(p.required(param::LOGIN_HINT)?),
            nonce: Nonce::new(p.required(param::NONCE)?),
            lti_message_hint: p.optional(param::LTI_MESSAGE_HINT).map(LtiMessageHint::new),
            state: p.optional(param::STATE).map(State::new),
            extra: p.extra,
        })
    }

    /// Reads a request from a URL query string or a form body; see [`from_pairs`](Self::from_pairs).
    ///
    /// # Errors
    /// As [`from_pairs`](Self::from_pairs).
    pub fn from_urlencoded(input: &[u8]) -> Result<Self, Error> {
        Self::from_pairs(super::urlencoded_pairs(input))
    }

    /// The parameters as `(name, value)` pairs; `lti_message_hint` and `state` only when set, then `extra`.
    pub fn to_pairs(&self) -> Vec<(&str, &str)> {
        let mut out = vec![
            (param::SCOPE, self.scope.as_str()),
            (param::RESPONSE_TYPE, self.response_type.as_str()),
            (param::RESPONSE_MODE, self.response_mode.as_str()),
            (param::PROMPT, self.prompt.as_str()),
            (param::CLIENT_ID, self.client_id.as_str()),
            (param::REDIRECT_URI, self.redirect_uri.as_str()),
            (param::LOGIN_HINT, self.login_hint.as_str()),
        ];
        if let Some(hint) = &self.lti_message_hint {
            out.push((param::LTI_MESSAGE_HINT, hint.as_str()));
        }
        out.push((param::NONCE, self.nonce.as_str()));
        if let Some(state) = &self.state {
            out.push((param::STATE, state.as_str()));
        }
        out.extend(self.extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        out
    }

    /// The redirect target: `auth_endpoint` with the parameters appended to its query (an existing query is
    /// kept; values are percent-encoded by [`url::Url::query_pairs_mut`]).
    pub fn to_url(&self, auth_endpoint: &Url) -> Url {
        let mut url = auth_endpoint.clone();
        url.query_pairs_mut().extend_pairs(self.to_pairs());
        url
    }
}

/// A [`Error::ParameterInvalid`].
fn invalid(parameter: &'static str, expected: &'static str, found: &str) -> Error {
    Error::ParameterInvalid {
        parameter,
        expected,
        found: clip(found),
    }
}

/// The parameters read into typed fields.
const KNOWN: &[&str] = &[
    param::SCOPE,
    param::RESPONSE_TYPE,
    param::RESPONSE_MODE,
    param::PROMPT,
    param::CLIENT_ID,
    param::REDIRECT_URI,
    param::LOGIN_HINT,
    param::LTI_MESSAGE_HINT,
    param::NONCE,
    param::STATE,
];
