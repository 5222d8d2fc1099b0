//! Step 1: the login initiation request, platform → tool [Sec §5.1.1.1; Core §4.1].

use std::borrow::Cow;
use std::collections::BTreeMap;

use url::Url;

use super::{Params, param};
use crate::error::Error;
use crate::{ClientId, DeploymentId, Issuer, LoginHint, LtiMessageHint, TargetLinkUri};

/// The third-party-initiated login request [Sec §5.1.1.1; Core §4.1], sent as a GET query or a POST form;
/// a tool must accept both (checklist A1).
///
/// `target_link_uri` here is **unsigned**: check it points to the tool, and redirect at the end to the signed
/// claim instead (checklist B35).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginInitiation {
    /// `iss`: the platform issuer.
    pub iss: Issuer,
    /// `login_hint`: opaque, echoed byte for byte in the authentication request (A6).
    pub login_hint: LoginHint,
    /// `target_link_uri`: where the user should land (unsigned).
    pub target_link_uri: TargetLinkUri,
    /// `lti_message_hint`: opaque, echoed unaltered when sent (A7) [Core §4.1.1].
    pub lti_message_hint: Option<LtiMessageHint>,
    /// `lti_deployment_id`: must equal the coming launch's `deployment_id` [Core §4.1.2].
    pub lti_deployment_id: Option<DeploymentId>,
    /// `client_id`: selects the registration when one issuer has several [Core §4.1.3].
    pub client_id: Option<ClientId>,
    /// `lti_storage_target`: the platform storage frame, when offered [CS-OIDC].
    pub lti_storage_target: Option<String>,
    /// Other parameters, ignored by the flow (first value of each kept).
    pub extra: BTreeMap<String, String>,
}

impl LoginInitiation {
    /// An initiation with the three required parameters.
    pub fn new(iss: Issuer, login_hint: LoginHint, target_link_uri: TargetLinkUri) -> Self {
        Self {
            iss,
            login_hint,
            target_link_uri,
            lti_message_hint: None,
            lti_deployment_id: None,
            client_id: None,
            lti_storage_target: None,
            extra: BTreeMap::new(),
        }
    }

    /// Reads the initiation from decoded `(name, value)` pairs.
    ///
    /// # Errors
    /// [`Error::ParameterMissing`] naming `iss`, `login_hint` or `target_link_uri` when absent or empty (A2);
    /// [`Error::ParameterDuplicated`] when a known parameter is sent twice.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Self, Error> {
        let mut p = Params::collect(KNOWN, pairs)?;
        let iss = p.required(param::ISS)?;
        let login_hint = p.required(param::LOGIN_HINT)?;
        let target_link_uri = p.required(param::TARGET_LINK_URI)?;
        Ok(Self {
            iss: Issuer::new(iss),
            login_hint: LoginHint::new(login_hint),
            target_link_uri: TargetLinkUri::new(target_link_uri),
            lti_message_hint: p.optional(param::LTI_MESSAGE_HINT).map(LtiMessageHint::new),
            lti_deployment_id: p.optional(param::LTI_DEPLOYMENT_ID).map(DeploymentId::new),
            client_id: p.optional(param::CLIENT_ID).map(ClientId::new),
            lti_storage_target: p.optional(param::LTI_STORAGE_TARGET),
            extra: p.extra,
        })
    }

    /// Reads the initiation from a URL query string or an `application/x-www-form-urlencoded` body.
    ///
    /// # Errors
    /// As [`from_pairs`](Self::from_pairs).
    pub fn from_urlencoded(input: &[u8]) -> Result<Self, Error> {
        Self::from_pairs(super::urlencoded_pairs(input))
    }

    /// The parameters as `(name, value)` pairs, required first, optional ones only when set, then `extra`.
    pub fn to_pairs(&self) -> Vec<(&str, &str)> {
        let mut out = vec![
            (param::ISS, self.iss.as_str()),
            (param::LOGIN_HINT, self.login_hint.as_str()),
            (param::TARGET_LINK_URI, self.target_link_uri.as_str()),
        ];
        let optional = [
            (
                param::LTI_MESSAGE_HINT,
                self.lti_message_hint.as_ref().map(LtiMessageHint::as_str),
            ),
            (
                param::LTI_DEPLOYMENT_ID,
                self.lti_deployment_id.as_ref().map(DeploymentId::as_str),
            ),
            (
                param::CLIENT_ID,
                self.client_id.as_ref().map(ClientId::as_str),
            ),
            (
                param::LTI_STORAGE_TARGET,
                self.lti_storage_target.as_deref(),
            ),
        ];
        out.extend(optional.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))));
        out.extend(self.extra.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        out
    }

    /// The GET form: the tool's `initiate_login_uri` with the parameters appended to its query (an existing
    /// query is kept).
    pub fn to_url(&self, initiate_login_uri: &Url) -> Url {
        let mut url = initiate_login_uri.clone();
        url.query_pairs_mut().extend_pairs(self.to_pairs());
        url
    }
}

/// The parameters read into typed fields.
const KNOWN: &[&str] = &[
    param::ISS,
    param::LOGIN_HINT,
    param::TARGET_LINK_URI,
    param::LTI_MESSAGE_HINT,
    param::LTI_DEPLOYMENT_ID,
    param::CLIENT_ID,
    param::LTI_STORAGE_TARGET,
];
