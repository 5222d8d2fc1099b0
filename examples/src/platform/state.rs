//! Opening the data directory: the key-encryption key file, the sled store, the platform key ring and the
//! `lti-platform` facades, shared by every handler.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lti_ags::{AgsService, StoreGradebook};
use lti_core::Issuer;
use lti_core::service_access::{
    ScopedUrlKey, ServiceAuthorizer, ServiceGate, StoreContextAdoption,
};
use lti_http::{HttpClient, ReqwestClient};
use lti_nrps::{NrpsService, StoreRoster};
use lti_platform::{DeepLinking, Platform, PlatformConfig};
use lti_security::{
    JwksCache, KeyEncryptionKey, KeyProtection, KeyRing, KeyRingConfig, random_token,
};
use lti_storage::{Clock, SledStore, Store, SystemClock};
use url::Url;

use super::course::Courses;
use super::registry::StoreToolRegistry;
use super::session::Sessions;

/// The name of the key-encryption key file inside the data directory (created on first start, mode 0600).
pub const KEY_FILE: &str = "platform.key";
/// The name of the service URL secret file inside the data directory (created on first start, mode 0600): the
/// key of the scoped AGS and NRPS URLs.
pub const SERVICE_KEY_FILE: &str = "services.key";
/// The name of the file that records the issuer the platform last opened with (read by `tools add`).
pub const ISSUER_FILE: &str = "issuer";
/// The name of the sled store directory inside the data directory.
pub const STORE_DIR: &str = "store";
/// The key ring's name in the store.
const KEY_RING: &str = "reference-platform";

/// Why the platform could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The data directory or the key file could not be created or read.
    #[error("data directory `{path}`: {reason}")]
    DataDir {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The issuer is not a usable base URL.
    #[error("--issuer `{value}`: {reason}")]
    Issuer {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The key-encryption key or the key ring failed.
    #[error("keys: {0}")]
    Keys(#[from] lti_security::Error),
    /// The store failed.
    #[error("store: {0}")]
    Storage(#[from] lti_storage::Error),
    /// The platform facade refused its configuration.
    #[error("platform configuration: {0}")]
    Config(#[from] lti_platform::ConfigError),
    /// The HTTP client could not be built.
    #[error("http client: {0}")]
    Http(#[from] lti_http::HttpError),
    /// The course data could not be seeded.
    #[error("seed: {0}")]
    Seed(#[from] super::course::CourseError),
    /// A service (AGS, NRPS) refused its configuration.
    #[error("services: {0}")]
    Services(String),
}

/// The URLs the platform serves, all under the issuer (OpenID configuration names).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// The issuer exactly as given (tools compare it as a string; `Url` would add a trailing slash).
    pub issuer: String,
    /// The issuer parsed: the base of every other URL.
    pub base: Url,
    /// The OIDC authorization endpoint (`/auth`).
    pub authorization_endpoint: Url,
    /// The OAuth 2.0 token endpoint (`/token`).
    pub token_endpoint: Url,
    /// The platform's JWKS (`/jwks`).
    pub jwks_uri: Url,
    /// The deep linking return URL (`/deep-linking/return`).
    pub deep_link_return: Url,
    /// Tool registration (`/api/tools`).
    pub registration_endpoint: Url,
    /// The base of the AGS service (`/api/lti/ags`).
    pub ags_base: Url,
    /// The base of the NRPS service (`/api/lti/nrps`).
    pub nrps_base: Url,
}

impl Endpoints {
    /// The endpoints under `issuer`: an `http(s)` URL without query or fragment (a path is kept as a prefix).
    ///
    /// # Errors
    /// [`SetupError::Issuer`] for another scheme, a query, a fragment or a URL that cannot have paths.
    pub fn new(issuer: &str) -> Result<Self, SetupError> {
        let bad = |reason: &str| SetupError::Issuer {
            value: issuer.chars().take(100).collect(),
            reason: reason.to_owned(),
        };
        let base = Url::parse(issuer).map_err(|e| bad(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(bad("expected an http(s) URL with a host"));
        }
        if base.query().is_some() || base.fragment().is_some() || issuer.contains(['?', '#']) {
            return Err(bad("an issuer has no query or fragment [Sec §5.1.2]"));
        }
        Ok(Self {
            authorization_endpoint: under(&base, &["auth"]).ok_or_else(|| bad("no path"))?,
            token_endpoint: under(&base, &["token"]).ok_or_else(|| bad("no path"))?,
            jwks_uri: under(&base, &["jwks"]).ok_or_else(|| bad("no path"))?,
            deep_link_return: under(&base, &["deep-linking", "return"])
                .ok_or_else(|| bad("no path"))?,
            registration_endpoint: under(&base, &["api", "tools"]).ok_or_else(|| bad("no path"))?,
            ags_base: under(&base, &["api", "lti", "ags"]).ok_or_else(|| bad("no path"))?,
            nrps_base: under(&base, &["api", "lti", "nrps"]).ok_or_else(|| bad("no path"))?,
            issuer: issuer.to_owned(),
            base,
        })
    }

    /// A URL under the issuer made of `segments` (each one percent-encoded as a path segment).
    pub fn url(&self, segments: &[&str]) -> Url {
        // ok to fall back: `new` checked that the issuer can have a path, so `under` never returns `None` here
        under(&self.base, segments).unwrap_or_else(|| self.base.clone())
    }
}

/// `base` with `segments` appended to its path (a trailing empty segment is dropped first).
fn under(base: &Url, segments: &[&str]) -> Option<Url> {
    let mut url = base.clone();
    {
        let mut path = url.path_segments_mut().ok()?;
        path.pop_if_empty();
        path.extend(segments);
    }
    Some(url)
}

/// Everything the handlers share. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PlatformState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    endpoints: Endpoints,
    platform: Platform,
    deep_linking: DeepLinking,
    ags: AgsService,
    nrps: NrpsService,
    store: Arc<dyn Store>,
    tools: StoreToolRegistry,
    courses: Courses,
    sessions: Sessions,
    clock: Arc<dyn Clock>,
}

impl PlatformState {
    /// Opens (or creates) the platform in `data`, serving under `issuer`: the key file (created on first start
    /// with mode 0600; private keys in the store are encrypted with it, never plaintext), the sled store, the
    /// key ring, the facades, and the demo course (seeded on first start). Outbound calls (tool JWKS) go through
    /// reqwest.
    ///
    /// # Errors
    /// See [`SetupError`].
    pub async fn open(data: &Path, issuer: &str) -> Result<Self, SetupError> {
        let http: Arc<dyn HttpClient> = Arc::new(ReqwestClient::new()?);
        Self::open_with(data, issuer, Arc::new(SystemClock), http).await
    }

    /// [`open`](Self::open) with the clock and the outbound HTTP client injected.
    ///
    /// # Errors
    /// See [`SetupError`].
    pub async fn open_with(
        data: &Path,
        issuer: &str,
        clock: Arc<dyn Clock>,
        http: Arc<dyn HttpClient>,
    ) -> Result<Self, SetupError> {
        let endpoints = Endpoints::new(issuer)?;
        std::fs::create_dir_all(data).map_err(|e| SetupError::DataDir {
            path: data.to_owned(),
            reason: e.to_string(),
        })?;
        let kek = key_encryption_key(&data.join(KEY_FILE))?;
        let service_secret = service_secret(&data.join(SERVICE_KEY_FILE))?;
        let store: Arc<dyn Store> = Arc::new(
            SledStore::open_with_clock(data.join(STORE_DIR), clock.clone()).map_err(|e| {
                let cause = std::error::Error::source(&e)
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default();
                SetupError::DataDir {
                    path: data.join(STORE_DIR),
                    reason: format!(
                        "cannot open the store (is a reference-platform already running on it?){cause}"
                    ),
                }
            })?,
        );
        std::fs::write(data.join(ISSUER_FILE), &endpoints.issuer).map_err(|e| {
            SetupError::DataDir {
                path: data.join(ISSUER_FILE),
                reason: e.to_string(),
            }
        })?;
        let keys = KeyRing::open(
            store.clone(),
            KEY_RING,
            KeyProtection::encrypted(kek),
            clock.clone(),
            KeyRingConfig::new(),
        )
        .await?;
        let tools = StoreToolRegistry::new(store.clone());
        let config = PlatformConfig::new(
            Issuer::new(endpoints.issuer.as_str()),
            endpoints.authorization_endpoint.clone(),
        )
        .with_token_endpoint(endpoints.token_endpoint.clone());
        let jwks = JwksCache::new(http, clock.clone());
        let platform = Platform::builder(config)
            .tools(Arc::new(tools.clone()))
            .store(store.clone())
            .key_ring(Arc::new(keys))
            .clock(clock.clone())
            .jwks_cache(jwks.clone())
            .build()?;
        let deep_linking = DeepLinking::new(&platform, jwks);
        let roster = Arc::new(StoreRoster::new(store.clone(), clock.clone()));
        let gradebook = Arc::new(StoreGradebook::new(store.clone()));
        let adoption = Arc::new(StoreContextAdoption::new(store.clone()));
        let authorizer: Arc<dyn ServiceAuthorizer> = Arc::new(platform.clone());
        let urls = ScopedUrlKey::new(service_secret.as_bytes())
            .map_err(|e| SetupError::Services(e.to_string()))?;
        let gate = ServiceGate::new(authorizer, adoption.clone(), urls);
        let ags = AgsService::new(endpoints.ags_base.as_str(), gate.clone(), gradebook.clone())
            .map_err(|e| SetupError::Services(e.to_string()))?;
        let nrps = NrpsService::new(gate, roster.clone(), endpoints.nrps_base.clone())
            .map_err(|e| SetupError::Services(e.to_string()))?;
        let courses = Courses::new(store.clone(), roster, gradebook, adoption);
        super::seed::seed(&courses).await?;
        let sessions = Sessions::new(store.clone());
        tracing::info!(issuer = %endpoints.issuer, data = %data.display(), "reference platform ready");
        Ok(Self {
            inner: Arc::new(Inner {
                endpoints,
                platform,
                deep_linking,
                ags,
                nrps,
                store,
                tools,
                courses,
                sessions,
                clock,
            }),
        })
    }

    /// The URLs served.
    pub fn endpoints(&self) -> &Endpoints {
        &self.inner.endpoints
    }

    /// The platform facade.
    pub fn platform(&self) -> &Platform {
        &self.inner.platform
    }

    /// The deep linking facade.
    pub fn deep_linking(&self) -> &DeepLinking {
        &self.inner.deep_linking
    }

    /// The Assignment and Grade Services endpoint.
    pub fn ags(&self) -> &AgsService {
        &self.inner.ags
    }

    /// The Names and Role Provisioning Services endpoint.
    pub fn nrps(&self) -> &NrpsService {
        &self.inner.nrps
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The tool registrations.
    pub fn tools(&self) -> &StoreToolRegistry {
        &self.inner.tools
    }

    /// Courses, members, links and line items.
    pub fn courses(&self) -> &Courses {
        &self.inner.courses
    }

    /// Sign-in sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }
}

/// Reads the key-encryption key from `path`, or creates it (32 random bytes as base64, mode 0600).
fn key_encryption_key(path: &Path) -> Result<KeyEncryptionKey, SetupError> {
    if path.exists() {
        return Ok(KeyEncryptionKey::from_file(path)?);
    }
    let kek = KeyEncryptionKey::generate()?;
    write_private(path, kek.to_base64().as_bytes())?;
    tracing::info!(path = %path.display(), "created the key-encryption key file (mode 0600)");
    Ok(kek)
}

/// Reads the service URL secret from `path`, or creates it (256 random bits, base64url, mode 0600).
fn service_secret(path: &Path) -> Result<zeroize::Zeroizing<String>, SetupError> {
    let data_dir = |e: std::io::Error| SetupError::DataDir {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    if path.exists() {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(data_dir)?);
        return Ok(zeroize::Zeroizing::new(text.trim().to_owned()));
    }
    let secret = zeroize::Zeroizing::new(random_token(32)?);
    write_private(path, secret.as_bytes())?;
    Ok(secret)
}

/// Creates `path` exclusively (a racing start cannot overwrite it) with mode 0600 and writes `contents`.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), SetupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let data_dir = |e: std::io::Error| SetupError::DataDir {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut file = options.open(path).map_err(data_dir)?;
    file.write_all(contents).map_err(data_dir)?;
    file.sync_all().map_err(data_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_sit_under_the_issuer() {
        let e = Endpoints::new("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            e.authorization_endpoint.as_str(),
            "http://127.0.0.1:8080/auth"
        );
        assert_eq!(
            e.deep_link_return.as_str(),
            "http://127.0.0.1:8080/deep-linking/return"
        );
        let e = Endpoints::new("https://lms.example/lti/").unwrap();
        assert_eq!(e.token_endpoint.as_str(), "https://lms.example/lti/token");
        assert_eq!(e.issuer, "https://lms.example/lti/");
        assert_eq!(
            Endpoints::new("http://127.0.0.1:8080").unwrap().issuer,
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            e.url(&["api", "contexts", "a/b"]).as_str(),
            "https://lms.example/lti/api/contexts/a%2Fb"
        );
    }

    #[test]
    fn issuer_with_query_or_other_scheme_is_refused() {
        assert!(Endpoints::new("https://lms.example/?x=1").is_err());
        assert!(Endpoints::new("ftp://lms.example").is_err());
        assert!(Endpoints::new("not a url").is_err());
    }
}
