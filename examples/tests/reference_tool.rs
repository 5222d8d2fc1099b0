//! The reference tool over real loopback sockets, against a real `lti_platform::Platform` (its authorization,
//! JWKS, token and deep-linking return endpoints mounted in a small axum router here), driven by a headless
//! browser: registration JSON, platform registration, resource-link launch with the diagnostics page and its
//! JSON report, services (the access token from the platform's token endpoint), deep linking (automatic and
//! through the picker) verified by the platform, and failed launches with their code and status.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/browser.rs"]
mod browser;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::routing::{any, get, post};
use browser::{Browser, Page};
use bytes::Bytes;
use lti_ags::gradebook::LineItemOwner;
use lti_ags::{AgsService, StoreGradebook};
use lti_core::claims::{Context, ResourceLink};
use lti_core::message::MessageType;
use lti_core::registration::dynamic::ClientRegistration;
use lti_core::role::ContextRole;
use lti_core::service_access::{
    ScopedUrlKey, ServiceAuthorizer, ServiceGate, StoreContextAdoption,
};
use lti_core::{ClientId, ContextId, DeploymentId, Issuer, ResourceLinkId, Role, UserId};
use lti_deep_linking::{ContentItem, DeepLinkingSettings, VerifiedDeepLinkingResponse};
use lti_examples::tool::{KEY_FILE, LAUNCH_REPORT_ID, ToolServer, ToolServerConfig, app};
use lti_http::ReqwestClient;
use lti_nrps::{ContainerContext, Member, NrpsService, Privacy, StoreRoster};
use lti_platform::{
    DeepLinking, LaunchRequest, LaunchUser, LoginStart, Platform, PlatformConfig,
    StaticToolRegistry,
};
use lti_security::{JwksCache, KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, ManualClock, MemoryStore, Store};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use url::Url;

const CLIENT_ID: &str = "tool-1";
const DEPLOYMENT_ID: &str = "dep-1";
const USER: &str = "user-42";
const COURSE: &str = "course-1";
const START: u64 = 1_800_000_000;
const SCOPES: [&str; 4] = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
];

type Returned = Arc<Mutex<Vec<Result<VerifiedDeepLinkingResponse, String>>>>;

struct World {
    server: ToolServer,
    clock: Arc<ManualClock>,
    tool_url: Url,
    platform_url: Url,
    platform: Platform,
    deep_linking: DeepLinking,
    ags: Arc<AgsService>,
    nrps: Arc<NrpsService>,
    returned: Returned,
    browser: Browser,
    _dir: TempDir,
}

#[derive(Clone)]
struct PlatformSide {
    platform: Platform,
    deep_linking: DeepLinking,
    ags: Arc<AgsService>,
    nrps: Arc<NrpsService>,
    returned: Returned,
}

/// The roster of `course-1`: the launching instructor and 249 learners (three pages of 100).
const ROSTER: usize = 250;

async fn tool_server(
    dir: &TempDir,
    clock: Arc<dyn Clock>,
    auto: (bool, bool),
) -> (ToolServer, Url) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = ToolServerConfig::new(&format!("http://127.0.0.1:{port}"), dir.path())
        .unwrap()
        .with_auto_services(auto.0)
        .with_auto_deep_link(auto.1);
    let server = ToolServer::open_with(config, clock, Arc::new(ReqwestClient::new().unwrap()))
        .await
        .unwrap();
    let router = app(server.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (
        server,
        Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap(),
    )
}

/// A tool server (fresh data directory), a platform that registered it from its registration JSON, and the
/// platform registered at the tool through `POST /api/platforms`.
async fn world(auto_services: bool, auto_deep_link: bool) -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let (server, tool_url) =
        tool_server(&dir, clock.clone(), (auto_services, auto_deep_link)).await;
    let mut browser = Browser::new();

    // The platform registers the tool from the tool's own Dynamic-Registration JSON.
    let page = browser
        .get(
            &tool_url
                .join(".well-known/lti-tool-registration.json")
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, 200);
    let registration: ClientRegistration = serde_json::from_str(&page.body).unwrap();
    let tool_registration = registration
        .to_tool_registration(CLIENT_ID, &SCOPES)
        .unwrap()
        .deployment(DEPLOYMENT_ID)
        .build()
        .unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let platform_url = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let issuer = format!("http://127.0.0.1:{port}");
    let store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let keys = KeyRing::open(
        store.clone(),
        "platform",
        KeyProtection::insecure_plaintext_for_development(),
        clock.clone(),
        KeyRingConfig::new(),
    )
    .await
    .unwrap();
    let http: Arc<ReqwestClient> = Arc::new(ReqwestClient::new().unwrap());
    let config = PlatformConfig::new(Issuer::new(&issuer), platform_url.join("auth").unwrap())
        .with_token_endpoint(platform_url.join("token").unwrap());
    let platform = Platform::builder(config)
        .tools(Arc::new(StaticToolRegistry::new().with(tool_registration)))
        .store(store.clone())
        .key_ring(Arc::new(keys))
        .clock(clock.clone())
        .jwks_cache(JwksCache::new(http.clone(), clock.clone()))
        .build()
        .unwrap();
    let deep_linking = DeepLinking::new(&platform, JwksCache::new(http, clock.clone()));
    let returned: Returned = Arc::default();

    // AGS and NRPS, guarded by the platform's own tokens; the tool is deployed in course-1.
    let adoption = StoreContextAdoption::new(store.clone());
    adoption
        .adopt(
            &ClientId::new(CLIENT_ID),
            &DeploymentId::new(DEPLOYMENT_ID),
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
    let gradebook = StoreGradebook::new(store.clone());
    gradebook
        .add_resource_link(
            &LineItemOwner::new(ContextId::new(COURSE), ClientId::new(CLIENT_ID)),
            &ResourceLinkId::new("link-1"),
        )
        .await
        .unwrap();
    let ags = Arc::new(
        AgsService::new(
            platform_url.join("ags").unwrap().as_str(),
            gate.clone(),
            Arc::new(gradebook),
        )
        .unwrap(),
    );
    let roster = Arc::new(StoreRoster::new(
        store.clone(),
        clock.clone() as Arc<dyn Clock>,
    ));
    let course = ContextId::new(COURSE);
    roster
        .put_context(&ContainerContext::new(course.clone()))
        .await
        .unwrap();
    roster
        .put_member(
            &course,
            &Member::new(UserId::new(USER), [Role::context(ContextRole::Instructor)]),
        )
        .await
        .unwrap();
    for i in 1..ROSTER {
        roster
            .put_member(
                &course,
                &Member::new(
                    UserId::new(format!("learner-{i:03}")),
                    [Role::context(ContextRole::Learner)],
                ),
            )
            .await
            .unwrap();
    }
    let nrps = Arc::new(
        NrpsService::new(gate, roster, platform_url.join("nrps").unwrap())
            .unwrap()
            .with_page_sizes(100, 100),
    );
    let side = PlatformSide {
        platform: platform.clone(),
        deep_linking: deep_linking.clone(),
        ags: ags.clone(),
        nrps: nrps.clone(),
        returned: returned.clone(),
    };
    let router = Router::new()
        .route("/auth", any(platform_auth))
        .route("/jwks", get(platform_jwks))
        .route("/token", post(platform_token))
        .route("/dl/return", post(platform_return))
        .route("/ags/{*rest}", any(platform_ags))
        .route("/nrps/{*rest}", any(platform_nrps))
        .with_state(side);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    // The tool is told about the platform through its JSON API.
    let spec = json!({
        "issuer": issuer,
        "authorization_endpoint": platform_url.join("auth").unwrap(),
        "token_endpoint": platform_url.join("token").unwrap(),
        "jwks_uri": platform_url.join("jwks").unwrap(),
        "client_id": CLIENT_ID,
        "deployment_id": DEPLOYMENT_ID,
    });
    let page = browser
        .post_json(&tool_url.join("api/platforms").unwrap(), &spec)
        .await;
    assert_eq!(page.status, 201, "{}", page.body);

    World {
        server,
        clock,
        tool_url,
        platform_url,
        platform,
        deep_linking,
        ags,
        nrps,
        returned,
        browser,
        _dir: dir,
    }
}

async fn to_http(request: Request) -> http::Request<Bytes> {
    let (parts, body) = request.into_parts();
    http::Request::from_parts(parts, to_bytes(body, 1 << 20).await.unwrap())
}

async fn platform_auth(State(side): State<PlatformSide>, request: Request) -> http::Response<Body> {
    let request = to_http(request).await;
    side.platform
        .authorize(request, Some(&UserId::new(USER)))
        .await
        .map(Body::from)
}

async fn platform_jwks(State(side): State<PlatformSide>) -> http::Response<Body> {
    side.platform.jwks().map(Body::from)
}

async fn platform_token(
    State(side): State<PlatformSide>,
    request: Request,
) -> http::Response<Body> {
    side.platform
        .token(to_http(request).await)
        .await
        .map(Body::from)
}

async fn platform_ags(State(side): State<PlatformSide>, request: Request) -> http::Response<Body> {
    side.ags.serve(to_http(request).await).await.map(Body::from)
}

async fn platform_nrps(State(side): State<PlatformSide>, request: Request) -> http::Response<Body> {
    side.nrps
        .handle(to_http(request).await, |_| Privacy::new(true, true))
        .await
        .map(Body::from)
}

async fn platform_return(
    State(side): State<PlatformSide>,
    request: Request,
) -> http::Response<Body> {
    let request = to_http(request).await;
    let result = side.deep_linking.receive(&request).await;
    let body = match &result {
        Ok(verified) => format!("received {} items", verified.items().len()),
        Err(e) => format!("refused {}", e.code()),
    };
    side.returned
        .lock()
        .unwrap()
        .push(result.map_err(|e| e.code().to_owned()));
    http::Response::new(Body::from(body))
}

impl World {
    fn service_claims(&self, request: LaunchRequest) -> LaunchRequest {
        self.service_claims_for(request, COURSE)
    }

    fn service_claims_for(&self, request: LaunchRequest, course: &str) -> LaunchRequest {
        let course = ContextId::new(course);
        let client = ClientId::new(CLIENT_ID);
        let nrps = self
            .nrps
            .claim(&course, &client)
            .to_service_claim()
            .unwrap();
        let ags = self
            .ags
            .endpoint_claim(&course, &client, &SCOPES[..3], None)
            .to_claim();
        request
            .with_extra_claim(lti_nrps::uri::CLAIM, nrps.into_value())
            .with_extra_claim(
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
                ags.into_value(),
            )
    }

    fn resource_link_request(&self) -> LaunchRequest {
        let request = LaunchRequest::resource_link(
            ClientId::new(CLIENT_ID),
            DeploymentId::new(DEPLOYMENT_ID),
            Some(LaunchUser::new(UserId::new(USER))),
            ResourceLink::new(ResourceLinkId::new("link-1")),
        )
        .with_roles([
            Role::context(ContextRole::Instructor),
            Role::parse("http://example.com/<b>odd</b>"),
        ])
        .with_context(Context::new(ContextId::new(COURSE)));
        self.service_claims(request)
    }

    async fn start(&self, request: LaunchRequest) -> LoginStart {
        self.platform.start_launch(request).await.unwrap()
    }

    async fn deep_linking_start(&self) -> LoginStart {
        let request = LaunchRequest::new(
            ClientId::new(CLIENT_ID),
            DeploymentId::new(DEPLOYMENT_ID),
            MessageType::LtiDeepLinkingRequest,
            Some(LaunchUser::new(UserId::new(USER))),
        )
        .with_roles([Role::context(ContextRole::Instructor)])
        .with_context(Context::new(ContextId::new(COURSE)));
        let settings = DeepLinkingSettings::new(
            self.platform_url.join("dl/return").unwrap().as_str(),
            ["ltiResourceLink"],
            ["iframe", "window"],
        )
        .with_accept_multiple(true)
        .with_accept_lineitem(true);
        self.deep_linking.start(request, settings).await.unwrap()
    }

    fn returned(&self) -> Vec<Result<VerifiedDeepLinkingResponse, String>> {
        self.returned.lock().unwrap().clone()
    }
}

/// Presses a service's button on the diagnostics page of launch `id`.
async fn run(w: &mut World, id: &str, service: &str) -> Page {
    let url = w
        .tool_url
        .join(&format!("launches/{id}/services/{service}"))
        .unwrap();
    w.browser.post_form(&url, &[]).await
}

fn report(page: &Page) -> Value {
    page.embedded_json(LAUNCH_REPORT_ID)
}

fn service<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report}"))
}

#[tokio::test]
async fn c135_registration_json_is_served_and_passes_the_platform_checks() {
    let mut w = world(false, false).await;
    let page = w
        .browser
        .get(
            &w.tool_url
                .join(".well-known/lti-tool-registration.json")
                .unwrap(),
        )
        .await;
    assert!(page.content_type.starts_with("application/json"));
    let registration: ClientRegistration = serde_json::from_str(&page.body).unwrap();
    registration.check().unwrap();
    let base = w.tool_url.as_str();
    assert_eq!(registration.initiate_login_uri, format!("{base}lti/login"));
    assert_eq!(registration.redirect_uris, [format!("{base}lti/launch")]);
    assert_eq!(
        registration.jwks_uri,
        format!("{base}.well-known/jwks.json")
    );
    let config = &registration.tool_configuration;
    assert_eq!(config.target_link_uri, format!("{base}activities/default"));
    assert!(
        config
            .messages
            .iter()
            .any(|m| m.message_type == "LtiDeepLinkingRequest")
    );
    for scope in SCOPES {
        assert!(registration.scopes().any(|s| s == scope), "{scope}");
    }
    // The JWKS it names is served and holds the tool's signing key.
    let jwks = w
        .browser
        .get(&Url::parse(&registration.jwks_uri).unwrap())
        .await;
    let keys: Value = serde_json::from_str(&jwks.body).unwrap();
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn platform_registration_api_refuses_bad_input_with_its_code_and_lists_platforms() {
    let mut w = world(false, false).await;
    let api = w.tool_url.join("api/platforms").unwrap();
    // Missing member: 400 naming it.
    let page = w
        .browser
        .post_json(&api, &json!({"issuer": "https://lms.example"}))
        .await;
    assert_eq!(page.status, 400);
    let error: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(error["error"], "reference_tool.platform.field");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("authorization_endpoint")
    );
    // Plain http to a non-loopback host: 400 naming the field.
    let mut spec = json!({
        "issuer": "https://lms.example",
        "authorization_endpoint": "https://lms.example/auth",
        "token_endpoint": "http://lms.example/token",
        "jwks_uri": "https://lms.example/jwks",
        "client_id": "<b>c2</b>",
        "deployment_id": "d2",
    });
    let page = w.browser.post_json(&api, &spec).await;
    assert_eq!(page.status, 400);
    let error: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(error["error"], "reference_tool.platform.invalid");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("token_endpoint"),
        "{error}"
    );
    // Not JSON at all.
    let page = w
        .browser
        .post_form(&api, &[("x".to_owned(), "y".to_owned())])
        .await;
    assert_eq!(page.status, 400);
    // A good one with a hostile client id: stored, listed, escaped on the home page.
    spec["token_endpoint"] = "https://lms.example/token".into();
    let page = w.browser.post_json(&api, &spec).await;
    assert_eq!(page.status, 201, "{}", page.body);
    let list: Value = serde_json::from_str(&w.browser.get(&api).await.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let home = w.browser.get(&w.tool_url).await;
    assert!(home.body.contains("&lt;b&gt;c2&lt;/b&gt;"), "{}", home.body);
    assert!(!home.body.contains("<b>c2</b>"));
}

#[tokio::test]
async fn c36_c97_c121_resource_link_launch_shows_diagnostics_and_runs_services_on_request() {
    let mut w = world(false, false).await;
    let start = w.start(w.resource_link_request()).await;
    let page = w.browser.get(&start.url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.url, w.tool_url.join("lti/launch").unwrap());
    let r = report(&page);
    assert_eq!(r["ok"], true);
    assert_eq!(r["message_type"], "LtiResourceLinkRequest");
    assert_eq!(r["client_id"], CLIENT_ID);
    assert_eq!(r["deployment_id"], DEPLOYMENT_ID);
    assert_eq!(r["user"], USER);
    assert_eq!(r["context"]["id"], "course-1");
    assert_eq!(r["resource_link"]["id"], "link-1");
    assert_eq!(
        r["target_link_uri"],
        w.tool_url.join("activities/default").unwrap().as_str()
    );
    assert_eq!(r["roles"][0]["kind"], "context");
    assert_eq!(
        r["roles"][0]["uri"],
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    );
    assert_eq!(r["roles"][1]["kind"], "unknown");
    // Hostile values are escaped in the page and in the embedded JSON.
    assert!(!page.body.contains("<b>odd</b>"));
    assert!(page.body.contains("&lt;b&gt;odd&lt;/b&gt;"));
    // Both services are offered, not yet run, each with its button.
    for name in ["nrps", "ags"] {
        assert_eq!(service(&r, name)["status"], "not_yet_run");
        let action = format!(
            "/launches/{}/services/{name}",
            r["launch_id"].as_str().unwrap()
        );
        assert!(page.body.contains(&action), "{action}");
    }

    // Pressing NRPS: the whole roster, every page, with a token from the platform's token endpoint; then
    // back to the page (303) with the step recorded.
    let id = r["launch_id"].as_str().unwrap().to_owned();
    let page = run(&mut w, &id, "nrps").await;
    assert_eq!(
        page.url,
        w.tool_url.join(&format!("launches/{id}")).unwrap()
    );
    let r = report(&page);
    let nrps = service(&r, "nrps");
    assert_eq!(nrps["status"], "ok", "{nrps}");
    assert_eq!(nrps["steps"][0]["step"], "roster");
    assert_eq!(nrps["steps"][0]["detail"]["members"], ROSTER);
    assert_eq!(nrps["steps"][0]["detail"]["pages"], 3);
    assert_eq!(
        nrps["steps"][0]["detail"]["first_members"][0]["user_id"],
        "learner-001"
    );
    assert_eq!(service(&r, "ags")["status"], "not_yet_run");

    // Pressing AGS: a line item for this resource link, a score for the launching user, the results.
    let page = run(&mut w, &id, "ags").await;
    let r = report(&page);
    let ags = service(&r, "ags");
    assert_eq!(ags["status"], "ok", "{ags}");
    let steps: Vec<&str> = ags["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["line_item", "score", "results"]);
    let line_item = ags["steps"][0]["detail"].clone();
    assert_eq!(line_item["resourceLinkId"], "link-1");
    assert_eq!(line_item["tag"], "reference-tool");
    assert_eq!(
        ags["steps"][2]["detail"]["launching_user"]["result_score"],
        8.0
    );
    // Running it again finds the same line item instead of creating another (checklist 104).
    let page = run(&mut w, &id, "ags").await;
    let again = service(&report(&page), "ags")["steps"][0]["detail"]["id"].clone();
    assert_eq!(again, line_item["id"]);

    // The same through the JSON API, for scripts.
    let api = w.tool_url.join(&format!("api/launches/{id}")).unwrap();
    let json: Value = serde_json::from_str(&w.browser.get(&api).await.body).unwrap();
    assert_eq!(service(&json, "ags")["status"], "ok");
    let page = w
        .browser
        .post_form(
            &w.tool_url
                .join(&format!("api/launches/{id}/services/nrps"))
                .unwrap(),
            &[],
        )
        .await;
    assert_eq!(page.status, 200);
    let nrps: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(nrps["steps"][0]["detail"]["members"], ROSTER);
    let page = w
        .browser
        .get(&w.tool_url.join("api/launches/nope").unwrap())
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("reference_tool.launch.unknown"));

    // A service the launch does not offer, and an unknown launch id.
    let page = w
        .browser
        .post_form(
            &w.tool_url
                .join(&format!("launches/{id}/services/basic-outcome"))
                .unwrap(),
            &[],
        )
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("reference_tool.service.not_offered"));
    let page = w
        .browser
        .get(&w.tool_url.join("launches/not-a-launch").unwrap())
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("reference_tool.launch.unknown"));
}

#[tokio::test]
async fn c97_c121_auto_services_run_during_the_launch() {
    let mut w = world(true, false).await;
    let start = w.start(w.resource_link_request()).await;
    let page = w.browser.get(&start.url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let r = report(&page);
    for name in ["nrps", "ags"] {
        let s = service(&r, name);
        assert_eq!(s["status"], "ok", "{s}");
    }
    assert_eq!(service(&r, "nrps")["steps"][0]["detail"]["members"], ROSTER);
    assert_eq!(service(&r, "ags")["steps"][1]["detail"]["user_id"], USER);
}

#[tokio::test]
async fn c84_c88_auto_deep_link_answers_with_one_graded_resource_link_the_platform_verifies() {
    let mut w = world(false, true).await;
    let start = w.deep_linking_start().await;
    let page = w.browser.get(&start.url).await;
    // The browser ended on the platform's return URL, after the tool's auto-submitting response form.
    assert_eq!(page.url, w.platform_url.join("dl/return").unwrap());
    assert_eq!(page.body, "received 1 items");
    let returned = w.returned();
    assert_eq!(returned.len(), 1);
    let verified = returned[0].as_ref().unwrap();
    assert_eq!(verified.client_id().as_str(), CLIENT_ID);
    assert_eq!(verified.user_id().unwrap().as_str(), USER);
    let [ContentItem::LtiResourceLink(link)] = verified.items() else {
        panic!("{:?}", verified.items());
    };
    assert_eq!(
        link.url.as_deref(),
        Some(w.tool_url.join("activities/quiz-1").unwrap().as_str())
    );
    let line_item = link
        .line_item
        .as_ref()
        .expect("graded: carries a line item");
    assert_eq!(line_item.score_maximum, 10.0);
    assert_eq!(line_item.resource_id.as_deref(), Some("quiz-1"));
    // The platform turns it into a resource link with its line item.
    let created = w
        .deep_linking
        .create_resource_links(verified)
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert!(created[0].line_item.is_some());
}

#[tokio::test]
async fn c88_c89_picker_returns_the_chosen_activities_or_none() {
    let mut w = world(false, false).await;
    let start = w.deep_linking_start().await;
    let page = w.browser.get(&start.url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(report(&page)["message_type"], "LtiDeepLinkingRequest");
    assert!(page.body.contains("name=\"activity\" value=\"essay\""));
    let id = report(&page)["launch_id"].as_str().unwrap().to_owned();
    let action = w
        .tool_url
        .join(&format!("launches/{id}/deep-link"))
        .unwrap();

    // An activity outside the catalogue is refused, naming the field.
    let refused = w
        .browser
        .post_form(&action, &[("activity".into(), "<script>".into())])
        .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("reference_tool.deep_link.unknown_activity")
    );
    assert!(!refused.body.contains("<script>"));

    let chosen = [
        ("activity".to_owned(), "essay".to_owned()),
        ("activity".to_owned(), "reading".to_owned()),
    ];
    let page = w.browser.post_form(&action, &chosen).await;
    assert_eq!(page.body, "received 2 items");
    let returned = w.returned();
    let verified = returned[0].as_ref().unwrap();
    let titles: Vec<_> = verified
        .items()
        .iter()
        .filter_map(ContentItem::title)
        .collect();
    assert_eq!(titles, ["Essay", "Reading"]);
    let ContentItem::LtiResourceLink(essay) = &verified.items()[0] else {
        panic!()
    };
    assert_eq!(essay.line_item.as_ref().unwrap().score_maximum, 100.0);
    let ContentItem::LtiResourceLink(reading) = &verified.items()[1] else {
        panic!()
    };
    assert!(
        reading.line_item.is_none(),
        "ungraded activity: no line item"
    );

    // I89: a second request where nothing is chosen still returns to the platform (empty items).
    let start = w.deep_linking_start().await;
    let page = w.browser.get(&start.url).await;
    let id = report(&page)["launch_id"].as_str().unwrap().to_owned();
    let page = w
        .browser
        .post_form(
            &w.tool_url
                .join(&format!("launches/{id}/deep-link"))
                .unwrap(),
            &[],
        )
        .await;
    assert_eq!(page.body, "received 0 items");
}

/// Runs a launch up to the platform's auto-submitting form, and returns that form (not submitted).
async fn launch_form(w: &mut World) -> browser::Form {
    let start = w.start(w.resource_link_request()).await;
    w.browser.auto_submit = false;
    let page = w.browser.get(&start.url).await;
    w.browser.auto_submit = true;
    assert_eq!(page.url.path(), "/auth");
    let form = page.form().unwrap();
    assert_eq!(form.action, w.tool_url.join("lti/launch").unwrap());
    form
}

fn assert_refused(page: &Page, status: u16, code: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("<code id=\"lti-error-code\">{code}</code>")),
        "{}",
        page.body
    );
    let r = report(page);
    assert_eq!(r["ok"], false);
    assert_eq!(r["error"]["code"], code);
    assert_eq!(r["error"]["status"], status);
}

#[tokio::test]
async fn c10_launch_without_the_state_cookie_shows_the_rule_and_400() {
    let mut w = world(false, false).await;
    let form = launch_form(&mut w).await;
    w.browser.clear_cookies(&w.tool_url.clone());
    let page = w.browser.submit(&form, &[]).await;
    assert_refused(&page, 400, "lti.tool.state.cookie_missing");
}

#[tokio::test]
async fn c13_c23_tampered_signature_and_replay_are_refused_with_their_codes() {
    let mut w = world(false, false).await;
    let form = launch_form(&mut w).await;
    // Flip one character of the signature.
    let mut tampered = form.clone();
    for (name, value) in &mut tampered.fields {
        if name == "id_token" {
            // a character in the middle of the signature: still valid base64url, wrong signature
            let at = value.len() - 20;
            let flipped = if &value[at..=at] == "A" { "B" } else { "A" };
            value.replace_range(at..=at, flipped);
        }
    }
    let page = w.browser.submit(&tampered, &[]).await;
    assert_refused(&page, 400, "lti.jwt.signature.invalid");
    // That attempt spent the login's state: the genuine token cannot ride on it afterwards.
    let page = w.browser.submit(&form, &[]).await;
    assert_refused(&page, 400, "lti.tool.state.unknown");
    // A fresh launch is accepted once; posting the same form again is a replay.
    let form = launch_form(&mut w).await;
    let page = w.browser.submit(&form, &[]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(report(&page)["ok"], true);
    let page = w.browser.submit(&form, &[]).await;
    assert_refused(&page, 400, "lti.tool.state.unknown");
}

#[tokio::test]
async fn keys_persist_across_restarts_and_are_never_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix_seconds(START));
    let http = Arc::new(ReqwestClient::new().unwrap());
    let config = ToolServerConfig::new("http://localhost:8100", dir.path()).unwrap();
    let first = ToolServer::open_with(config.clone(), clock.clone(), http.clone())
        .await
        .unwrap();
    let kid = first.keys().signing_key().kid().clone();
    drop(first);
    let again = ToolServer::open_with(config, clock, http).await.unwrap();
    assert_eq!(again.keys().signing_key().kid(), &kid);
    drop(again);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No PKCS#8 private key anywhere under the data directory.
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            let needle = b"PRIVATE KEY";
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{}",
                path.display()
            );
        }
    }
}

/// L/M: services refused by the platform (a context the tool is not deployed in) are outcomes in the report with
/// the platform's status, not failures of the page.
#[tokio::test]
async fn c82_services_refused_by_the_platform_are_reported_not_fatal() {
    let mut w = world(true, false).await;
    let request = LaunchRequest::resource_link(
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT_ID),
        Some(LaunchUser::new(UserId::new(USER))),
        ResourceLink::new(ResourceLinkId::new("link-9")),
    )
    .with_roles([Role::context(ContextRole::Learner)])
    .with_context(Context::new(ContextId::new("course-2")));
    let request = w.service_claims_for(request, "course-2");
    let start = w.start(request).await;
    let page = w.browser.get(&start.url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let r = report(&page);
    assert_eq!(r["ok"], true);
    for name in ["nrps", "ags"] {
        let s = service(&r, name);
        assert_eq!(s["status"], "failed", "{s}");
        let detail = &s["steps"][0]["detail"];
        assert!(
            detail["message"].as_str().unwrap().contains("403"),
            "{name}: {detail}"
        );
    }
}

#[tokio::test]
async fn hostile_requests_to_the_launch_endpoint_get_their_status_and_code() {
    let mut w = world(false, false).await;
    let launch = w.tool_url.join("lti/launch").unwrap();
    // Not a form post: 415 with the facade's code.
    let page = w
        .browser
        .post_json(&launch, &json!({"id_token": "x"}))
        .await;
    assert_refused(&page, 415, "lti.tool.launch.content_type");
    // A form without id_token: 400.
    let page = w
        .browser
        .post_form(&launch, &[("state".into(), "s".into())])
        .await;
    assert_eq!(page.status, 400);
    assert_eq!(report(&page)["ok"], false);
    // A body over the limit: 413 before anything is parsed.
    let big = "a".repeat(300 * 1024);
    let page = w
        .browser
        .post_form(&launch, &[("id_token".into(), big)])
        .await;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("reference_tool.body_too_large"));
    // GET is not a launch.
    let page = w.browser.get(&launch).await;
    assert_eq!(page.status, 405);
    // A made-up launch id and an unknown activity.
    let page = w
        .browser
        .post_form(&w.tool_url.join("launches/x/deep-link").unwrap(), &[])
        .await;
    assert_eq!(page.status, 404);
    let page = w
        .browser
        .get(&w.tool_url.join("activities/%3Cscript%3E").unwrap())
        .await;
    assert_eq!(page.status, 404);
    assert!(!page.body.contains("<script>"));
}

#[tokio::test]
async fn launches_expire_after_an_hour_and_are_purged() {
    let mut w = world(false, false).await;
    let start = w.start(w.resource_link_request()).await;
    let page = w.browser.get(&start.url).await;
    let id = report(&page)["launch_id"].as_str().unwrap().to_owned();
    let url = w.tool_url.join(&format!("launches/{id}")).unwrap();
    assert_eq!(w.browser.get(&url).await.status, 200);
    assert_eq!(w.server.purge_expired(100).await.unwrap(), 0);
    w.clock.advance(std::time::Duration::from_secs(3601));
    assert_eq!(w.browser.get(&url).await.status, 404);
    assert_eq!(run(&mut w, &id, "nrps").await.status, 404);
    assert_eq!(w.server.purge_expired(100).await.unwrap(), 1);
}
