//! The platform as the authorizer of its Advantage services, end to end over `RouterClient`: the tool's real
//! `AgsClient` and `NrpsClient` (through a real `TokenSource`) call the real `AgsService` and `NrpsService`, whose
//! `ServiceGate` checks bearer tokens issued by the platform's own token endpoint (`Platform` implements
//! `ServiceAuthorizer`), scoped URLs and context adoption. Checklist K/L and M/N through the facade.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;

use bytes::Bytes;
use lti_ags::{
    ActivityProgress, AgsClient, AgsService, GradingProgress, LineItem, ResultQuery, Score,
    StoreGradebook,
};
use lti_core::role::ContextRole;
use lti_core::service_access::{
    ScopedUrlKey, ServiceAuthorizer, ServiceGate, StoreContextAdoption,
};
use lti_core::{ClientId, ContextId, DeploymentId, Issuer, Role, ToolRegistration, UserId};
use lti_http::RouterClient;
use lti_nrps::{
    ContainerContext, Member, MembershipQuery, NrpsClient, NrpsService, Privacy, StoreRoster,
};
use lti_platform::{Platform, PlatformConfig, StaticToolRegistry};
use lti_security::oauth::{TokenEndpoint, TokenSource};
use lti_security::{JwksCache, KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, ManualClock, MemoryStore, Store};
use url::Url;

const CLIENT_ID: &str = "tool-1";
const DEPLOYMENT: &str = "dep-1";
const COURSE: &str = "course-1";
const OTHER_COURSE: &str = "course-2";
const TOKEN_URL: &str = "https://lms.example/token";
const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const RESULT: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

struct World {
    ags: Arc<AgsService>,
    nrps: Arc<NrpsService>,
    tokens: TokenSource,
    endpoint: TokenEndpoint,
    clock: Arc<ManualClock>,
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

async fn world() -> World {
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

    // The services, guarded by the platform's own tokens.
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

    let (p, a, n) = (platform.clone(), ags.clone(), nrps.clone());
    router
        .route(
            "https://lms.example",
            move |request: http::Request<Bytes>| {
                let (p, a, n) = (p.clone(), a.clone(), n.clone());
                async move {
                    let path = request.uri().path().to_owned();
                    if path == "/token" {
                        p.token(request).await
                    } else if path.starts_with("/ags/") {
                        a.serve(request).await
                    } else {
                        n.handle(request, |_| Privacy::new(true, true)).await
                    }
                }
            },
        )
        .unwrap();

    World {
        ags,
        nrps,
        tokens: TokenSource::new(Arc::new(router), tool_keys, clock.clone()),
        endpoint: TokenEndpoint::new(Url::parse(TOKEN_URL).unwrap(), CLIENT_ID)
            .unwrap()
            .with_deployment_id(DEPLOYMENT)
            .unwrap(),
        clock,
    }
}

impl World {
    fn ags_client(&self, course: &str) -> AgsClient {
        let claim = self.ags.endpoint_claim(
            &ContextId::new(course),
            &ClientId::new(CLIENT_ID),
            &[LINEITEM, SCORE, RESULT],
            None,
        );
        AgsClient::new(
            self.tokens.clone(),
            self.endpoint.clone(),
            claim,
            self.clock.clone(),
        )
    }
}

/// K97–K104 / L105–L120 through the facade: line item created, score posted, result read, all with tokens from
/// the platform's token endpoint.
#[tokio::test]
async fn ags_with_platform_tokens() {
    let w = world().await;
    let client = w.ags_client(COURSE);
    let item = client
        .create_line_item(&LineItem::new("Quiz 1", 10.0))
        .await
        .unwrap();
    let id = item.id.clone().unwrap();
    let score = Score::new(
        UserId::new("learner-1"),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(7.0, 10.0);
    client.post_score(&id, &score).await.unwrap();
    let results = client.results(&id, &ResultQuery::default()).await.unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].user_id.as_str(), "learner-1");
    assert_eq!(results[0].result_score, Some(7.0));
}

/// L: a context the tool is not deployed in is refused even with a valid token and a URL the platform signed.
#[tokio::test]
async fn ags_other_context_is_refused() {
    let w = world().await;
    let err = w
        .ags_client(OTHER_COURSE)
        .create_line_item(&LineItem::new("Quiz", 1.0))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
}

/// M121–M129 through the facade: the roster read with a platform token.
#[tokio::test]
async fn nrps_with_platform_tokens() {
    let w = world().await;
    let claim = w
        .nrps
        .claim(&ContextId::new(COURSE), &ClientId::new(CLIENT_ID));
    let client = NrpsClient::new(w.tokens.clone(), w.endpoint.clone());
    let mut pages = client.members(&claim, &MembershipQuery::default()).unwrap();
    let members = pages.collect_members(100).await.unwrap();
    let mut ids: Vec<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["instructor-1", "learner-1", "learner-2"]);
}
