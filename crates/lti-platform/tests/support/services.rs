//! One platform with its token endpoint, a tool key ring and `TokenSource`, and the Advantage services (AGS, NRPS)
//! guarded by the platform's own tokens, all over one `RouterClient`: the world of the service end-to-end tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use lti_ags::{AgsService, StoreGradebook};
use lti_core::role::ContextRole;
use lti_core::service_access::{
    ScopedUrlKey, ServiceAuthorizer, ServiceGate, StoreContextAdoption,
};
use lti_core::{ClientId, ContextId, DeploymentId, Issuer, Role, ToolRegistration, UserId};
use lti_http::RouterClient;
use lti_nrps::{ContainerContext, Member, NrpsService, Privacy, StoreRoster};
use lti_platform::{Platform, PlatformConfig, StaticToolRegistry};
use lti_security::oauth::{TokenEndpoint, TokenSource};
use lti_security::{JwksCache, KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, ManualClock, MemoryStore, Store};
use url::Url;

pub const CLIENT_ID: &str = "tool-1";
pub const DEPLOYMENT: &str = "dep-1";
pub const COURSE: &str = "course-1";
pub const OTHER_COURSE: &str = "course-2";
pub const TOKEN_URL: &str = "https://lms.example/token";
/// A plain service guarded by the score scope (`Platform::authorize_service`).
pub const SERVICE_URL: &str = "https://lms.example/api/scores";
pub const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const LINEITEM_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
pub const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const RESULT: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

pub struct World {
    pub platform: Platform,
    pub ags: Arc<AgsService>,
    pub nrps: Arc<NrpsService>,
    pub tokens: TokenSource,
    pub endpoint: TokenEndpoint,
    pub clock: Arc<ManualClock>,
    /// Requests to the token endpoint.
    pub token_requests: Arc<AtomicUsize>,
    /// Calls of [`SERVICE_URL`].
    pub service_calls: Arc<AtomicUsize>,
}

async fn key_ring(store: &Arc<dyn Store>, clock: &Arc<ManualClock>, name: &str) -> Arc<KeyRing> {
    Arc::new(
        KeyRing::open(
            store.clone(),
            name,
            KeyProtection::insecure_plaintext_for_development(),
            clock.clone(),
            KeyRingConfig::new(),
        )
        .await
        .unwrap(),
    )
}

/// The tool (`CLIENT_ID`, allowed lineitem, score, result.readonly and NRPS scopes, deployed in `COURSE` only),
/// the platform and its services.
pub async fn world() -> World {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let tool_store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let tool_keys = key_ring(&tool_store, &clock, "tool").await;
    let router = RouterClient::new();
    let published = tool_keys.clone();
    router
        .route("https://tool.example", move |_r: http::Request<Bytes>| {
            let published = published.clone();
            async move {
                http::Response::builder()
                    .header("content-type", "application/json")
                    .body(Bytes::from(published.jwks_json().unwrap()))
                    .unwrap()
            }
        })
        .unwrap();
    let registration = ToolRegistration::builder(CLIENT_ID)
        .redirect_uri("https://tool.example/launch")
        .initiate_login_uri("https://tool.example/login")
        .target_link_uri("https://tool.example/home")
        .jwks_url("https://tool.example/jwks")
        .deployment(DEPLOYMENT)
        .scope(LINEITEM)
        .scope(SCORE)
        .scope(RESULT)
        .scope(NRPS)
        .build()
        .unwrap();
    let config = PlatformConfig::new(
        Issuer::new("https://lms.example"),
        Url::parse("https://lms.example/auth").unwrap(),
    )
    .with_token_endpoint(Url::parse(TOKEN_URL).unwrap());
    let platform = Platform::builder(config)
        .tools(Arc::new(StaticToolRegistry::new().with(registration)))
        .store(store.clone())
        .key_ring(key_ring(&store, &clock, "platform").await)
        .clock(clock.clone())
        .jwks_cache(JwksCache::new(Arc::new(router.clone()), clock.clone()))
        .build()
        .unwrap();

    let adoption = StoreContextAdoption::new(store.clone());
    adoption
        .adopt(
            &ClientId::new(CLIENT_ID),
            &DeploymentId::new(DEPLOYMENT),
            &ContextId::new(COURSE),
        )
        .await
        .unwrap();
    let authorizer: Arc<dyn ServiceAuthorizer> = Arc::new(platform.clone());
    let gate = ServiceGate::new(
        authorizer,
        Arc::new(adoption),
        ScopedUrlKey::new(&[7u8; 32]).unwrap(),
    );
    let ags = Arc::new(
        AgsService::new(
            "https://lms.example/ags",
            gate.clone(),
            Arc::new(StoreGradebook::new(store.clone())),
        )
        .unwrap(),
    );
    let roster = Arc::new(StoreRoster::new(
        store.clone(),
        clock.clone() as Arc<dyn Clock>,
    ));
    roster
        .put_context(&ContainerContext::new(ContextId::new(COURSE)))
        .await
        .unwrap();
    for (user, role) in [
        ("instructor-1", ContextRole::Instructor),
        ("learner-1", ContextRole::Learner),
        ("learner-2", ContextRole::Learner),
    ] {
        roster
            .put_member(
                &ContextId::new(COURSE),
                &Member::new(UserId::new(user), [Role::context(role)]),
            )
            .await
            .unwrap();
    }
    let nrps = Arc::new(
        NrpsService::new(
            gate,
            roster,
            Url::parse("https://lms.example/nrps").unwrap(),
        )
        .unwrap(),
    );

    let token_requests = Arc::new(AtomicUsize::new(0));
    let service_calls = Arc::new(AtomicUsize::new(0));
    let (p, a, n, tr, sc) = (
        platform.clone(),
        ags.clone(),
        nrps.clone(),
        token_requests.clone(),
        service_calls.clone(),
    );
    router
        .route(
            "https://lms.example",
            move |request: http::Request<Bytes>| {
                let (p, a, n, tr, sc) = (p.clone(), a.clone(), n.clone(), tr.clone(), sc.clone());
                async move {
                    let path = request.uri().path().to_owned();
                    if path == "/token" {
                        tr.fetch_add(1, Ordering::SeqCst);
                        p.token(request).await
                    } else if path.starts_with("/ags/") {
                        a.serve(request).await
                    } else if path.starts_with("/nrps/") {
                        n.handle(request, |_| Privacy::new(true, true)).await
                    } else {
                        sc.fetch_add(1, Ordering::SeqCst);
                        match p.authorize_service(request.headers(), SCORE).await {
                            Ok(grant) => http::Response::new(Bytes::from(format!(
                                "ok for {}",
                                grant.client_id().as_str()
                            ))),
                            Err(e) => e.into_response(),
                        }
                    }
                }
            },
        )
        .unwrap();

    World {
        platform,
        ags,
        nrps,
        tokens: TokenSource::new(Arc::new(router), tool_keys, clock.clone()),
        endpoint: TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
            .unwrap()
            .with_deployment_id(DEPLOYMENT)
            .unwrap(),
        clock,
        token_requests,
        service_calls,
    }
}
