//! Deep linking end to end in one process (checklist I84–I89, J90–J95): the real lti-platform sends an
//! `LtiDeepLinkingRequest` through the OIDC flow to the real lti-tool, the tool answers with a signed
//! `LtiDeepLinkingResponse` in an auto-submit form, the platform verifies it with the tool's JWKS (fetched over
//! an in-process `RouterClient`, no sockets), creates resource links and a line item, and launches each new
//! link back into the tool. The test is the browser. Hostile responses are signed with the tool's real key so
//! that each one fails on exactly the rule it breaks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/fixtures.rs"]
mod fixtures;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use fixtures::*;
use lti_core::claims::Context;
use lti_core::message::MessageType;
use lti_core::role::ContextRole;
use lti_core::{
    ClientId, ContextId, DeploymentId, Issuer, PlatformRegistration, Role, ToolRegistration, UserId,
};
use lti_deep_linking::items::{Html, LineItem, Link, LtiResourceLink};
use lti_deep_linking::uri::claim;
use lti_deep_linking::{
    ContentItem, DeepLinkingResponse, DeepLinkingSettings, Error, ResourceLinkStore,
    VerifiedDeepLinkingResponse,
};
use lti_http::RouterClient;
use lti_platform::{
    DeepLinking, LaunchRequest, Platform, PlatformConfig, PlatformError, StaticToolRegistry,
    launch_request_for,
};
use lti_security::{JwksCache, KeyProtection, KeyRing, KeyRingConfig, sign_jwt};
use lti_storage::{Clock, ManualClock, MemoryStore, Store};
use lti_tool::{
    Launch, StaticRegistry, Tool, ToolConfig, deep_linking_request, deep_linking_response_page,
};
use serde_json::{Map, Value, json};
use url::Url;

const RETURN_URL: &str = "https://lms.example/dl/return";
const OTHER_CLIENT: &str = "tool-2";

struct World {
    platform: Platform,
    deep_linking: DeepLinking,
    tool: Tool,
    tool_keys: Arc<KeyRing>,
    clock: Arc<ManualClock>,
}

fn tool_registration(client_id: &str) -> ToolRegistration {
    tool_registration_builder(client_id)
        .jwks_url("https://tool.example/jwks")
        .build()
        .unwrap()
}

fn tool_registration_builder(client_id: &str) -> lti_core::registration::ToolRegistrationBuilder {
    ToolRegistration::builder(client_id)
        .redirect_uri(REDIRECT_URI)
        .initiate_login_uri(LOGIN_URI)
        .target_link_uri(TARGET_URI)
        .deployment(DEPLOYMENT_ID)
        .custom("from_registration", "yes")
}

async fn key_ring(store: Arc<dyn Store>, name: &str, clock: Arc<ManualClock>) -> Arc<KeyRing> {
    Arc::new(
        KeyRing::open(
            store,
            name,
            KeyProtection::insecure_plaintext_for_development(),
            clock,
            KeyRingConfig::new(),
        )
        .await
        .unwrap(),
    )
}

/// A platform with the tool registered by JWKS URL (and a second client registered with the same key given
/// statically, as a JWK, for the `iss` cases), a tool that accepts deep linking, and a router that serves both
/// JWKS.
async fn world() -> World {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let tool_store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let tool_keys = key_ring(tool_store.clone(), "tool", clock.clone()).await;
    let static_jwk = serde_json::to_string(&tool_keys.signing_key().public_jwk()).unwrap();
    let platform_store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let platform_keys = key_ring(platform_store.clone(), "platform", clock.clone()).await;
    let config = PlatformConfig::new(Issuer::new(ISSUER), Url::parse(AUTH_ENDPOINT).unwrap());
    let platform = Platform::builder(config)
        .tools(Arc::new(
            StaticToolRegistry::new()
                .with(tool_registration(CLIENT_ID))
                .with(
                    tool_registration_builder(OTHER_CLIENT)
                        .static_key(static_jwk)
                        .build()
                        .unwrap(),
                ),
        ))
        .store(platform_store)
        .key_ring(platform_keys)
        .clock(clock.clone())
        .build()
        .unwrap();

    let router = RouterClient::new();
    let served = platform.clone();
    router
        .route(ISSUER, move |request: http::Request<Bytes>| {
            let platform = served.clone();
            async move {
                if request.uri().path() == "/jwks" {
                    platform.jwks()
                } else {
                    http::Response::builder()
                        .status(404)
                        .body(Bytes::new())
                        .unwrap()
                }
            }
        })
        .unwrap();
    let registration = PlatformRegistration::builder(ISSUER, CLIENT_ID)
        .authorization_endpoint(AUTH_ENDPOINT)
        .token_endpoint("https://lms.example/token")
        .jwks_url("https://lms.example/jwks")
        .deployment(DEPLOYMENT_ID)
        .build()
        .unwrap();
    let as_clock: Arc<dyn Clock> = clock.clone();
    let router = Arc::new(router);
    let tool = Tool::builder(ToolConfig::new(Url::parse(REDIRECT_URI).unwrap()))
        .registry(Arc::new(StaticRegistry::new([registration])))
        .store(tool_store)
        .http_client(router.clone())
        .clock(as_clock.clone())
        .key_ring(tool_keys.clone())
        .deep_linking()
        .build()
        .unwrap();
    let served = tool.clone();
    router
        .route(
            "https://tool.example",
            move |request: http::Request<Bytes>| {
                let tool = served.clone();
                async move {
                    if request.uri().path() == "/jwks" {
                        tool.jwks()
                    } else {
                        http::Response::builder()
                            .status(404)
                            .body(Bytes::new())
                            .unwrap()
                    }
                }
            },
        )
        .unwrap();
    let deep_linking = DeepLinking::new(&platform, JwksCache::new(router, as_clock));
    World {
        platform,
        deep_linking,
        tool,
        tool_keys,
        clock,
    }
}

fn settings() -> DeepLinkingSettings {
    DeepLinkingSettings::new(
        RETURN_URL,
        ["ltiResourceLink", "link", "html"],
        ["iframe", "window"],
    )
    .with_accept_multiple(true)
    .with_accept_lineitem(true)
}

fn instructor_request() -> LaunchRequest {
    LaunchRequest::new(
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT_ID),
        MessageType::LtiDeepLinkingRequest,
        Some(user("ins-1")),
    )
    .with_roles([Role::context(ContextRole::Instructor)])
    .with_context(Context::new(ContextId::new("course-1")))
}

/// The browser runs a started launch through the tool's login, the platform's authorization endpoint and the
/// tool's launch endpoint, as `user`.
async fn run_launch(w: &World, start: lti_platform::LoginStart, user: &str) -> Launch {
    let login = w
        .tool
        .login(
            http::Request::get(start.url.as_str())
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(login.status(), 302, "{}", body(&login));
    let location = login.headers()["location"].to_str().unwrap().to_owned();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let answer = w
        .platform
        .authorize(
            http::Request::get(location.as_str())
                .body(Bytes::new())
                .unwrap(),
            Some(&UserId::new(user)),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let form = parse_form(&body(&answer));
    assert_eq!(form.action, REDIRECT_URI);
    let form_body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form.fields)
        .finish();
    w.tool
        .launch(
            http::Request::post(REDIRECT_URI)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Bytes::from(form_body))
                .unwrap(),
        )
        .await
        .unwrap()
}

/// The platform starts a deep linking request with `settings`; the tool validates it.
async fn deep_linking_launch(w: &World, settings: DeepLinkingSettings) -> Launch {
    let start = w
        .deep_linking
        .start(instructor_request(), settings)
        .await
        .unwrap();
    run_launch(w, start, "ins-1").await
}

/// The browser posts `body` (form-encoded) to the platform's return URL.
async fn post_return(w: &World, body: String) -> Result<VerifiedDeepLinkingResponse, Error> {
    let request = http::Request::post(RETURN_URL)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(body))
        .unwrap();
    w.deep_linking.receive(&request).await
}

async fn post_jwt(w: &World, jwt: &str) -> Result<VerifiedDeepLinkingResponse, Error> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("JWT", jwt)
        .finish();
    post_return(w, body).await
}

static NONCES: AtomicU64 = AtomicU64::new(0);

/// The claims of a well-formed response to `launch` carrying `items`, for the hostile cases to alter.
fn claims(w: &World, launch: &Launch, items: Value) -> Map<String, Value> {
    let request = deep_linking_request(launch).unwrap();
    let now = w.clock.unix_seconds();
    let mut map = json!({
        "iss": CLIENT_ID,
        "aud": ISSUER,
        "iat": now,
        "exp": now + 300,
        "nonce": format!("nonce-{}", NONCES.fetch_add(1, Ordering::Relaxed)),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT_ID,
        claim::CONTENT_ITEMS: items,
    });
    map[claim::DATA] = json!(request.settings().data.clone().unwrap());
    map.as_object().unwrap().clone()
}

fn sign(w: &World, claims: &Map<String, Value>) -> String {
    sign_jwt(&w.tool_keys.signing_key(), claims).unwrap()
}

fn one_link() -> Value {
    json!([{"type": "link", "url": "https://tool.example/r"}])
}

#[tokio::test]
async fn c90_to_c95_request_response_links_and_launches() {
    let w = world().await;

    // J90: the id_token the tool received is a deep linking request with settings and no resource_link.
    let launch = deep_linking_launch(&w, settings()).await;
    let message = launch.message();
    assert_eq!(
        message.message_type,
        Some(MessageType::LtiDeepLinkingRequest)
    );
    assert!(message.resource_link.is_none());
    let request = deep_linking_request(&launch).unwrap();
    assert_eq!(request.settings().deep_link_return_url, RETURN_URL);
    assert_eq!(request.issuer().as_str(), ISSUER);
    let data = request.settings().data.clone().unwrap();
    assert!(
        data.len() >= 43,
        "the platform's data is a 256-bit random value"
    );

    // I85-I88: the tool answers with two resource links (one graded), a link and an html fragment.
    let graded = LtiResourceLink::new()
        .with_url("https://tool.example/quiz/7")
        .with_title("Quiz 7")
        .with_custom("quiz", "7")
        .with_custom("mode", "$Context.id")
        .with_line_item({
            let mut li = LineItem::new(50.0);
            li.label = Some("Quiz 7 score".into());
            li.resource_id = Some("quiz-7".into());
            li.tag = Some("final".into());
            li
        });
    let reading = LtiResourceLink::new()
        .with_title("Reading")
        .with_custom("chapter", "3");
    let response = DeepLinkingResponse::builder(&request)
        .item(graded)
        .item(reading)
        .item(Link::new("https://tool.example/syllabus").with_title("Syllabus"))
        .item(Html::new("<p onclick=\"x()\">Welcome</p>"))
        .msg("4 items added")
        .build()
        .unwrap();
    let signed = response
        .sign(&w.tool_keys.signing_key(), w.clock.unix_seconds())
        .unwrap();
    let page = deep_linking_response_page(&signed);
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let form = parse_form(&body(&page));
    assert_eq!(form.action, RETURN_URL);
    assert_eq!(form.fields.len(), 1);

    // The browser posts the form to the platform, which verifies it with the tool's JWKS.
    let form_body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form.fields)
        .finish();
    let verified = post_return(&w, form_body).await.unwrap();
    assert_eq!(verified.client_id().as_str(), CLIENT_ID);
    assert_eq!(verified.user_id().unwrap().as_str(), "ins-1");
    assert_eq!(verified.context_id().unwrap().as_str(), "course-1");
    assert_eq!(verified.msg(), Some("4 items added"));
    let types: Vec<&str> = verified
        .items()
        .iter()
        .map(ContentItem::item_type)
        .collect();
    assert_eq!(
        types,
        ["ltiResourceLink", "ltiResourceLink", "link", "html"]
    );
    let ContentItem::Html(html) = &verified.items()[3] else {
        panic!()
    };
    assert_eq!(
        lti_deep_linking::escape_html(&html.html),
        "&lt;p onclick=&quot;x()&quot;&gt;Welcome&lt;/p&gt;"
    );

    // J94, J95: two resource links, one line item bound to the first.
    let created = w
        .deep_linking
        .create_resource_links(&verified)
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    let line_item = created[0]
        .line_item
        .clone()
        .expect("line item for the graded link");
    assert!(created[1].line_item.is_none());
    assert_eq!(line_item.label, "Quiz 7 score");
    assert_eq!(line_item.score_maximum, 50.0);
    assert_eq!(line_item.resource_id.as_deref(), Some("quiz-7"));
    assert_eq!(line_item.tag.as_deref(), Some("final"));
    assert_eq!(line_item.resource_link_id, created[0].resource_link.id);
    let store = w.deep_linking.resource_links();
    assert_eq!(
        store
            .line_items(&created[0].resource_link.id)
            .await
            .unwrap(),
        vec![line_item]
    );

    // Launch each new link as a learner: its own resource_link id, its url as target, its custom map.
    let expected = [
        (
            "https://tool.example/quiz/7",
            vec![("quiz", "7"), ("mode", "$Context.id")],
        ),
        (TARGET_URI, vec![("chapter", "3")]),
    ];
    for (link, (target, custom)) in created.iter().zip(expected) {
        let record = store
            .resource_link(&link.resource_link.id)
            .await
            .unwrap()
            .unwrap();
        let request = launch_request_for(&record, Some(user("stu-1")))
            .with_roles([Role::context(ContextRole::Learner)]);
        let start = w.platform.start_launch(request).await.unwrap();
        let launch = run_launch(&w, start, "stu-1").await;
        assert_eq!(
            launch.message().message_type,
            Some(MessageType::LtiResourceLinkRequest)
        );
        assert_eq!(
            launch.resource_link().unwrap().id.as_ref().unwrap(),
            &link.resource_link.id
        );
        assert_eq!(launch.target_link_uri().as_str(), target);
        let sent = launch.message().custom.clone().unwrap();
        for (k, v) in custom {
            // The platform substitutes the variables it supports (checklist E62).
            let expected = if v == "$Context.id" { "course-1" } else { v };
            assert_eq!(sent.get(k), Some(expected), "custom `{k}`");
        }
        assert_eq!(sent.get("from_registration"), Some("yes"));
        assert_eq!(
            launch.context().unwrap().id.as_ref().unwrap().as_str(),
            "course-1"
        );
    }
}

#[tokio::test]
async fn c89_empty_response_is_accepted() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let request = deep_linking_request(&launch).unwrap();
    let signed = DeepLinkingResponse::builder(&request)
        .errormsg("nothing to add")
        .build()
        .unwrap()
        .sign(&w.tool_keys.signing_key(), w.clock.unix_seconds())
        .unwrap();
    let verified = post_jwt(&w, signed.jwt()).await.unwrap();
    assert!(verified.items().is_empty());
    assert_eq!(verified.errormsg(), Some("nothing to add"));
    assert!(
        w.deep_linking
            .create_resource_links(&verified)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn c91_tampered_jwt_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let jwt = sign(&w, &claims(&w, &launch, one_link()));
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    // Swap the payload for another, validly encoded one: the signature no longer matches.
    let mut other = claims(&w, &launch, json!([]));
    other.insert("iss".into(), json!(CLIENT_ID));
    let forged = sign(&w, &other);
    parts[1] = forged.split('.').nth(1).unwrap().to_owned();
    let e = post_jwt(&w, &parts.join(".")).await.unwrap_err();
    assert!(
        matches!(e, Error::Token(lti_security::Error::InvalidSignature)),
        "{e:?}"
    );
    assert_eq!(e.status(), 400);
    // The untampered token still works: nothing was consumed by the forgery.
    post_jwt(&w, &jwt).await.unwrap();
}

#[tokio::test]
async fn c91_wrong_aud_is_rejected_with_401() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let mut c = claims(&w, &launch, one_link());
    c.insert("aud".into(), json!("https://other-lms.example"));
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Token(lti_security::Error::AudienceMismatch { .. })
        ),
        "{e:?}"
    );
    assert_eq!(e.status(), 401);
    c.insert("aud".into(), json!([ISSUER, "https://evil.example"]));
    c.insert("azp".into(), json!(ISSUER));
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Token(lti_security::Error::UntrustedAudience { .. })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn c91_wrong_iss_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let mut c = claims(&w, &launch, one_link());
    c.insert("iss".into(), json!("unregistered-client"));
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(matches!(e, Error::UnknownClient { .. }), "{e:?}");
    // Another registered client (its static key verifies the signature) answering a request sent to this one.
    c.insert("iss".into(), json!(OTHER_CLIENT));
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(
        matches!(&e, Error::ClientMismatch { expected, found }
            if expected.as_str() == CLIENT_ID && found.as_str() == OTHER_CLIENT),
        "{e:?}"
    );
    // The static key refuses a token signed with another key.
    let stranger = lti_security::SigningKey::generate(lti_security::Algorithm::Rs256).unwrap();
    let e = post_jwt(&w, &sign_jwt(&stranger, &c).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Token(
                lti_security::Error::InvalidSignature | lti_security::Error::KidNotFound { .. }
            )
        ),
        "{e:?}"
    );
    c.remove("iss");
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(matches!(e, Error::Token(_)), "{e:?}");
    // The other client's response did not use up the request: the right tool can still answer it.
    post_jwt(&w, &sign(&w, &claims(&w, &launch, one_link())))
        .await
        .unwrap();
}

#[tokio::test]
async fn c91_expired_response_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let jwt = sign(&w, &claims(&w, &launch, one_link()));
    // exp = now + 300, leeway 60 s: rejected from now + 360 on.
    w.clock.advance(Duration::from_secs(360));
    let e = post_jwt(&w, &jwt).await.unwrap_err();
    assert!(
        matches!(e, Error::Token(lti_security::Error::Expired { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn c92_replayed_response_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let jwt = sign(&w, &claims(&w, &launch, one_link()));
    post_jwt(&w, &jwt).await.unwrap();
    let e = post_jwt(&w, &jwt).await.unwrap_err();
    assert!(matches!(e, Error::NonceReplayed), "{e:?}");
    // A second response (new nonce) to the same request: its data was single-use.
    let again = sign(&w, &claims(&w, &launch, one_link()));
    let e = post_jwt(&w, &again).await.unwrap_err();
    assert!(matches!(e, Error::DataUnknown), "{e:?}");
}

#[tokio::test]
async fn c93_changed_or_missing_data_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let mut c = claims(&w, &launch, one_link());
    let data = c[claim::DATA].as_str().unwrap().to_owned();
    c.insert(claim::DATA.into(), json!(format!("{data}x")));
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(matches!(e, Error::DataUnknown), "{e:?}");
    c.remove(claim::DATA);
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(matches!(e, Error::DataMissing), "{e:?}");
}

#[tokio::test]
async fn c93_wrong_deployment_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let mut c = claims(&w, &launch, one_link());
    c.insert(
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id".into(),
        json!("dep-other"),
    );
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(
        matches!(&e, Error::DeploymentMismatch { expected, found }
            if expected.as_str() == DEPLOYMENT_ID && found == "dep-other"),
        "{e:?}"
    );
    post_jwt(&w, &sign(&w, &claims(&w, &launch, one_link())))
        .await
        .unwrap();
}

#[tokio::test]
async fn c93_wrong_message_type_or_version_is_rejected() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let message_type = "https://purl.imsglobal.org/spec/lti/claim/message_type";
    let version = "https://purl.imsglobal.org/spec/lti/claim/version";
    let cases = [
        (
            message_type,
            json!("LtiResourceLinkRequest"),
            "lti.dl.response.message_type",
        ),
        (
            message_type,
            json!("ltideeplinkingresponse"),
            "lti.dl.response.message_type",
        ),
        (message_type, Value::Null, "lti.dl.response.claim_missing"),
        (version, json!("1.1.0"), "lti.dl.response.version"),
        (version, json!("1.3"), "lti.dl.response.version"),
        (version, Value::Null, "lti.dl.response.claim_missing"),
    ];
    for (name, value, expected) in cases {
        let mut c = claims(&w, &launch, one_link());
        c.insert(name.into(), value.clone());
        let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
        assert_eq!(e.code(), expected, "{name} = {value}: {e:?}");
        assert_eq!(e.status(), 400);
    }
    // None of them consumed the request: the correct answer still goes through.
    post_jwt(&w, &sign(&w, &claims(&w, &launch, one_link())))
        .await
        .unwrap();
}

#[tokio::test]
async fn c88_item_type_not_accepted_is_rejected_by_the_platform() {
    let w = world().await;
    let only_links = DeepLinkingSettings::new(RETURN_URL, ["ltiResourceLink"], ["iframe"]);
    let launch = deep_linking_launch(&w, only_links).await;
    let c = claims(&w, &launch, one_link());
    let e = post_jwt(&w, &sign(&w, &c)).await.unwrap_err();
    assert!(
        matches!(&e, Error::TypeNotAccepted { index: 0, found, .. } if found == "link"),
        "{e:?}"
    );
}

#[tokio::test]
async fn c88_several_items_when_one_was_accepted_are_rejected() {
    let w = world().await;
    let single = DeepLinkingSettings::new(RETURN_URL, ["ltiResourceLink", "link"], ["iframe"]);
    let launch = deep_linking_launch(&w, single).await;
    let two = json!([
        {"type": "ltiResourceLink"},
        {"type": "link", "url": "https://tool.example/a"}
    ]);
    let e = post_jwt(&w, &sign(&w, &claims(&w, &launch, two)))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::MultipleNotAccepted { found: 2 }),
        "{e:?}"
    );
}

#[tokio::test]
async fn hostile_forms_and_items() {
    let w = world().await;
    let get = http::Request::get(RETURN_URL).body(Bytes::new()).unwrap();
    let e = w.deep_linking.receive(&get).await.unwrap_err();
    assert_eq!(e.status(), 405);
    let json_body = http::Request::post(RETURN_URL)
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(
        w.deep_linking
            .receive(&json_body)
            .await
            .unwrap_err()
            .status(),
        415
    );
    for body in ["", "JWT=", "JWT=a&JWT=b", "JWT=not.a.jwt", "JWT=%FF%FE"] {
        let e = post_return(&w, body.to_owned()).await.unwrap_err();
        assert_eq!(e.status(), 400, "{body}: {e}");
    }
    let page = DeepLinking::error_page(&Error::UnknownClient {
        client_id: "<script>".into(),
    });
    let html = body(&page);
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));

    // Malformed items: a known type with a member of the wrong type, an item without type.
    let launch = deep_linking_launch(&w, settings()).await;
    for items in [
        json!([{"type": "link", "url": 7}]),
        json!([{"url": "https://tool.example"}]),
        json!("not an array"),
        json!([{"type": "ltiResourceLink", "custom": {"a": null}}]),
        json!([{"type": "ltiResourceLink", "lineItem": {"scoreMaximum": -1}}]),
    ] {
        let e = post_jwt(&w, &sign(&w, &claims(&w, &launch, items.clone())))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Malformed { .. } | Error::InvalidItem { .. }),
            "{items}: {e:?}"
        );
    }
}

#[tokio::test]
async fn c90_start_refuses_a_resource_link_and_bad_settings() {
    let w = world().await;
    let mut with_link = instructor_request();
    with_link.resource_link = Some(lti_core::claims::ResourceLink::new(
        lti_core::ResourceLinkId::new("rl-1"),
    ));
    assert!(matches!(
        w.deep_linking.start(with_link, settings()).await,
        Err(PlatformError::InvalidLaunch { .. })
    ));
    let bad = DeepLinkingSettings::new("not a url", ["link"], ["iframe"]);
    assert!(matches!(
        w.deep_linking.start(instructor_request(), bad).await,
        Err(PlatformError::LaunchMessage(_))
    ));
    let mut other_deployment = instructor_request();
    other_deployment.deployment_id = DeploymentId::new("dep-unknown");
    assert!(matches!(
        w.deep_linking.start(other_deployment, settings()).await,
        Err(PlatformError::DeploymentUnknown { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c92_concurrent_posts_of_one_response_are_accepted_once() {
    let w = world().await;
    let launch = deep_linking_launch(&w, settings()).await;
    let jwt = sign(&w, &claims(&w, &launch, one_link()));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("JWT", &jwt)
        .finish();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let dl = w.deep_linking.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let request = http::Request::post(RETURN_URL)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Bytes::from(body))
                .unwrap();
            dl.receive(&request).await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(e) => assert!(
                matches!(e, Error::NonceReplayed | Error::DataUnknown),
                "{e:?}"
            ),
        }
    }
    assert_eq!(accepted, 1);
}
