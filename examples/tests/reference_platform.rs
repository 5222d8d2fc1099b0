//! The reference platform over real loopback sockets, driven by a real `lti_tool::Tool` (its login, launch and
//! JWKS handlers mounted in a small axum router here) and the headless [`Browser`]: registration by Dynamic
//! Registration JSON, launches as instructor and learner, a deep linking round trip, a service token, and
//! hostile inputs, each answered with its machine code and 4xx.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use lti_ags::scope;
use lti_core::message::MessageType;
use lti_core::uri::claim;
use lti_core::{DeploymentId, PlatformRegistration};
use lti_deep_linking::DeepLinkingResponse;
use lti_deep_linking::items::{LineItem, LtiResourceLink};
use lti_examples::browser::{Browser, Page};
use lti_examples::platform::{PlatformState, app};
use lti_http::ReqwestClient;
use lti_security::oauth::{Scopes, TokenError, TokenSource};
use lti_security::{KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, MemoryStore, Store, SystemClock};
use lti_tool::{
    StaticRegistry, Tool, ToolConfig, deep_linking_request, deep_linking_response_page,
};
use serde_json::{Value, json};
use url::Url;

const NRPS_SCOPE: &str = lti_nrps::uri::SCOPE_CONTEXT_MEMBERSHIP_READONLY;
const ALL_SCOPES: [&str; 5] = [
    scope::LINE_ITEM,
    scope::LINE_ITEM_READONLY,
    scope::RESULT_READONLY,
    scope::SCORE,
    NRPS_SCOPE,
];

struct World {
    platform_url: Url,
    tool_url: Url,
    registered: Value,
    tool_keys: Arc<KeyRing>,
    browser: Browser,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

impl World {
    fn platform(&self, path: &str) -> Url {
        self.platform_url.join(path).unwrap()
    }

    fn client_id(&self) -> &str {
        self.registered["client_id"].as_str().unwrap()
    }

    fn link_id(&self) -> &str {
        self.registered["resource_link_id"].as_str().unwrap()
    }

    fn launch_as(&self, user: &str, link: &str, message: &str) -> Url {
        let mut url = self.platform("/launch-as");
        url.query_pairs_mut()
            .append_pair("user", user)
            .append_pair("context", "demo-course")
            .append_pair("link", link)
            .append_pair("message", message);
        url
    }

    async fn get_json(&self, path: &str) -> Value {
        let response = self.http.get(self.platform(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        json_of(response).await
    }
}

async fn listener() -> (tokio::net::TcpListener, Url) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    (listener, url)
}

/// The client-registration JSON a tool at `base` sends [DR §3.5.2].
fn dr_json(base: &Url) -> Value {
    json!({
        "application_type": "web",
        "grant_types": ["implicit", "client_credentials"],
        "response_types": ["id_token"],
        "redirect_uris": [base.join("/launch").unwrap().as_str()],
        "initiate_login_uri": base.join("/login").unwrap().as_str(),
        "client_name": "Test Tool",
        "jwks_uri": base.join("/jwks").unwrap().as_str(),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": ALL_SCOPES.join(" "),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": base.host_str().unwrap(),
            "target_link_uri": base.join("/launch").unwrap().as_str(),
            "claims": ["sub", "name", "given_name", "family_name", "email"],
            "messages": [{"type": "LtiDeepLinkingRequest"}]
        }
    })
}

/// The test tool's launch endpoint: a resource link launch answers the validated message as JSON; a deep
/// linking request answers with one graded `ltiResourceLink`.
async fn tool_launch(State(tool): State<(Tool, Arc<KeyRing>)>, request: Request) -> Response {
    let (tool, keys) = tool;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024).await.unwrap();
    let launch = match tool.launch(http::Request::from_parts(parts, body)).await {
        Ok(launch) => launch,
        Err(e) => return e.into_response().map(Body::from),
    };
    if launch.message().message_type == Some(MessageType::LtiDeepLinkingRequest) {
        let request = deep_linking_request(&launch).unwrap();
        let item = LtiResourceLink::new()
            .with_url(
                tool.config()
                    .redirect_uri
                    .join("/launch?quiz=7")
                    .unwrap()
                    .as_str(),
            )
            .with_title("Quiz 7")
            .with_custom("quiz", "7")
            .with_line_item({
                let mut li = LineItem::new(10.0);
                li.label = Some("Quiz 7 score".into());
                li.tag = Some("quiz".into());
                li
            });
        let response = DeepLinkingResponse::builder(&request)
            .item(item)
            .msg("1 quiz added")
            .build()
            .unwrap();
        let signed = response
            .sign(&keys.signing_key(), SystemClock.unix_seconds())
            .unwrap();
        return deep_linking_response_page(&signed).map(Body::from);
    }
    let summary = serde_json::to_string(launch.message()).unwrap();
    http::Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(summary))
        .unwrap()
}

async fn tool_login(State(tool): State<(Tool, Arc<KeyRing>)>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024).await.unwrap();
    tool.0
        .login(http::Request::from_parts(parts, body))
        .await
        .map(Body::from)
}

/// Starts the platform (fresh data directory) and a tool, registers the tool by DR JSON over `POST /api/tools`,
/// and serves the tool with the registration the platform answered.
async fn world() -> World {
    let data = tempfile::tempdir().unwrap();
    let (platform_listener, platform_url) = listener().await;
    let issuer = platform_url.as_str().trim_end_matches('/').to_owned();
    let state = PlatformState::open(data.path(), &issuer).await.unwrap();
    tokio::spawn(async move { axum::serve(platform_listener, app(state)).await });

    let (tool_listener, tool_url) = listener().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .post(platform_url.join("/api/tools").unwrap())
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&dr_json(&tool_url)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let registered: Value = json_of(response).await;

    let registration = PlatformRegistration::builder(
        registered["issuer"].as_str().unwrap(),
        registered["client_id"].as_str().unwrap(),
    )
    .authorization_endpoint(registered["authorization_endpoint"].as_str().unwrap())
    .token_endpoint(registered["token_endpoint"].as_str().unwrap())
    .jwks_url(registered["jwks_uri"].as_str().unwrap())
    .deployment(registered["deployment_id"].as_str().unwrap())
    .build()
    .unwrap();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let tool_keys = Arc::new(
        KeyRing::open(
            store.clone(),
            "tool",
            KeyProtection::insecure_plaintext_for_development(),
            Arc::new(SystemClock),
            KeyRingConfig::new(),
        )
        .await
        .unwrap(),
    );
    let tool = Tool::builder(ToolConfig::new(tool_url.join("/launch").unwrap()))
        .registry(Arc::new(StaticRegistry::new([registration])))
        .store(store)
        .http_client(Arc::new(ReqwestClient::new().unwrap()))
        .key_ring(tool_keys.clone())
        .deep_linking()
        .build()
        .unwrap();
    let jwks_tool = tool.clone();
    let router = Router::new()
        .route("/login", get(tool_login).post(tool_login))
        .route("/launch", axum::routing::post(tool_launch))
        .route(
            "/jwks",
            get(move || {
                let tool = jwks_tool.clone();
                async move { tool.jwks().map(Body::from) }
            }),
        )
        .with_state((tool, tool_keys.clone()));
    tokio::spawn(async move { axum::serve(tool_listener, router).await });

    World {
        platform_url,
        tool_url,
        registered,
        tool_keys,
        browser: Browser::new().unwrap(),
        http,
        _data: data,
    }
}

fn roles(message: &Value) -> Vec<String> {
    message[claim::ROLES]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

fn assert_error_page(page: &Page, status: u16, code: &str) {
    assert_eq!(page.status.as_u16(), status, "{}", page.body);
    assert!(
        page.body.contains(&format!("<code>{code}</code>")),
        "expected code {code}: {}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c139_c142_dr_registration_answers_endpoints_and_places_a_link() {
    let w = world().await;
    let r = &w.registered;
    let issuer = w.platform_url.as_str().trim_end_matches('/');
    assert_eq!(r["issuer"], issuer);
    assert_eq!(r["authorization_endpoint"], format!("{issuer}/auth"));
    assert_eq!(r["token_endpoint"], format!("{issuer}/token"));
    assert_eq!(r["jwks_uri"], format!("{issuer}/jwks"));
    assert_eq!(r["context_id"], "demo-course");
    let granted: Vec<&str> = r["scope"].as_str().unwrap().split(' ').collect();
    assert_eq!(granted.len(), 5, "{granted:?}");

    let config = w.get_json("/.well-known/openid-configuration").await;
    assert_eq!(config["issuer"], issuer);
    assert_eq!(config["token_endpoint"], r["token_endpoint"]);
    assert_eq!(config["jwks_uri"], r["jwks_uri"]);
    let parsed: lti_core::registration::dynamic::PlatformConfiguration =
        serde_json::from_value(config).unwrap();
    assert!(parsed.scopes_supported.iter().any(|s| s == scope::SCORE));
    let lti = parsed.platform_configuration.unwrap();
    assert_eq!(lti["product_family_code"], "lti-rs-reference-platform");
    assert!(lti["messages_supported"].as_array().unwrap().len() >= 2);

    let links = w.get_json("/api/contexts/demo-course/links").await;
    let links = links["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["id"], r["resource_link_id"]);
    assert_eq!(links[0]["client_id"], r["client_id"]);
    assert_eq!(links[0]["deployment_id"], r["deployment_id"]);
    assert_eq!(links[0]["title"], "Test Tool");

    let tools = w.get_json("/api/tools").await;
    assert_eq!(tools["tools"][0]["client_id"], r["client_id"]);

    let jwks = w.get_json("/jwks").await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert!(jwks["keys"][0].get("d").is_none(), "public keys only");

    // the outline page offers the link to each user, escaped
    let outline = w
        .browser
        .get(&w.platform("/courses/demo-course"))
        .await
        .unwrap();
    assert_eq!(outline.status, 200);
    assert!(outline.body.contains("Test Tool"));
    assert!(outline.body.contains("as learner-2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c51_c56_c58_c124_launch_as_instructor_and_learner_reaches_the_tool_with_roles_context_and_services()
 {
    let w = world().await;
    let page = w
        .browser
        .get(&w.launch_as("instructor-1", w.link_id(), "resource"))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.url.path(),
        "/launch",
        "ended at the tool: {:?}",
        page.trail
    );
    let message = page.json().unwrap();
    let issuer = w.platform_url.as_str().trim_end_matches('/');
    assert_eq!(message["iss"], issuer);
    assert_eq!(message["aud"], w.client_id());
    assert_eq!(message["sub"], "instructor-1");
    assert_eq!(message["name"], "Ivy Instructor");
    assert_eq!(message[claim::DEPLOYMENT_ID], w.registered["deployment_id"]);
    assert_eq!(message[claim::MESSAGE_TYPE], "LtiResourceLinkRequest");
    assert_eq!(
        roles(&message),
        ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    );
    assert_eq!(message[claim::CONTEXT]["id"], "demo-course");
    assert_eq!(message[claim::CONTEXT]["title"], "Demo Course");
    assert_eq!(message[claim::RESOURCE_LINK]["id"], w.link_id());
    let ags = &message[claim::AGS_ENDPOINT];
    let lineitems = ags["lineitems"].as_str().unwrap();
    assert!(
        lineitems.starts_with(&format!("{issuer}/api/lti/ags/"))
            && lineitems.ends_with("/lineitems"),
        "{lineitems}"
    );
    assert!(
        ags.get("lineitem").is_none(),
        "the tool's default link has no line item"
    );
    let ags_scopes: Vec<&str> = ags["scope"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for s in [scope::LINE_ITEM, scope::SCORE, scope::RESULT_READONLY] {
        assert!(ags_scopes.contains(&s), "{s} in {ags_scopes:?}");
    }
    let memberships = message[claim::NRPS]["context_memberships_url"]
        .as_str()
        .unwrap();
    assert!(
        memberships.starts_with(&format!("{issuer}/api/lti/nrps/")),
        "{memberships}"
    );
    assert_eq!(message[claim::NRPS]["service_versions"], json!(["2.0"]));

    // the same browser launches again as a learner: the session follows the dev login
    let page = w
        .browser
        .get(&w.launch_as("learner-2", w.link_id(), "resource"))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    let message = page.json().unwrap();
    assert_eq!(message["sub"], "learner-2");
    assert_eq!(
        roles(&message),
        ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c90_c94_c95_deep_linking_round_trip_creates_a_link_and_a_line_item_then_launches_it() {
    let w = world().await;
    let page = w
        .browser
        .get(&w.launch_as("instructor-1", w.link_id(), "deeplink"))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.url.path(), "/deep-linking/return", "{:?}", page.trail);
    assert!(page.body.contains("1 quiz added"), "{}", page.body);
    assert!(page.body.contains("Quiz 7"));

    let links = w.get_json("/api/contexts/demo-course/links").await;
    let links = links["links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    let quiz = links.iter().find(|l| l["title"] == "Quiz 7").unwrap();
    assert_eq!(quiz["client_id"], w.client_id());
    assert_eq!(quiz["custom"]["quiz"], "7");
    let quiz_id = quiz["id"].as_str().unwrap().to_owned();

    let gradebook = w.get_json("/api/contexts/demo-course/gradebook").await;
    let items = gradebook["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["label"], "Quiz 7 score");
    assert_eq!(items[0]["scoreMaximum"], 10.0);
    assert_eq!(items[0]["resourceLinkId"], quiz_id.as_str());
    assert_eq!(items[0]["tag"], "quiz");
    assert_eq!(items[0]["results"], json!([]));

    // the new link launches as a learner with its own id, target, custom values and line item
    let page = w
        .browser
        .get(&w.launch_as("learner-1", &quiz_id, "resource"))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    let message = page.json().unwrap();
    assert_eq!(message[claim::RESOURCE_LINK]["id"], quiz_id.as_str());
    assert_eq!(message[claim::RESOURCE_LINK]["title"], "Quiz 7");
    assert_eq!(
        message[claim::TARGET_LINK_URI],
        w.tool_url.join("/launch?quiz=7").unwrap().as_str()
    );
    assert_eq!(message[claim::CUSTOM]["quiz"], "7");
    assert_eq!(message[claim::AGS_ENDPOINT]["lineitem"], items[0]["id"]);

    // the gradebook page shows the new column
    let gradebook_page = w
        .browser
        .get(&w.platform("/courses/demo-course/gradebook"))
        .await
        .unwrap();
    assert!(gradebook_page.body.contains("Quiz 7 score"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c80_c81_tool_gets_a_service_token_for_granted_scopes_only() {
    let w = world().await;
    let registration =
        PlatformRegistration::builder(w.registered["issuer"].as_str().unwrap(), w.client_id())
            .authorization_endpoint(w.registered["authorization_endpoint"].as_str().unwrap())
            .token_endpoint(w.registered["token_endpoint"].as_str().unwrap())
            .jwks_url(w.registered["jwks_uri"].as_str().unwrap())
            .deployment(w.registered["deployment_id"].as_str().unwrap())
            .build()
            .unwrap();
    let deployment = DeploymentId::new(w.registered["deployment_id"].as_str().unwrap());
    let endpoint = lti_tool::service_token_endpoint(&registration, Some(&deployment)).unwrap();
    let tokens = TokenSource::new(
        Arc::new(ReqwestClient::new().unwrap()),
        w.tool_keys.clone(),
        Arc::new(SystemClock),
    );
    let wanted: Scopes = [scope::SCORE, NRPS_SCOPE].into_iter().collect();
    let token = tokens.token(&endpoint, &wanted).await.unwrap();
    assert!(!token.secret().is_empty());
    assert_eq!(token.scopes(), &wanted);

    let other: Scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/not-offered"]
        .into_iter()
        .collect();
    let refused = tokens.token(&endpoint, &other).await.unwrap_err();
    assert!(
        matches!(&refused, TokenError::Refused { status: 400, .. })
            && refused.to_string().contains("invalid_scope"),
        "{refused:?}"
    );

    // a token request without an assertion is an RFC 6749 error, not a page
    let response = w
        .http
        .post(w.platform("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = json_of(response).await;
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c47_hostile_launch_as_inputs_are_refused_with_their_code() {
    let w = world().await;
    let link = w.link_id().to_owned();
    let cases: Vec<(Url, u16, &str)> = vec![
        (
            w.launch_as("mallory", &link, "resource"),
            400,
            "unknown_user",
        ),
        (
            w.launch_as("learner-1", "no-such-link", "resource"),
            404,
            "unknown_link",
        ),
        (
            w.launch_as("learner-1", &link, "deeplink"),
            403,
            "not_instructor",
        ),
        (
            w.launch_as("learner-1", &link, "grade"),
            400,
            "invalid_parameter",
        ),
        (
            w.platform("/launch-as?user=learner-1&context=other-course&link=x"),
            404,
            "unknown_context",
        ),
        (
            w.platform("/launch-as?user=learner-1&context=demo-course"),
            400,
            "missing_parameter",
        ),
        (
            w.platform(
                "/launch-as?user=instructor-1&context=demo-course&tool=tool-x&message=deeplink",
            ),
            404,
            "unknown_tool",
        ),
        (
            w.platform("/launch-as?user=a&user=b&context=demo-course&link=x"),
            400,
            "repeated_parameter",
        ),
        (
            w.platform(&format!(
                "/launch-as?user={}&context=demo-course&link=x",
                "u".repeat(300)
            )),
            400,
            "invalid_parameter",
        ),
        (
            w.platform("/launch-as?user=%3Cscript%3E&context=demo-course&link=x"),
            400,
            "unknown_user",
        ),
    ];
    for (url, status, code) in cases {
        let page = w.browser.get(&url).await.unwrap();
        assert_error_page(&page, status, code);
        assert!(!page.body.contains("<script>"), "escaped: {}", page.body);
    }
    assert!(
        w.browser.cookie(&w.platform_url, "rp_session").is_none(),
        "no sign-in on a refused launch"
    );

    // the authorization endpoint without a session: the facade answers the tool with login_required
    let mut auth = w.platform("/auth");
    auth.query_pairs_mut()
        .append_pair("client_id", w.client_id())
        .append_pair("redirect_uri", w.tool_url.join("/launch").unwrap().as_str());
    let page = w.browser.get(&auth).await.unwrap();
    assert!(page.status.is_client_error(), "{}", page.body);

    // a deep linking return that is not a signed response
    let page = w
        .browser
        .post_form(
            &w.platform("/deep-linking/return"),
            &[("JWT".into(), "a.b.c".into())],
        )
        .await
        .unwrap();
    assert!(page.status.is_client_error(), "{}", page.body);

    // Dynamic Registration started from the platform: only to a secure URL, with the configuration URL added
    let response = w
        .http
        .get(w.platform("/tools/register?url=https%3A%2F%2Ftool.example%2Freg%3Fa%3D1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("tool.example"));
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs[0], ("a".to_owned(), "1".to_owned()));
    assert_eq!(pairs[1].0, "openid_configuration");
    assert_eq!(
        pairs[1].1,
        w.platform("/.well-known/openid-configuration").as_str()
    );
    for bad in [
        "/tools/register?url=http%3A%2F%2Ftool.example%2Freg",
        "/tools/register?url=javascript%3Aalert(1)",
        "/tools/register",
    ] {
        let page = w.browser.get(&w.platform(bad)).await.unwrap();
        assert_error_page(&page, 400, "invalid_parameter");
    }

    // unknown course in the API and pages
    let response = w
        .http
        .get(w.platform("/api/contexts/nope/links"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(json_of(response).await["error"], "unknown_context");
    let page = w
        .browser
        .get(&w.platform("/courses/nope/roster"))
        .await
        .unwrap();
    assert_error_page(&page, 404, "unknown_context");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c135_c141_bad_dr_json_is_refused_with_the_member_named() {
    let w = world().await;
    let good = dr_json(&w.tool_url);
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("jwks_uri");
    let mut wrong_type = good.clone();
    wrong_type["redirect_uris"] = json!("https://tool.example/launch");
    let mut grant = good.clone();
    grant["grant_types"] = json!(["authorization_code"]);
    let mut insecure = good.clone();
    insecure["jwks_uri"] = json!("http://tool.example/jwks");
    let mut no_domain = good.clone();
    no_domain["https://purl.imsglobal.org/spec/lti-tool-configuration"]["domain"] = json!("");
    let mut nested = good.clone();
    nested["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"] =
        json!([{"type": 5}]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (serde_json::to_vec(&missing).unwrap(), "jwks_uri"),
        (serde_json::to_vec(&wrong_type).unwrap(), "redirect_uris"),
        (serde_json::to_vec(&grant).unwrap(), "grant_types"),
        (serde_json::to_vec(&insecure).unwrap(), "jwks"),
        (serde_json::to_vec(&no_domain).unwrap(), "domain"),
        (serde_json::to_vec(&nested).unwrap(), "messages"),
        (b"not json".to_vec(), "member"),
        (b"{} trailing".to_vec(), "member"),
    ];
    for (body, member) in cases {
        let response = w
            .http
            .post(w.platform("/api/tools"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{member}");
        let error: Value = json_of(response).await;
        let description = error["error_description"].as_str().unwrap();
        assert!(description.contains(member), "{member}: {description}");
        let code = if member == "redirect_uris" {
            "invalid_redirect_uri"
        } else {
            "invalid_client_metadata"
        };
        assert_eq!(error["error"], code, "{member}: {error}");
    }
    let huge = vec![b' '; 70 * 1024];
    let response = w
        .http
        .post(w.platform("/api/tools"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);

    // nothing was registered by the refused bodies
    let tools = w.get_json("/api/tools").await;
    assert_eq!(tools["tools"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_pages_through_the_seeded_course() {
    let w = world().await;
    let first = w
        .browser
        .get(&w.platform("/courses/demo-course/roster"))
        .await
        .unwrap();
    assert_eq!(first.status, 200);
    assert!(first.body.contains("instructor-1"));
    let form_next = first.body.find("roster?after=").expect("a next page");
    let href_end = first.body[form_next..].find('"').unwrap();
    let next = lti_examples::browser::unescape(&first.body[form_next..form_next + href_end]);
    let second = w
        .browser
        .get(&w.platform(&format!("/courses/demo-course/{next}")))
        .await
        .unwrap();
    assert_eq!(second.status, 200);
    assert!(!second.body.contains("instructor-1"));
    assert!(
        second.body.contains("roster?after="),
        "125 members: a third page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_tools_persist_across_restarts_and_the_key_file_is_private() {
    let data = tempfile::tempdir().unwrap();
    let issuer = "http://127.0.0.1:9";
    let state = PlatformState::open(data.path(), issuer).await.unwrap();
    let jwks = body_json(state.platform().jwks());
    drop(state);

    // `tools add` while the server is stopped
    let file = data.path().join("tool.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&dr_json(&Url::parse("https://tool.example").unwrap())).unwrap(),
    )
    .unwrap();
    let command = lti_examples::platform::cli::parse(
        [
            "tools",
            "add",
            file.to_str().unwrap(),
            "--data",
            data.path().to_str().unwrap(),
            "--issuer",
            issuer,
        ]
        .map(str::to_owned),
    )
    .unwrap();
    lti_examples::platform::cli::run(command).await.unwrap();

    let state = PlatformState::open(data.path(), issuer).await.unwrap();
    assert_eq!(
        body_json(state.platform().jwks()),
        jwks,
        "same keys after a restart"
    );
    let tools = state.tools().list().await.unwrap();
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].name(), Some("Test Tool"));
    let links = state.courses().links("demo-course").await.unwrap();
    assert_eq!(links.len(), 1);
    let page = state
        .courses()
        .members("demo-course", None, 100)
        .await
        .unwrap();
    assert_eq!(page.members.len(), 100);
    assert!(page.next.is_some(), "seeded once, 125 members");
    drop(state);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.path().join("platform.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // no private key material in the clear anywhere in the data directory
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PRIVATE KEY"), "{}", entry.display());
        assert!(!text.contains("\"d\":"), "{}", entry.display());
    }
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

fn body_json(response: http::Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

impl World {
    fn token_source(&self) -> (TokenSource, lti_security::oauth::TokenEndpoint) {
        let registration = PlatformRegistration::builder(
            self.registered["issuer"].as_str().unwrap(),
            self.client_id(),
        )
        .authorization_endpoint(self.registered["authorization_endpoint"].as_str().unwrap())
        .token_endpoint(self.registered["token_endpoint"].as_str().unwrap())
        .jwks_url(self.registered["jwks_uri"].as_str().unwrap())
        .deployment(self.registered["deployment_id"].as_str().unwrap())
        .build()
        .unwrap();
        let deployment = DeploymentId::new(self.registered["deployment_id"].as_str().unwrap());
        let endpoint = lti_tool::service_token_endpoint(&registration, Some(&deployment)).unwrap();
        let tokens = TokenSource::new(
            Arc::new(ReqwestClient::new().unwrap()),
            self.tool_keys.clone(),
            Arc::new(SystemClock),
        );
        (tokens, endpoint)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c82_c105_c120_services_from_a_launch_claims_reach_roster_and_gradebook() {
    let w = world().await;
    let page = w
        .browser
        .get(&w.launch_as("instructor-1", w.link_id(), "resource"))
        .await
        .unwrap();
    let message = page.json().unwrap();
    let (tokens, endpoint) = w.token_source();

    // NRPS: the whole seeded roster, read in pages through the claim's URL, with names (the tool asked for them)
    let nrps_claim: lti_nrps::NrpsClaim =
        serde_json::from_value(message[claim::NRPS].clone()).unwrap();
    let client = lti_nrps::NrpsClient::new(tokens.clone(), endpoint.clone());
    let mut pages = client
        .members(&nrps_claim, &lti_nrps::MembershipQuery::default())
        .unwrap();
    let members = pages.collect_members(1000).await.unwrap();
    assert_eq!(members.len(), lti_examples::platform::seed::DEMO_MEMBERS);
    let instructor = members
        .iter()
        .find(|m| m.user_id.as_str() == "instructor-1")
        .unwrap();
    assert!(instructor.roles.is_instructor());
    assert_eq!(instructor.name.as_deref(), Some("Ivy Instructor"));

    // AGS: a line item bound to the launched link, a score for a learner, then the platform's gradebook
    let ags_claim: lti_ags::AgsEndpointClaim =
        serde_json::from_value(message[claim::AGS_ENDPOINT].clone()).unwrap();
    let ags = lti_ags::AgsClient::new(tokens, endpoint, ags_claim, Arc::new(SystemClock));
    let mut template = lti_ags::LineItem::new("Essay", 20.0);
    template.resource_link_id = Some(lti_core::ResourceLinkId::new(w.link_id()));
    let item = ags.create_line_item(&template).await.unwrap();
    let id = item.id.clone().unwrap();
    let score = lti_ags::Score::new(
        lti_core::UserId::new("learner-1"),
        ags.next_timestamp(),
        lti_ags::ActivityProgress::Completed,
        lti_ags::GradingProgress::FullyGraded,
    )
    .given(15.0, 20.0);
    ags.post_score(&id, &score).await.unwrap();
    let gradebook = w.get_json("/api/contexts/demo-course/gradebook").await;
    let column = &gradebook["line_items"][0];
    assert_eq!(column["label"], "Essay");
    assert_eq!(column["id"], id.as_str());
    assert_eq!(column["results"][0]["userId"], "learner-1");
    assert_eq!(column["results"][0]["resultScore"], 15.0);
    let page = w
        .browser
        .get(&w.platform("/courses/demo-course/gradebook"))
        .await
        .unwrap();
    assert!(page.body.contains("Essay") && page.body.contains("FullyGraded"));

    // the next launch of that link carries the line item in its AGS claim
    let page = w
        .browser
        .get(&w.launch_as("learner-1", w.link_id(), "resource"))
        .await
        .unwrap();
    assert_eq!(
        page.json().unwrap()[claim::AGS_ENDPOINT]["lineitem"],
        id.as_str()
    );

    // without a token, or with a tampered scoped URL, the services refuse
    let lineitems = message[claim::AGS_ENDPOINT]["lineitems"].as_str().unwrap();
    let response = w.http.get(lineitems).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let url = nrps_claim.context_memberships_url.as_str().to_owned();
    let tampered = format!("{}x", url);
    let response = w.http.get(&tampered).send().await.unwrap();
    assert!(response.status().is_client_error());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c92_deep_linking_response_posted_by_another_signed_in_user_is_refused() {
    let w = world().await;
    // the instructor's browser, JavaScript off: stops at each auto-submitting form
    let instructor = Browser::manual().unwrap();
    let auth = instructor
        .get(&w.launch_as("instructor-1", w.link_id(), "deeplink"))
        .await
        .unwrap();
    let id_token_form = lti_examples::browser::parse_form(&auth.body).unwrap();
    assert_eq!(id_token_form.method, "post");
    let tool_page = instructor.submit(&auth.url, &id_token_form).await.unwrap();
    let response_form = lti_examples::browser::parse_form(&tool_page.body).unwrap();
    assert!(response_form.action.ends_with("/deep-linking/return"));
    assert_eq!(response_form.fields[0].0, "JWT");

    // a learner signed in on another browser posts it: refused, nothing created
    let learner = Browser::new().unwrap();
    learner
        .get(&w.launch_as("learner-1", w.link_id(), "resource"))
        .await
        .unwrap();
    assert!(learner.cookie(&w.platform_url, "rp_session").is_some());
    let refused = learner
        .submit(&tool_page.url, &response_form)
        .await
        .unwrap();
    assert_error_page(&refused, 403, "lti.dl.response.user_mismatch");
    let links = w.get_json("/api/contexts/demo-course/links").await;
    assert_eq!(links["links"].as_array().unwrap().len(), 1);

    // the user was checked before the response's nonce or the request's data was spent: the instructor's own
    // copy still goes through, once
    let accepted = instructor
        .submit(&tool_page.url, &response_form)
        .await
        .unwrap();
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let links = w.get_json("/api/contexts/demo-course/links").await;
    assert_eq!(links["links"].as_array().unwrap().len(), 2);
    let replay = instructor
        .submit(&tool_page.url, &response_form)
        .await
        .unwrap();
    // a replay: the request it answered is gone (taken by the accepted copy), refused before the nonce check
    assert_error_page(&replay, 400, "lti.dl.response.data_unknown");
    let links = w.get_json("/api/contexts/demo-course/links").await;
    assert_eq!(links["links"].as_array().unwrap().len(), 2);
}

/// The launch report the reference tool embeds in its launch page.
fn launch_report(page: &Page) -> Value {
    let marker = format!("id=\"{}\">", lti_examples::tool::LAUNCH_REPORT_ID);
    let start = page.body.find(&marker).expect("a launch report") + marker.len();
    let end = start + page.body[start..].find("</script>").unwrap();
    serde_json::from_str(&page.body[start..end]).unwrap()
}

/// The two reference servers together, as a newcomer runs them: the reference tool's own Dynamic Registration
/// JSON registers it here, the platform's answer registers the platform there, and a browser launches, deep
/// links and has the tool run NRPS and AGS against the platform.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_tool_and_reference_platform_work_together() {
    use lti_examples::tool::{PlatformSpec, ToolServer, ToolServerConfig};

    let platform_data = tempfile::tempdir().unwrap();
    let (platform_listener, platform_url) = listener().await;
    let issuer = platform_url.as_str().trim_end_matches('/').to_owned();
    let state = PlatformState::open(platform_data.path(), &issuer)
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(platform_listener, app(state)).await });

    let tool_data = tempfile::tempdir().unwrap();
    let (tool_listener, tool_url) = listener().await;
    let config = ToolServerConfig::new(tool_url.as_str(), tool_data.path())
        .unwrap()
        .with_auto_services(true)
        .with_auto_deep_link(true);
    let server = ToolServer::open(config).await.unwrap();
    let served = server.clone();
    tokio::spawn(async move { axum::serve(tool_listener, lti_examples::tool::app(served)).await });

    let http = reqwest::Client::new();
    let registration = http
        .get(
            tool_url
                .join("/.well-known/lti-tool-registration.json")
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let answer = http
        .post(platform_url.join("/api/tools").unwrap())
        .header("content-type", "application/json")
        .body(registration)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let answer = answer.bytes().await.unwrap();
    server
        .add_platform(&PlatformSpec::from_json(&answer).unwrap())
        .await
        .unwrap();
    let registered: Value = serde_json::from_slice(&answer).unwrap();
    let link = registered["resource_link_id"].as_str().unwrap();

    let browser = Browser::new().unwrap();
    let launch = |user: &str, link: &str, message: &str| {
        let mut url = platform_url.join("/launch-as").unwrap();
        url.query_pairs_mut()
            .append_pair("user", user)
            .append_pair("context", "demo-course")
            .append_pair("link", link)
            .append_pair("message", message);
        url
    };

    // a learner launch: the tool verifies it, reads the whole roster and grades the learner
    let page = browser
        .get(&launch("learner-2", link, "resource"))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    let report = launch_report(&page);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["user"], "learner-2");
    for service in report["services"].as_array().unwrap() {
        assert_eq!(service["status"], "ok", "{service}");
    }
    let gradebook: Value = serde_json::from_slice(
        &http
            .get(
                platform_url
                    .join("/api/contexts/demo-course/gradebook")
                    .unwrap(),
            )
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let results = gradebook["line_items"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{gradebook}");
    assert_eq!(results[0]["userId"], "learner-2");

    // the instructor adds content: the tool answers the deep linking request at once
    let page = browser
        .get(&launch("instructor-1", link, "deeplink"))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("1 link(s) added"), "{}", page.body);
}
