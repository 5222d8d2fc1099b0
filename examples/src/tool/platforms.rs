//! Registering a platform: the OpenID-configuration field names (`issuer`, `authorization_endpoint`,
//! `token_endpoint`, `jwks_uri`, optional `authorization_server`) plus the pair the platform assigned
//! (`client_id`, `deployment_id`). A whole OpenID configuration with the pair added is accepted too (other
//! members are ignored).

use std::sync::Arc;

use lti_core::PlatformRegistration;
use lti_storage::{Namespace, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ToolServerError;

/// The platforms the home page and `GET /api/platforms` list (the registry itself is
/// [`lti_tool::StoreRegistry`]; this index only remembers what was added).
const INDEX_NS: Namespace = Namespace::new("reference_tool.platforms");
/// The most platforms listed.
const MAX_LISTED: usize = 500;

/// A platform as the tool is told about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformSpec {
    /// The platform's issuer (`iss` of its id_tokens).
    pub issuer: String,
    /// Its OIDC authorization endpoint.
    pub authorization_endpoint: String,
    /// Its OAuth 2.0 token endpoint (services).
    pub token_endpoint: String,
    /// Its JWKS URL.
    pub jwks_uri: String,
    /// The client id the platform gave this tool.
    pub client_id: String,
    /// The deployment id the platform gave this tool.
    pub deployment_id: String,
    /// The audience of client assertions when it is not the token endpoint (D2L Brightspace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_server: Option<String>,
}

impl PlatformSpec {
    /// Parses the JSON description: an object whose required members are strings (other members ignored).
    ///
    /// # Errors
    /// [`ToolServerError::PlatformJson`] when the body is not a JSON object; [`ToolServerError::PlatformField`]
    /// naming the missing or mistyped member.
    pub fn from_json(json: &[u8]) -> Result<Self, ToolServerError> {
        let value: Value = serde_json::from_slice(json).map_err(ToolServerError::PlatformJson)?;
        let Value::Object(object) = value else {
            return Err(ToolServerError::PlatformField {
                field: "(the body)",
                expected: "a JSON object",
                found: kind(&value),
            });
        };
        let required = |field: &'static str| match object.get(field) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(ToolServerError::PlatformField {
                field,
                expected: "a string",
                found: kind(other),
            }),
            None => Err(ToolServerError::PlatformField {
                field,
                expected: "a string",
                found: "nothing: the member is missing",
            }),
        };
        let authorization_server = match object.get("authorization_server") {
            None | Some(Value::Null) => None,
            Some(_) => Some(required("authorization_server")?),
        };
        Ok(Self {
            issuer: required("issuer")?,
            authorization_endpoint: required("authorization_endpoint")?,
            token_endpoint: required("token_endpoint")?,
            jwks_uri: required("jwks_uri")?,
            client_id: required("client_id")?,
            deployment_id: required("deployment_id")?,
            authorization_server,
        })
    }

    /// The checked registration (URLs https or loopback http, non-empty ids).
    ///
    /// # Errors
    /// [`ToolServerError::Registration`] naming the field.
    pub fn to_registration(&self) -> Result<PlatformRegistration, ToolServerError> {
        let mut builder =
            PlatformRegistration::builder(self.issuer.as_str(), self.client_id.as_str())
                .authorization_endpoint(self.authorization_endpoint.clone())
                .token_endpoint(self.token_endpoint.clone())
                .jwks_url(self.jwks_uri.clone())
                .deployment(self.deployment_id.as_str());
        if let Some(audience) = &self.authorization_server {
            builder = builder.token_audience(audience.clone());
        }
        builder.build().map_err(ToolServerError::Registration)
    }
}

/// The list of added platforms, in a [`Store`].
#[derive(Debug, Clone)]
pub(crate) struct PlatformIndex {
    store: Arc<dyn Store>,
}

impl PlatformIndex {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Remembers `spec` (replacing the entry of the same issuer and client id).
    pub(crate) async fn put(&self, spec: &PlatformSpec) -> Result<(), ToolServerError> {
        let key = key(spec)?;
        let json = serde_json::to_vec(spec).map_err(|_| ToolServerError::Corrupt {
            what: "platform index entry",
        })?;
        self.store
            .put(INDEX_NS, &key, &json, None)
            .await
            .map_err(ToolServerError::Storage)?;
        self.store.flush().await.map_err(ToolServerError::Storage)
    }

    /// Every remembered platform (at most 500), in key order.
    pub(crate) async fn list(&self) -> Result<Vec<PlatformSpec>, ToolServerError> {
        let entries = self
            .store
            .scan_prefix(INDEX_NS, b"", None, MAX_LISTED)
            .await
            .map_err(ToolServerError::Storage)?;
        entries
            .iter()
            .map(|e| {
                serde_json::from_slice(&e.value).map_err(|_| ToolServerError::Corrupt {
                    what: "platform index entry",
                })
            })
            .collect()
    }
}

/// The JSON type of `value`, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `issuer ‖ 0x00 ‖ client_id` (neither may contain NUL once validated as URL / id text).
fn key(spec: &PlatformSpec) -> Result<Vec<u8>, ToolServerError> {
    let mut key = Vec::with_capacity(spec.issuer.len() + spec.client_id.len() + 1);
    key.extend_from_slice(spec.issuer.as_bytes());
    key.push(0);
    key.extend_from_slice(spec.client_id.as_bytes());
    if key.len() > lti_storage::MAX_KEY_LEN {
        return Err(ToolServerError::Config {
            field: "issuer, client_id",
            expected: "an issuer and client id short enough for a store key",
            found: format!("{} bytes", key.len()),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn json() -> serde_json::Value {
        serde_json::json!({
            "issuer": "https://lms.example",
            "authorization_endpoint": "https://lms.example/auth",
            "token_endpoint": "https://lms.example/token",
            "jwks_uri": "https://lms.example/jwks",
            "client_id": "c1",
            "deployment_id": "d1",
            "scopes_supported": ["openid"]
        })
    }

    #[test]
    fn openid_configuration_plus_pair_is_a_registration() {
        let spec = PlatformSpec::from_json(json().to_string().as_bytes()).unwrap();
        let registration = spec.to_registration().unwrap();
        assert_eq!(registration.token_audience(), "https://lms.example/token");
        assert!(registration.accepts_deployment(&lti_core::DeploymentId::new("d1")));
    }

    #[test]
    fn missing_pair_and_plain_http_are_refused_naming_the_field() {
        let mut j = json();
        j.as_object_mut().unwrap().remove("deployment_id");
        let e = PlatformSpec::from_json(j.to_string().as_bytes()).unwrap_err();
        assert!(e.to_string().contains("deployment_id"), "{e}");
        assert_eq!(e.status(), 400);
        let mut j = json();
        j["client_id"] = 42.into();
        let e = PlatformSpec::from_json(j.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "platform member `client_id`: expected a string (found a number)"
        );
        for bad in ["[]", "null", "{", ""] {
            assert_eq!(
                PlatformSpec::from_json(bad.as_bytes())
                    .unwrap_err()
                    .status(),
                400,
                "{bad}"
            );
        }
        let mut j = json();
        j["jwks_uri"] = "http://lms.example/jwks".into();
        let e = PlatformSpec::from_json(j.to_string().as_bytes())
            .unwrap()
            .to_registration()
            .unwrap_err();
        assert!(e.to_string().contains("jwks"), "{e}");
    }
}
