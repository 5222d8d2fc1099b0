//! The server's settings: its public base URL (every URL it registers is derived from it), its data directory
//! and the two automation switches.

use std::path::{Path, PathBuf};

use url::{Host, Url};

use super::error::ToolServerError;

/// The reference tool's configuration.
#[derive(Debug, Clone)]
pub struct ToolServerConfig {
    base_url: Url,
    data_dir: PathBuf,
    auto_services: bool,
    auto_deep_link: bool,
}

impl ToolServerConfig {
    /// A configuration for a tool reachable at `base_url` (https, or http to a loopback host for development;
    /// no query, fragment or credentials) keeping its state under `data_dir`.
    ///
    /// # Errors
    /// [`ToolServerError::Config`] naming `--base-url` when the URL is not acceptable.
    pub fn new(base_url: &str, data_dir: impl Into<PathBuf>) -> Result<Self, ToolServerError> {
        let invalid = |expected: &'static str| ToolServerError::Config {
            field: "--base-url",
            expected,
            found: base_url.chars().take(200).collect(),
        };
        let mut url = Url::parse(base_url).map_err(|_| invalid("an absolute URL"))?;
        let loopback = match url.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => return Err(invalid("a URL with a host")),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(invalid(
                    "an https URL (http only to localhost, 127.0.0.0/8 or ::1)",
                ));
            }
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("a URL without query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("a URL without credentials"));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self {
            base_url: url,
            data_dir: data_dir.into(),
            auto_services: false,
            auto_deep_link: false,
        })
    }

    /// Runs every offered service during the launch (`--auto-services`).
    #[must_use]
    pub fn with_auto_services(mut self, on: bool) -> Self {
        self.auto_services = on;
        self
    }

    /// Answers a deep-linking request at once with one graded `ltiResourceLink` (`--auto-deep-link`).
    #[must_use]
    pub fn with_auto_deep_link(mut self, on: bool) -> Self {
        self.auto_deep_link = on;
        self
    }

    /// The public base URL (ends with `/`).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The data directory (sled store and key file).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether services run during the launch.
    pub fn auto_services(&self) -> bool {
        self.auto_services
    }

    /// Whether deep linking answers without the picker.
    pub fn auto_deep_link(&self) -> bool {
        self.auto_deep_link
    }

    /// The OIDC login initiation URL: `{base}lti/login`.
    pub fn login_url(&self) -> Url {
        self.url("lti/login")
    }

    /// The launch URL (the only redirect URI): `{base}lti/launch`.
    pub fn launch_url(&self) -> Url {
        self.url("lti/launch")
    }

    /// The tool's JWKS: `{base}.well-known/jwks.json`.
    pub fn jwks_url(&self) -> Url {
        self.url(".well-known/jwks.json")
    }

    /// The default target of resource-link launches: `{base}activities/default`.
    pub fn target_link_uri(&self) -> Url {
        self.url("activities/default")
    }

    /// The target of deep-linking launches: `{base}deep-link`.
    pub fn deep_link_uri(&self) -> Url {
        self.url("deep-link")
    }

    /// The URL of a catalogue activity: `{base}activities/{slug}`.
    pub fn activity_url(&self, slug: &str) -> Url {
        self.url(&format!("activities/{slug}"))
    }

    /// `path` (relative, no leading `/`) under the base URL.
    fn url(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        let joined = format!("{}{}", self.base_url.path(), path);
        url.set_path(&joined);
        url
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base_url_rules() {
        let c = ToolServerConfig::new("http://localhost:8100", "d").unwrap();
        assert_eq!(c.login_url().as_str(), "http://localhost:8100/lti/login");
        let c = ToolServerConfig::new("https://tool.example/prefix", "d").unwrap();
        assert_eq!(
            c.launch_url().as_str(),
            "https://tool.example/prefix/lti/launch"
        );
        for bad in [
            "http://tool.example",
            "ftp://localhost",
            "https://tool.example/?x=1",
            "https://u:p@tool.example/",
            "not a url",
        ] {
            assert!(ToolServerConfig::new(bad, "d").is_err(), "{bad}");
        }
    }
}
