//! One platform and one tool in process: a token endpoint that verifies the tool's client assertions and
//! remembers the tokens it issues (the test's [`ServiceAuthorizer`]), the real [`NrpsService`] over a
//! [`StoreRoster`], and the real [`NrpsClient`] with a real [`TokenSource`], all over one [`RouterClient`].
#![allow(dead_code, unreachable_pub)]

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use lti_core::role::ContextRole;
use lti_core::service_access::{
    BearerToken, ScopedUrlKey, ServiceAccessError, ServiceAuthorizer, ServiceCaller, ServiceGate,
    StoreContextAdoption,
};
use lti_core::{ClientId, ContextId, DeploymentId, Role};
use lti_http::{Handler, HttpClient, RouterClient};
use lti_nrps::{
    ContainerContext, Member, NrpsClaim, NrpsClient, NrpsService, Privacy, StoreRoster,
};
use lti_security::oauth::{ClientAssertionClaims, Scopes, TokenEndpoint, TokenSource};
use lti_security::{ClaimRules, JwtVerifier, KeyProtection, KeyRing, KeyRingConfig, KeySet};
use lti_storage::{Clock, ManualClock, MemoryStore, Store};
use serde_json::json;
use url::Url;

pub const ORIGIN: &str = "https://lms.example";
pub const TOKEN_URL: &str = "https://lms.example/login/oauth2/token";
pub const NRPS_BASE: &str = "https://lms.example/api/lti/nrps";
pub const CLIENT_ID: &str = "tool-client-1";
pub const OTHER_CLIENT_ID: &str = "tool-client-2";
pub const DEPLOYMENT: &str = "deployment-1";
pub const COURSE: &str = "course-2923";
pub const OTHER_COURSE: &str = "course-7777";
pub const START: u64 = 1_800_000_000;
pub const NRPS_SCOPE: &str = lti_nrps::uri::SCOPE_CONTEXT_MEMBERSHIP_READONLY;
pub const AGS_SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

/// One issued token.
#[derive(Debug, Clone)]
struct Issued {
    caller: ServiceCaller,
    expires: SystemTime,
}

/// The platform's token endpoint: verifies the client assertion with the registered tool's public key, refuses
/// replayed `jti`s, grants only the scopes the tool may have, and remembers what it issued.
#[derive(Debug)]
pub struct TokenIssuer {
    clock: Arc<dyn Clock>,
    verifier: JwtVerifier,
    /// client id → (public keys, scopes it may be granted)
    clients: HashMap<String, (KeySet, Scopes)>,
    issued: Mutex<HashMap<String, Issued>>,
    seen_jti: Mutex<HashSet<String>>,
    counter: AtomicUsize,
    pub token_requests: AtomicUsize,
}

impl TokenIssuer {
    fn new(clock: Arc<dyn Clock>, clients: HashMap<String, (KeySet, Scopes)>) -> Self {
        Self {
            verifier: JwtVerifier::new(Arc::clone(&clock)),
            clock,
            clients,
            issued: Mutex::default(),
            seen_jti: Mutex::default(),
            counter: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
        }
    }

    /// Issues a token directly (as the endpoint would), for requests built by hand.
    pub fn issue(&self, client_id: &str, deployment: Option<&str>, scopes: &[&str]) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let token = format!("tok{n}x{}", client_id.len());
        let caller = ServiceCaller::new(
            ClientId::new(client_id),
            deployment.map(DeploymentId::new),
            scopes.iter().copied().collect(),
        );
        let expires = self.clock.now() + Duration::from_secs(3600);
        self.issued
            .lock()
            .unwrap()
            .insert(token.clone(), Issued { caller, expires });
        token
    }

    async fn token_endpoint(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        let params: HashMap<String, String> = url::form_urlencoded::parse(request.body())
            .into_owned()
            .collect();
        let error = |status: u16, code: &str, description: String| {
            json_response(
                status,
                &json!({"error": code, "error_description": description}),
            )
        };
        if params.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return error(400, "unsupported_grant_type", "grant_type".into());
        }
        let Some(assertion) = params.get("client_assertion") else {
            return error(400, "invalid_request", "client_assertion missing".into());
        };
        let unverified: ClientAssertionClaims = match self
            .verifier
            .parse(assertion)
            .ok()
            .and_then(|jws| jws.unverified_claims().ok())
        {
            Some(claims) => claims,
            None => return error(400, "invalid_request", "assertion unreadable".into()),
        };
        let Some((keys, allowed)) = self.clients.get(&unverified.iss) else {
            return error(401, "invalid_client", "unknown client".into());
        };
        let rules = ClaimRules::new()
            .issuer(unverified.iss.clone())
            .audience(TOKEN_URL);
        let verified = match self.verifier.verify(assertion, keys, &rules).await {
            Ok(v) => v,
            Err(e) => return error(401, "invalid_client", e.to_string()),
        };
        let claims: ClientAssertionClaims = verified.claims().unwrap();
        if claims.sub != claims.iss {
            return error(401, "invalid_client", "sub must equal iss".into());
        }
        if !self.seen_jti.lock().unwrap().insert(claims.jti.clone()) {
            return error(401, "invalid_client", "jti replayed".into());
        }
        let requested = Scopes::parse(params.get("scope").map_or("", String::as_str));
        if requested.is_empty() || !requested.is_subset(allowed) {
            return error(400, "invalid_scope", "scope not allowed".into());
        }
        let scopes: Vec<&str> = requested.iter().collect();
        let token = self.issue(&claims.iss, claims.deployment_id.as_deref(), &scopes);
        json_response(
            200,
            &json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": requested.to_string()}),
        )
    }
}

#[async_trait]
impl ServiceAuthorizer for TokenIssuer {
    async fn caller(&self, token: &BearerToken<'_>) -> Result<ServiceCaller, ServiceAccessError> {
        let issued = self.issued.lock().unwrap().get(token.secret()).cloned();
        match issued {
            Some(issued) if issued.expires > self.clock.now() => Ok(issued.caller),
            Some(_) => Err(ServiceAccessError::InvalidToken { reason: "expired" }),
            None => Err(ServiceAccessError::InvalidToken {
                reason: "unknown token",
            }),
        }
    }
}

pub fn json_response(status: u16, body: &serde_json::Value) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header("cache-control", "no-store")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

/// What the NRPS endpoint saw of each request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub accept: Option<String>,
    pub authorization: Option<String>,
    pub path_and_query: String,
    pub status: u16,
    pub body_bytes: usize,
}

/// The platform's HTTP surface: token endpoint and membership endpoint.
#[derive(Debug)]
pub struct Platform {
    pub issuer: Arc<TokenIssuer>,
    pub service: NrpsService,
    pub seen: Mutex<Vec<Seen>>,
    /// Privacy flags per client id (the facade would read them from the registration).
    pub privacy: HashMap<String, Privacy>,
}

#[async_trait]
impl Handler for Platform {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        if request.uri().path() == "/login/oauth2/token" {
            return self.issuer.token_endpoint(request).await;
        }
        let header = |name| {
            request
                .headers()
                .get(name)
                .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let mut seen = Seen {
            accept: header(ACCEPT),
            authorization: header(AUTHORIZATION),
            path_and_query: request
                .uri()
                .path_and_query()
                .map(ToString::to_string)
                .unwrap_or_default(),
            status: 0,
            body_bytes: 0,
        };
        let response = self
            .service
            .handle(request, |caller| {
                self.privacy
                    .get(caller.client_id.as_str())
                    .copied()
                    .unwrap_or_default()
            })
            .await;
        seen.status = response.status().as_u16();
        seen.body_bytes = response.body().len();
        self.seen.lock().unwrap().push(seen);
        response
    }
}

pub struct World {
    pub clock: Arc<ManualClock>,
    pub router: RouterClient,
    pub platform: Arc<Platform>,
    pub roster: StoreRoster,
    pub adoption: StoreContextAdoption,
    pub tool_keys: Arc<KeyRing>,
    pub tokens: TokenSource,
    pub client: NrpsClient,
}

impl World {
    /// A world whose roster lives in `roster_store`.
    pub async fn with_store(roster_store: Arc<dyn Store>) -> Self {
        let clock = Arc::new(ManualClock::at_unix_seconds(START));
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let tool_keys = Arc::new(
            KeyRing::open(
                Arc::new(MemoryStore::new()),
                "tool",
                KeyProtection::insecure_plaintext_for_development(),
                Arc::clone(&dyn_clock),
                KeyRingConfig::default(),
            )
            .await
            .unwrap(),
        );
        let other_keys = KeyRing::open(
            Arc::new(MemoryStore::new()),
            "other-tool",
            KeyProtection::insecure_plaintext_for_development(),
            Arc::clone(&dyn_clock),
            KeyRingConfig::default(),
        )
        .await
        .unwrap();
        let mut clients = HashMap::new();
        // the platform knows only the tools' public keys
        clients.insert(
            CLIENT_ID.to_owned(),
            (
                tool_keys.key_set(),
                Scopes::parse(&format!("{NRPS_SCOPE} {AGS_SCORE_SCOPE}")),
            ),
        );
        clients.insert(
            OTHER_CLIENT_ID.to_owned(),
            (other_keys.key_set(), Scopes::parse(NRPS_SCOPE)),
        );
        let issuer = Arc::new(TokenIssuer::new(Arc::clone(&dyn_clock), clients));

        let platform_store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let adoption = StoreContextAdoption::new(Arc::clone(&platform_store));
        for client in [CLIENT_ID, OTHER_CLIENT_ID] {
            adoption
                .adopt(
                    &ClientId::new(client),
                    &DeploymentId::new(DEPLOYMENT),
                    &ContextId::new(COURSE),
                )
                .await
                .unwrap();
        }
        let roster = StoreRoster::new(roster_store, Arc::clone(&dyn_clock));
        let gate = ServiceGate::new(
            issuer.clone(),
            Arc::new(adoption.clone()),
            ScopedUrlKey::new(&[42u8; 32]).unwrap(),
        );
        let service = NrpsService::new(
            gate,
            Arc::new(roster.clone()),
            Url::parse(NRPS_BASE).unwrap(),
        )
        .unwrap();
        let mut privacy = HashMap::new();
        privacy.insert(CLIENT_ID.to_owned(), Privacy::new(true, false));
        let platform = Arc::new(Platform {
            issuer,
            service,
            seen: Mutex::default(),
            privacy,
        });
        let router = RouterClient::new().with_max_body_bytes(16 * 1024 * 1024);
        router.route(ORIGIN, Arc::clone(&platform)).unwrap();
        let http: Arc<dyn HttpClient> = Arc::new(router.clone());
        let tokens = TokenSource::new(http, Arc::clone(&tool_keys), dyn_clock);
        let client = NrpsClient::new(tokens.clone(), endpoint());
        World {
            clock,
            router,
            platform,
            roster,
            adoption,
            tool_keys,
            tokens,
            client,
        }
    }

    pub async fn new() -> Self {
        Self::with_store(Arc::new(MemoryStore::new())).await
    }

    /// The claim the platform put in the tool's launch into `context`.
    pub fn claim(&self, context: &str) -> NrpsClaim {
        self.platform
            .service
            .claim(&ContextId::new(context), &ClientId::new(CLIENT_ID))
    }

    /// The course context and `n` members: every 50th an instructor, the others learners; names and emails.
    pub async fn seed(&self, n: usize) {
        self.roster
            .put_context(
                &ContainerContext::new(COURSE)
                    .with_label("CPS 435")
                    .with_title("CPS 435 Learning Analytics"),
            )
            .await
            .unwrap();
        for i in 0..n {
            self.roster
                .put_member(&ContextId::new(COURSE), &member(i))
                .await
                .unwrap();
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.platform.seen.lock().unwrap().clone()
    }

    /// Sends a raw GET to `url` with `token` (if any) and returns the answer.
    pub async fn get(&self, url: &str, token: Option<&str>) -> http::Response<Bytes> {
        let mut builder =
            http::Request::get(url).header(ACCEPT, lti_nrps::uri::MEDIA_TYPE_MEMBERSHIP_CONTAINER);
        if let Some(token) = token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        self.router
            .execute(builder.body(Bytes::new()).unwrap())
            .await
            .unwrap()
    }
}

pub fn endpoint() -> TokenEndpoint {
    TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
        .unwrap()
        .with_deployment_id(DEPLOYMENT)
        .unwrap()
}

pub fn user(i: usize) -> String {
    format!("user-{i:06}")
}

pub fn member(i: usize) -> Member {
    let role = if i.is_multiple_of(50) {
        ContextRole::Instructor
    } else {
        ContextRole::Learner
    };
    Member::new(user(i), [Role::context(role)])
        .with_names(
            format!("Person {i}"),
            format!("Given{i}"),
            format!("Family{i}"),
        )
        .with_email(format!("{}@school.example", user(i)))
        .with_lti11_legacy_user_id(format!("legacy-{i}"))
}
