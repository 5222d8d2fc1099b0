//! Shared fixtures of the lti-platform behaviour tests: a platform with one registered tool, auth requests,
//! a strict parser of auto-submit forms, and `id_token` verification.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use lti_core::claims::{Context, ResourceLink};
use lti_core::message::LtiMessage;
use lti_core::role::ContextRole;
use lti_core::{
    ClientId, ContextId, DeploymentId, Issuer, ResourceLinkId, Role, ToolRegistration, UserId,
};
use lti_platform::{
    LaunchRequest, LaunchUser, LoginStart, Platform, PlatformConfig, StaticToolRegistry,
};
use lti_security::{ClaimRules, JwtVerifier, KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, ManualClock, MemoryStore, Store};
use url::Url;

pub const ISSUER: &str = "https://lms.example";
pub const AUTH_ENDPOINT: &str = "https://lms.example/auth";
pub const CLIENT_ID: &str = "tool-1";
pub const DEPLOYMENT_ID: &str = "dep-1";
pub const REDIRECT_URI: &str = "https://tool.example/launch";
pub const LOGIN_URI: &str = "https://tool.example/login";
pub const TARGET_URI: &str = "https://tool.example/home";
pub const NONCE: &str = "nonce-123";
pub const STATE: &str = "state-abc";
pub const START: u64 = 1_800_000_000;

pub struct Fixture {
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    pub key_ring: Arc<KeyRing>,
}

pub fn registration(include_pii: bool) -> ToolRegistration {
    ToolRegistration::builder(CLIENT_ID)
        .redirect_uri(REDIRECT_URI)
        .initiate_login_uri(LOGIN_URI)
        .target_link_uri(TARGET_URI)
        .jwks_url("https://tool.example/jwks")
        .deployment(DEPLOYMENT_ID)
        .include_name(include_pii)
        .include_email(include_pii)
        .build()
        .unwrap()
}

pub async fn fixture(include_pii: bool) -> Fixture {
    fixture_with(registration(include_pii)).await
}

pub async fn fixture_with(registration: ToolRegistration) -> Fixture {
    let clock = Arc::new(ManualClock::at_unix_seconds(START));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let key_ring = Arc::new(
        KeyRing::open(
            store.clone(),
            "platform",
            KeyProtection::insecure_plaintext_for_development(),
            clock.clone(),
            KeyRingConfig::new(),
        )
        .await
        .unwrap(),
    );
    let config = PlatformConfig::new(Issuer::new(ISSUER), Url::parse(AUTH_ENDPOINT).unwrap());
    let platform = Platform::builder(config)
        .tools(Arc::new(StaticToolRegistry::new().with(registration)))
        .store(store)
        .key_ring(key_ring.clone())
        .clock(clock.clone())
        .build()
        .unwrap();
    Fixture {
        platform,
        clock,
        key_ring,
    }
}

pub fn user(id: &str) -> LaunchUser {
    LaunchUser::new(UserId::new(id))
        .with_names("Ada Lovelace", "Ada", "Lovelace")
        .with_email("ada@example.edu")
}

pub fn launch(user_id: Option<&str>, role: ContextRole, with_context: bool) -> LaunchRequest {
    let request = LaunchRequest::resource_link(
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT_ID),
        user_id.map(user),
        ResourceLink::new(ResourceLinkId::new("rl-1")),
    )
    .with_roles([Role::context(role)]);
    if with_context {
        let mut context = Context::new(ContextId::new("course-1"));
        context.title = Some("Analytical Engines".to_owned());
        request.with_context(context)
    } else {
        request
    }
}

/// The authentication request a conforming tool sends for `start`, as query pairs.
pub fn auth_pairs(start: &LoginStart) -> Vec<(String, String)> {
    let init = &start.initiation;
    let mut pairs = vec![
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("login_hint", init.login_hint.as_str()),
        ("nonce", NONCE),
        ("state", STATE),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect::<Vec<_>>();
    if let Some(hint) = &init.lti_message_hint {
        pairs.push(("lti_message_hint".to_owned(), hint.as_str().to_owned()));
    }
    pairs
}

pub fn set(pairs: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    pairs.retain(|(n, _)| n != name);
    if let Some(value) = value {
        pairs.push((name.to_owned(), value.to_owned()));
    }
}

pub fn get_request(pairs: &[(String, String)]) -> http::Request<Bytes> {
    let mut url = Url::parse(AUTH_ENDPOINT).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    http::Request::get(url.as_str()).body(Bytes::new()).unwrap()
}

pub fn post_request(pairs: &[(String, String)]) -> http::Request<Bytes> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    http::Request::post(AUTH_ENDPOINT)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(body))
        .unwrap()
}

/// A parsed auto-submit form: its action and its hidden inputs, entities decoded.
#[derive(Debug)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Strict: exactly one `<form method="post" action="...">`, inputs `<input type="hidden" name=".." value="..">`.
pub fn parse_form(html: &str) -> Form {
    assert_eq!(html.matches("<form ").count(), 1, "one form: {html}");
    let form_tag = tag_after(html, "<form ");
    assert_eq!(attr(form_tag, "method").as_deref(), Some("post"));
    let action = attr(form_tag, "action").expect("form action");
    let mut fields = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<input ") {
        let tag = tag_after(rest, "<input ");
        assert_eq!(attr(tag, "type").as_deref(), Some("hidden"));
        fields.push((
            attr(tag, "name").expect("input name"),
            attr(tag, "value").expect("input value"),
        ));
        rest = &rest[at + 7..];
    }
    Form { action, fields }
}

fn tag_after<'a>(html: &'a str, open: &str) -> &'a str {
    let start = html.find(open).unwrap() + open.len();
    let end = html[start..].find('>').unwrap();
    &html[start..start + end]
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"').unwrap();
    Some(unescape(&tag[start..start + end]))
}

pub fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').expect("entity ends with ;");
        let entity = &rest[at + 1..at + end];
        out.push(match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "#x27" | "#39" => '\'',
            other => panic!("unknown entity &{other};"),
        });
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

pub fn body(response: &http::Response<Bytes>) -> String {
    String::from_utf8(response.body().to_vec()).unwrap()
}

/// Verifies `id_token` with the platform's published keys, as a tool would; returns the message.
pub async fn verify(fixture: &Fixture, id_token: &str) -> LtiMessage {
    let verifier = JwtVerifier::new(fixture.clock.clone() as Arc<dyn Clock>);
    let rules = ClaimRules::new().issuer(ISSUER).audience(CLIENT_ID);
    let jwt = verifier
        .verify(id_token, &fixture.key_ring.key_set(), &rules)
        .await
        .unwrap();
    jwt.claims::<LtiMessage>().unwrap()
}

/// Starts `request`, sends the tool's authentication request as `user`, returns the response form.
pub async fn run(fixture: &Fixture, request: LaunchRequest, user: Option<&str>) -> Form {
    let start = fixture.platform.start_launch(request).await.unwrap();
    let user = user.map(UserId::new);
    let response = fixture
        .platform
        .authorize(get_request(&auth_pairs(&start)), user.as_ref())
        .await;
    assert_eq!(response.status(), 200);
    parse_form(&body(&response))
}

pub const HOUR: Duration = Duration::from_secs(3600);
