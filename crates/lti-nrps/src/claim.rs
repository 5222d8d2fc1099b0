//! The launch claim that announces the service [NRPS §3.6.1.1].

use lti_core::claims::NamesRoleService;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::error::clip;
use crate::uri::{CLAIM, SERVICE_VERSION};
use crate::{Error, is_secure_service_url};

/// `https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice`: where the membership of the launch's
/// context is served, and which versions (checklist N124).
///
/// The spec's prose says `service_version`; its example and every platform use `service_versions`, which is
/// what this type reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NrpsClaim {
    /// The membership URL of the launch's context, fully resolved.
    pub context_memberships_url: Url,
    /// The versions served at that URL; `["2.0"]`.
    pub service_versions: Vec<String>,
    /// Members of the object this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NrpsClaim {
    /// The claim a platform puts in a launch: `url` serving version 2.0.
    pub fn new(context_memberships_url: Url) -> Self {
        Self {
            context_memberships_url,
            service_versions: vec![SERVICE_VERSION.to_owned()],
            extra: Map::new(),
        }
    }

    /// Reads the claim of a validated launch (`lti-core`'s opaque [`NamesRoleService`]) and checks it:
    /// `service_versions` contains `"2.0"`, and the URL is `https` (plain `http` only to a loopback host), since a
    /// bearer token will be sent to it.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] when the JSON does not have the claim's shape;
    /// [`Error::UnsupportedVersion`] without `"2.0"`; [`Error::InsecureUrl`] for a non-https URL.
    pub fn from_launch(claim: &NamesRoleService) -> Result<Self, Error> {
        let parsed: Self = claim.parse().map_err(Error::InvalidClaim)?;
        parsed.check()?;
        Ok(parsed)
    }

    /// Checks a claim built or parsed by other means (see [`from_launch`](Self::from_launch)).
    ///
    /// # Errors
    /// As [`from_launch`](Self::from_launch), less the shape errors.
    pub fn check(&self) -> Result<(), Error> {
        if !self.service_versions.iter().any(|v| v == SERVICE_VERSION) {
            return Err(Error::UnsupportedVersion {
                found: self
                    .service_versions
                    .iter()
                    .take(8)
                    .map(|v| clip(v))
                    .collect(),
            });
        }
        if !is_secure_service_url(&self.context_memberships_url) {
            return Err(Error::InsecureUrl {
                what: "context_memberships_url",
                url: clip(&crate::shown_url(&self.context_memberships_url)),
            });
        }
        Ok(())
    }

    /// The claim as `lti-core`'s opaque service claim, for a platform building a launch.
    ///
    /// # Errors
    /// [`Error::Serialize`] if the claim cannot be written as JSON (it always can).
    pub fn to_service_claim(&self) -> Result<NamesRoleService, Error> {
        serde_json::to_value(self)
            .map(NamesRoleService::new)
            .map_err(|_| Error::Serialize { what: CLAIM })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn c124_platform_claim_has_the_url_and_version_2_0() {
        let url = Url::parse("https://lms.example/api/nrps/c1?sig=x").unwrap();
        let claim = NrpsClaim::new(url.clone()).to_service_claim().unwrap();
        assert_eq!(
            claim.as_value(),
            &json!({"context_memberships_url": url.as_str(), "service_versions": ["2.0"]})
        );
        assert_eq!(
            NrpsClaim::from_launch(&claim)
                .unwrap()
                .context_memberships_url,
            url
        );
    }

    #[test]
    fn c124_tool_refuses_a_claim_without_2_0_or_with_plain_http_or_the_wrong_shape() {
        let of = |v: Value| NrpsClaim::from_launch(&NamesRoleService::new(v));
        assert!(matches!(
            of(
                json!({"context_memberships_url": "https://lms.example/m", "service_versions": ["1.0"]})
            ),
            Err(Error::UnsupportedVersion { .. })
        ));
        assert!(matches!(
            of(
                json!({"context_memberships_url": "http://lms.example/m", "service_versions": ["2.0"]})
            ),
            Err(Error::InsecureUrl { .. })
        ));
        assert!(of(json!({"context_memberships_url": "http://localhost:8080/m", "service_versions": ["2.0"]})).is_ok());
        for bad in [
            json!({"service_versions": ["2.0"]}),
            json!({"context_memberships_url": "not a url", "service_versions": ["2.0"]}),
            json!({"context_memberships_url": "https://lms.example/m", "service_versions": "2.0"}),
            json!("https://lms.example/m"),
        ] {
            let err = of(bad.clone()).unwrap_err();
            assert!(matches!(err, Error::InvalidClaim(_)), "{bad}");
            assert!(err.to_string().contains("namesroleservice"), "{err}");
        }
    }
}
