//! The server's state: store, keys, registry and the tool facade, opened from the data directory.

use std::sync::Arc;

use lti_core::PlatformRegistration;
use lti_core::registration::dynamic::ClientRegistration;
use lti_http::{HttpClient, ReqwestClient};
use lti_security::{KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, SledStore, Store, SystemClock};
use lti_tool::{StoreRegistry, TokenSource, Tool, ToolConfig};

use super::config::ToolServerConfig;
use super::error::ToolServerError;
use super::essays::Essays;
use super::keys::load_or_create_key;
use super::launches::Launches;
use super::platforms::{PlatformIndex, PlatformSpec};
use super::registration::tool_registration;

/// The key ring's name in the store.
const KEY_RING: &str = "reference-tool";

/// The reference tool's state, cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct ToolServer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ToolServerConfig,
    tool: Tool,
    registry: StoreRegistry,
    index: PlatformIndex,
    launches: Launches,
    essays: Essays,
    keys: Arc<KeyRing>,
    tokens: TokenSource,
    clock: Arc<dyn Clock>,
}

impl ToolServer {
    /// Opens the data directory with the system clock and the reqwest client (redirects off).
    ///
    /// # Errors
    /// As [`open_with`](Self::open_with), or [`ToolServerError::Config`] when the HTTP client cannot be built.
    pub async fn open(config: ToolServerConfig) -> Result<Self, ToolServerError> {
        let http = ReqwestClient::new().map_err(|e| ToolServerError::Config {
            field: "http client",
            expected: "a working TLS setup",
            found: e.to_string(),
        })?;
        Self::open_with(config, Arc::new(SystemClock), Arc::new(http)).await
    }

    /// Opens (or creates) `DIR/store` (sled) and `DIR/tool.kek`, the key ring (private keys encrypted under the
    /// key file), the platform registry and the tool facade (deep linking on), with `clock` and `http` (JWKS
    /// fetches, service calls).
    ///
    /// # Errors
    /// [`ToolServerError::Io`] for the directory or key file, [`ToolServerError::Storage`] when sled cannot open
    /// (another process holds it), [`ToolServerError::Security`] for the keys, [`ToolServerError::Tool`] when the
    /// facade refuses the configuration.
    pub async fn open_with(
        config: ToolServerConfig,
        clock: Arc<dyn Clock>,
        http: Arc<dyn HttpClient>,
    ) -> Result<Self, ToolServerError> {
        let kek = load_or_create_key(config.data_dir())?;
        let store: Arc<dyn Store> = Arc::new(
            SledStore::open_with_clock(config.data_dir().join("store"), clock.clone())
                .map_err(ToolServerError::Storage)?,
        );
        let keys = Arc::new(
            KeyRing::open(
                store.clone(),
                KEY_RING,
                KeyProtection::encrypted(kek),
                clock.clone(),
                KeyRingConfig::new(),
            )
            .await
            .map_err(ToolServerError::Security)?,
        );
        let registry = StoreRegistry::new(store.clone());
        let tool = Tool::builder(ToolConfig::new(config.launch_url()))
            .registry(Arc::new(registry.clone()))
            .store(store.clone())
            .http_client(http.clone())
            .clock(clock.clone())
            .key_ring(keys.clone())
            .deep_linking()
            .build()
            .map_err(ToolServerError::Tool)?;
        let tokens = TokenSource::new(http.clone(), keys.clone(), clock.clone());
        tracing::info!(
            base_url = %config.base_url(),
            data = %config.data_dir().display(),
            kid = %keys.signing_key().kid(),
            "reference tool ready"
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                tool,
                registry,
                index: PlatformIndex::new(store.clone()),
                launches: Launches::new(store.clone()),
                essays: Essays::new(store),
                keys,
                tokens,
                clock,
            }),
        })
    }

    /// Registers (or replaces) a platform, durably.
    ///
    /// # Errors
    /// [`ToolServerError::Registration`] naming an unusable field; [`ToolServerError::Registry`] or
    /// [`ToolServerError::Storage`] when the store fails.
    pub async fn add_platform(
        &self,
        spec: &PlatformSpec,
    ) -> Result<PlatformRegistration, ToolServerError> {
        let registration = spec.to_registration()?;
        self.inner
            .registry
            .save(&registration)
            .await
            .map_err(ToolServerError::Registry)?;
        self.inner.index.put(spec).await?;
        tracing::info!(issuer = %spec.issuer, client_id = %spec.client_id, "platform registered");
        Ok(registration)
    }

    /// The platforms added so far.
    ///
    /// # Errors
    /// [`ToolServerError::Storage`] or [`ToolServerError::Corrupt`].
    pub async fn platforms(&self) -> Result<Vec<PlatformSpec>, ToolServerError> {
        self.inner.index.list().await
    }

    /// Removes up to `limit` expired launch records from disk (reads never see them; this reclaims the space).
    /// `lti-tool`'s own login-state and nonce records expire the same way but the facade has no purge hook yet.
    ///
    /// # Errors
    /// [`ToolServerError::Storage`].
    pub async fn purge_expired(&self, limit: usize) -> Result<usize, ToolServerError> {
        self.inner.launches.purge_expired(limit).await
    }

    /// The tool's Dynamic-Registration JSON.
    pub fn registration(&self) -> ClientRegistration {
        tool_registration(&self.inner.config)
    }

    /// The configuration.
    pub fn config(&self) -> &ToolServerConfig {
        &self.inner.config
    }

    /// The tool facade.
    pub fn tool(&self) -> &Tool {
        &self.inner.tool
    }

    /// The tool's key ring.
    pub fn keys(&self) -> &Arc<KeyRing> {
        &self.inner.keys
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub(crate) fn registry(&self) -> &StoreRegistry {
        &self.inner.registry
    }

    pub(crate) fn launches(&self) -> &Launches {
        &self.inner.launches
    }

    pub(crate) fn essays(&self) -> &Essays {
        &self.inner.essays
    }

    pub(crate) fn tokens(&self) -> &TokenSource {
        &self.inner.tokens
    }
}
