//! The LTI 1.1 migration claim (Migr `#lti-1-1-migration-claim`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Claim;
use crate::uri::claim;
use crate::{ClientId, DeploymentId, Issuer, Nonce};

/// LTI 1.1 identifiers of a migrated link: `https://purl.imsglobal.org/spec/lti/claim/lti1p1`
/// (Migr `#lti-1-1-migration-claim`).
///
/// A tool should link a 1.1 account only after `oauth_consumer_key_sign` verifies for a key and secret it owns
/// (Migr `#oauth_consumer_key_sign`): [`verify_signature`](Self::verify_signature) checks it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lti1p1 {
    /// The LTI 1.1 consumer key of the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_consumer_key: Option<String>,
    /// Base64 HMAC-SHA256 proof that the platform knows the 1.1 secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_consumer_key_sign: Option<String>,
    /// The LTI 1.1 `user_id`, when different from `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The LTI 1.1 `context_id`, when different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    /// The LTI 1.1 `resource_link_id`, when different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_link_id: Option<String>,
    /// The LTI 1.1 `tool_consumer_instance_guid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_consumer_instance_guid: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Lti1p1 {
    /// An empty migration claim (fill the fields you have).
    pub fn new() -> Self {
        Self::default()
    }

    /// The text `oauth_consumer_key_sign` signs: `oauth_consumer_key & deployment_id & iss & client_id & exp &
    /// nonce`, joined with `&` (Migr `#oauth_consumer_key_sign`); `client_id` is the `aud` value, `exp` and
    /// `nonce` come from the same `id_token`. `None` when the claim has no `oauth_consumer_key`.
    ///
    /// The signature is `base64(HMAC-SHA256(key = utf8(lti11_secret), msg = utf8(this)))`.
    pub fn sign_base_string(
        &self,
        deployment_id: &DeploymentId,
        iss: &Issuer,
        client_id: &ClientId,
        exp: u64,
        nonce: &Nonce,
    ) -> Option<String> {
        let key = self.oauth_consumer_key.as_deref()?;
        Some(format!(
            "{key}&{deployment_id}&{iss}&{client_id}&{exp}&{nonce}"
        ))
    }
}

impl Lti1p1 {
    /// Whether `oauth_consumer_key_sign` is the HMAC-SHA256 of [`sign_base_string`](Self::sign_base_string)
    /// under `lti11_secret` (the secret the tool shared with the platform for `oauth_consumer_key`). Pass the
    /// values from the same verified id_token. `false` when either field is missing or the signature does not
    /// match (constant-time comparison).
    pub fn verify_signature(
        &self,
        lti11_secret: &[u8],
        deployment_id: &DeploymentId,
        iss: &Issuer,
        client_id: &ClientId,
        exp: u64,
        nonce: &Nonce,
    ) -> bool {
        let (Some(signature), Some(base)) = (
            self.oauth_consumer_key_sign.as_deref(),
            self.sign_base_string(deployment_id, iss, client_id, exp, nonce),
        ) else {
            return false;
        };
        lti_security::hmac_sha256_base64_matches(lti11_secret, base.as_bytes(), signature)
    }
}

impl Claim for Lti1p1 {
    const URI: &'static str = claim::LTI1P1;
}
