//! A tiny test platform for the tool's tests and bench: an RS256 key whose JWKS is served through a
//! `RouterClient`, a registration, and a function minting id_tokens from the state and nonce the tool produced.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code,
    unreachable_pub
)]

use std::sync::Arc;

use bytes::Bytes;
use lti_core::PlatformRegistration;
use lti_core::uri::{LTI_VERSION, claim, message_type};
use lti_http::RouterClient;
use lti_security::{Algorithm, ManualClock, SigningKey, sign_jwt};
use lti_storage::{MemoryStore, Store};
use lti_tool::{Launch, LaunchError, StaticRegistry, Tool, ToolConfig};
use serde_json::{Value, json};

pub const ISS: &str = "https://platform.example";
pub const CLIENT_ID: &str = "tool-client-1";
pub const DEPLOYMENT: &str = "deployment-1";
pub const TOOL: &str = "https://tool.example";
pub const TARGET: &str = "https://tool.example/resource/42";

/// The key used by every test platform (generated once per process: RSA generation is slow).
pub fn platform_key() -> Arc<SigningKey> {
    static KEY: std::sync::OnceLock<Arc<SigningKey>> = std::sync::OnceLock::new();
    Arc::clone(KEY.get_or_init(|| {
        Arc::new(
            SigningKey::generate(Algorithm::Rs256)
                .unwrap()
                .with_kid("platform-key-1"),
        )
    }))
}

pub fn registration(issuer: &str, client_id: &str) -> PlatformRegistration {
    PlatformRegistration::builder(issuer, client_id)
        .authorization_endpoint(format!("{ISS}/auth"))
        .token_endpoint(format!("{ISS}/token"))
        .jwks_url(format!("{ISS}/jwks"))
        .deployment(DEPLOYMENT)
        .deployment("deployment-2")
        .build()
        .unwrap()
}

pub struct Platform {
    pub key: Arc<SigningKey>,
    pub router: RouterClient,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn Store>,
    pub tool: Tool,
}

/// What the tool's login response told the platform.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub state: String,
    pub nonce: String,
    pub cookie: String,
    pub location: url::Url,
}

impl Platform {
    pub fn new() -> Self {
        Self::with(
            ToolConfig::new(format!("{TOOL}/launch").parse().unwrap()),
            None,
        )
    }

    pub fn with_config(config: ToolConfig) -> Self {
        Self::with(config, None)
    }

    /// A platform and a tool; `store` defaults to a `MemoryStore` on the shared manual clock.
    pub fn with(config: ToolConfig, store: Option<Arc<dyn Store>>) -> Self {
        Self::with_keys(config, store, None)
    }

    /// As [`with`](Self::with), the tool also holding `key_ring` (for service tokens).
    pub fn with_keys(
        config: ToolConfig,
        store: Option<Arc<dyn Store>>,
        key_ring: Option<Arc<lti_security::KeyRing>>,
    ) -> Self {
        let key = platform_key();
        let clock = Arc::new(ManualClock::starting_now());
        let router = RouterClient::new();
        let jwks = serde_json::to_string(&json!({ "keys": [key.public_jwk()] })).unwrap();
        router
            .route(ISS, move |_request: http::Request<Bytes>| {
                let jwks = jwks.clone();
                async move {
                    http::Response::builder()
                        .header(http::header::CONTENT_TYPE, "application/json")
                        .body(Bytes::from(jwks))
                        .unwrap()
                }
            })
            .unwrap();
        let store = store
            .unwrap_or_else(|| Arc::new(MemoryStore::with_clock(clock.clone())) as Arc<dyn Store>);
        let registry = StaticRegistry::new([
            registration(ISS, CLIENT_ID),
            registration(ISS, "tool-client-2"),
            registration("https://other-platform.example", "other-client"),
        ]);
        let mut builder = Tool::builder(config)
            .registry(Arc::new(registry))
            .store(Arc::clone(&store))
            .http_client(Arc::new(router.clone()))
            .clock(clock.clone());
        if let Some(key_ring) = key_ring {
            builder = builder.key_ring(key_ring);
        }
        let tool = builder.build().unwrap();
        Self {
            key,
            router,
            clock,
            store,
            tool,
        }
    }

    pub fn now(&self) -> u64 {
        use lti_security::Clock;
        self.clock.unix_seconds()
    }

    /// Runs a GET login with `params` (name, value) and returns the raw response.
    pub async fn login_response(&self, params: &[(&str, &str)]) -> http::Response<Bytes> {
        let mut url: url::Url = format!("{TOOL}/login").parse().unwrap();
        url.query_pairs_mut().extend_pairs(params);
        let request = http::Request::get(url.as_str()).body(Bytes::new()).unwrap();
        self.tool.login(request).await
    }

    /// A standard login for `CLIENT_ID`, checked to succeed.
    pub async fn login(&self) -> LoginOutcome {
        self.login_with(&[
            ("iss", ISS),
            ("login_hint", "user-1"),
            ("target_link_uri", TARGET),
            ("client_id", CLIENT_ID),
        ])
        .await
    }

    pub async fn login_with(&self, params: &[(&str, &str)]) -> LoginOutcome {
        let response = self.login_response(params).await;
        assert_eq!(response.status(), 302, "{:?}", response.body());
        outcome(&response)
    }

    /// Valid claims of a resource link launch answering `login`.
    pub fn claims(&self, login: &LoginOutcome) -> Value {
        let now = self.now();
        json!({
            "iss": ISS,
            "aud": CLIENT_ID,
            "sub": "user-1",
            "exp": now + 300,
            "iat": now,
            "nonce": login.nonce,
            "name": "Ada Lovelace",
            "email": "ada@example.edu",
            (claim::MESSAGE_TYPE): message_type::RESOURCE_LINK_REQUEST,
            (claim::VERSION): LTI_VERSION,
            (claim::DEPLOYMENT_ID): DEPLOYMENT,
            (claim::TARGET_LINK_URI): TARGET,
            (claim::RESOURCE_LINK): { "id": "rl-1", "title": "Week 1" },
            (claim::ROLES): ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            (claim::CONTEXT): { "id": "course-1", "label": "C1" },
        })
    }

    pub fn sign(&self, claims: &Value) -> String {
        sign_jwt(&self.key, claims).unwrap()
    }

    /// The form post of `id_token` and `state` with the state cookie.
    pub fn post(&self, id_token: &str, state: &str, cookie: Option<&str>) -> http::Request<Bytes> {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token", id_token)
            .append_pair("state", state)
            .finish();
        let mut builder = http::Request::post(format!("{TOOL}/launch")).header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
        if let Some(cookie) = cookie {
            builder = builder.header(http::header::COOKIE, format!("other=1; lti_state={cookie}"));
        }
        builder.body(Bytes::from(body)).unwrap()
    }

    /// Login, then a launch with the standard claims changed by `edit`.
    pub async fn launch_with(&self, edit: impl FnOnce(&mut Value)) -> Result<Launch, LaunchError> {
        let login = self.login().await;
        let mut claims = self.claims(&login);
        edit(&mut claims);
        let token = self.sign(&claims);
        self.tool
            .launch(self.post(&token, &login.state, Some(&login.cookie)))
            .await
    }
}

/// Reads state, nonce and cookie from a login response.
pub fn outcome(response: &http::Response<Bytes>) -> LoginOutcome {
    let location: url::Url = response
        .headers()
        .get(http::header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let set_cookie = response
        .headers()
        .get(http::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    let cookie = set_cookie
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("lti_state=")
        .unwrap()
        .to_owned();
    LoginOutcome {
        state: param("state"),
        nonce: param("nonce"),
        cookie,
        location,
    }
}
