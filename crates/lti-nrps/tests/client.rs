#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The tool side against a scripted (and hostile) platform: `NrpsClient` with a real `TokenSource` over a
//! `RouterClient`, the platform's answers written by each test.
//!
//! Checklist ids: c121 (Accept, bearer, scope), c122 (`next` followed verbatim until absent, `differences`
//! exposed), c123 (missing status ⇒ Active, PII optional). Also: links to other origins or over plain http,
//! loops, the page cap, and each malformed answer mapped to its typed error.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LINK};
use lti_http::{Handler, HttpClient, RouterClient};
use lti_nrps::{Error, MemberStatus, MembershipQuery, NrpsClaim, NrpsClient};
use lti_security::oauth::{TokenEndpoint, TokenError, TokenSource};
use lti_security::{KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::{Clock, ManualClock, MemoryStore};
use serde_json::json;
use url::Url;

const ORIGIN: &str = "https://lms.example";
const MEMBERSHIPS: &str = "https://lms.example/nrps/c1/memberships?sig=abc";
const MEDIA: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

/// (uri, accept, authorization) of one membership request.
type SeenRequest = (String, Option<String>, Option<String>);
/// An answer and the check its error must pass.
type Case = (http::Response<Bytes>, fn(&Error) -> bool);

#[derive(Debug, Default)]
struct Script {
    answers: Mutex<VecDeque<http::Response<Bytes>>>,
    /// (uri, accept, authorization) of each membership request
    requests: Mutex<Vec<SeenRequest>>,
    token_scopes: Mutex<Vec<String>>,
}

#[async_trait]
impl Handler for Script {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        if request.uri().path() == "/token" {
            let form: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
                .into_owned()
                .collect();
            let scope = form.iter().find(|(k, _)| k == "scope").unwrap().1.clone();
            self.token_scopes.lock().unwrap().push(scope.clone());
            let body = json!({"access_token": "t0k3n", "token_type": "bearer", "expires_in": 3600, "scope": scope});
            return http::Response::builder()
                .header(CONTENT_TYPE, "application/json")
                .body(Bytes::from(body.to_string()))
                .unwrap();
        }
        let header = |name| {
            request
                .headers()
                .get(name)
                .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        self.requests.lock().unwrap().push((
            request.uri().to_string(),
            header(ACCEPT),
            header(AUTHORIZATION),
        ));
        self.answers.lock().unwrap().pop_front().unwrap_or_else(|| {
            http::Response::builder()
                .status(599)
                .body(Bytes::new())
                .unwrap()
        })
    }
}

struct Setup {
    script: Arc<Script>,
    client: NrpsClient,
    claim: NrpsClaim,
}

async fn setup() -> Setup {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let keys = Arc::new(
        KeyRing::open(
            Arc::new(MemoryStore::new()),
            "tool",
            KeyProtection::insecure_plaintext_for_development(),
            Arc::clone(&clock),
            KeyRingConfig::default(),
        )
        .await
        .unwrap(),
    );
    let script = Arc::new(Script::default());
    let router = RouterClient::new();
    router.route(ORIGIN, Arc::clone(&script)).unwrap();
    let http: Arc<dyn HttpClient> = Arc::new(router);
    let tokens = TokenSource::new(http, keys, clock);
    let endpoint =
        TokenEndpoint::new(Url::parse("https://lms.example/token").unwrap(), "tool-1").unwrap();
    Setup {
        script,
        client: NrpsClient::new(tokens, endpoint),
        claim: NrpsClaim::new(Url::parse(MEMBERSHIPS).unwrap()),
    }
}

impl Setup {
    fn answer(&self, response: http::Response<Bytes>) {
        self.script.answers.lock().unwrap().push_back(response);
    }

    fn page(&self, users: &[&str], link: Option<&str>) {
        let members: Vec<_> = users
            .iter()
            .map(|u| json!({"user_id": u, "roles": ["Learner"]}))
            .collect();
        let body = json!({"id": MEMBERSHIPS, "context": {"id": "c1"}, "members": members});
        let mut builder = http::Response::builder().header(CONTENT_TYPE, MEDIA);
        if let Some(link) = link {
            builder = builder.header(LINK, link);
        }
        self.answer(builder.body(Bytes::from(body.to_string())).unwrap());
    }

    fn requests(&self) -> Vec<SeenRequest> {
        self.script.requests.lock().unwrap().clone()
    }

    async fn first_error(&self) -> Error {
        let mut pages = self
            .client
            .members(&self.claim, &MembershipQuery::new())
            .unwrap();
        loop {
            match pages.next_page().await {
                Ok(Some(_)) => {}
                Ok(None) => panic!("walk ended without an error"),
                Err(e) => return e,
            }
        }
    }
}

#[tokio::test]
async fn c121_get_with_media_type_bearer_and_nrps_scope_and_the_claims_query_kept() {
    let s = setup().await;
    s.page(&["u1"], None);
    let query = MembershipQuery::new().with_limit(NonZeroU32::new(5).unwrap());
    let mut pages = s.client.members(&s.claim, &query).unwrap();
    pages.next_page().await.unwrap().unwrap();
    let requests = s.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].0,
        "https://lms.example/nrps/c1/memberships?sig=abc&limit=5"
    );
    assert_eq!(requests[0].1.as_deref(), Some(MEDIA));
    assert_eq!(requests[0].2.as_deref(), Some("Bearer t0k3n"));
    assert_eq!(
        *s.script.token_scopes.lock().unwrap(),
        ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
    );
}

#[tokio::test]
async fn c122_next_is_followed_verbatim_until_absent_and_differences_exposed() {
    let s = setup().await;
    s.page(
        &["u1", "u2"],
        Some(r#"</nrps/c1/memberships?sig=abc&p=2&x=%2F>; rel="next", <https://lms.example/nrps/c1/memberships?since=7>; rel="differences""#),
    );
    s.page(
        &["u3"],
        Some(r#"<https://lms.example/nrps/c1/memberships?p=3&Z=a+b>; REL="Next""#),
    );
    s.page(
        &["u4"],
        Some(r#"<https://lms.example/elsewhere>; rel="first""#),
    );
    let mut pages = s.client.members(&s.claim, &MembershipQuery::new()).unwrap();
    let mut users = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        users.extend(
            page.container
                .members
                .into_iter()
                .map(|m| m.user_id.into_string()),
        );
    }
    assert_eq!(users, ["u1", "u2", "u3", "u4"]);
    let uris: Vec<String> = s.requests().into_iter().map(|r| r.0).collect();
    assert_eq!(
        uris,
        [
            MEMBERSHIPS,
            "https://lms.example/nrps/c1/memberships?sig=abc&p=2&x=%2F",
            "https://lms.example/nrps/c1/memberships?p=3&Z=a+b",
        ]
    );
    assert_eq!(
        pages.differences().map(Url::as_str),
        Some("https://lms.example/nrps/c1/memberships?since=7")
    );
    assert_eq!(pages.pages_read(), 3);

    // one page by hand: the same checks apply
    s.page(&["u9"], Some(r#"</nrps/c1/memberships?p=9>; rel="next""#));
    let by_hand = Url::parse("https://lms.example/nrps/c1/memberships?p=8").unwrap();
    let page = s.client.page(&s.claim, &by_hand).await.unwrap();
    assert_eq!(page.members()[0].user_id, "u9");
    assert_eq!(
        page.next.unwrap().as_str(),
        "https://lms.example/nrps/c1/memberships?p=9"
    );
    let elsewhere = Url::parse("https://evil.example/m").unwrap();
    assert!(matches!(
        s.client.page(&s.claim, &elsewhere).await,
        Err(Error::ForeignLink { .. })
    ));
}

#[tokio::test]
async fn c123_missing_status_is_active_and_personal_fields_may_be_absent() {
    let s = setup().await;
    s.answer(
        http::Response::builder()
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Bytes::from(
                json!({"context": {"id": "c1"}, "members": [
                    {"user_id": "u1", "roles": ["Learner"]},
                    {"user_id": "u2", "roles": [], "status": "Inactive", "name": "N"}
                ]})
                .to_string(),
            ))
            .unwrap(),
    );
    let mut pages = s.client.members(&s.claim, &MembershipQuery::new()).unwrap();
    let page = pages.next_page().await.unwrap().unwrap();
    assert_eq!(page.members()[0].status, MemberStatus::Active);
    assert!(page.members()[0].name.is_none() && page.members()[0].email.is_none());
    assert!(page.members()[0].roles.is_learner());
    assert_eq!(page.members()[1].status, MemberStatus::Inactive);
}

#[tokio::test]
async fn links_to_another_origin_or_plain_http_are_not_followed() {
    for (link, check) in [
        (
            r#"<https://evil.example/steal>; rel="next""#,
            (|e: &Error| matches!(e, Error::ForeignLink { rel: "next", .. })) as fn(&Error) -> bool,
        ),
        (
            r#"<http://lms.example/nrps/c1/memberships?p=2>; rel="next""#,
            |e| matches!(e, Error::InsecureUrl { .. }),
        ),
        (r#"<https://lms.example:8443/x>; rel="differences""#, |e| {
            matches!(
                e,
                Error::ForeignLink {
                    rel: "differences",
                    ..
                }
            )
        }),
        (r#"<//evil.example/x>; rel="next""#, |e| {
            matches!(e, Error::ForeignLink { .. })
        }),
    ] {
        let s = setup().await;
        s.page(&["u1"], Some(link));
        let e = s.first_error().await;
        assert!(check(&e), "{link}: {e}");
        assert_eq!(s.requests().len(), 1, "{link}: nothing sent elsewhere");
    }
    let s = setup().await;
    let elsewhere = Url::parse("https://evil.example/diff").unwrap();
    assert!(matches!(
        s.client.differences(&s.claim, &elsewhere),
        Err(Error::ForeignLink { .. })
    ));
}

#[tokio::test]
async fn a_next_link_that_repeats_the_page_or_never_ends_stops_the_walk() {
    let s = setup().await;
    s.page(&["u1"], Some(&format!("<{MEMBERSHIPS}>; rel=\"next\"")));
    let e = s.first_error().await;
    assert!(matches!(e, Error::Paging { .. }), "{e}");

    let s = setup().await;
    for i in 0..5 {
        s.page(
            &["u"],
            Some(&format!("</nrps/c1/memberships?p={}>; rel=\"next\"", i + 2)),
        );
    }
    let client = s.client.clone().with_max_pages(3);
    let mut pages = client.members(&s.claim, &MembershipQuery::new()).unwrap();
    for _ in 0..3 {
        pages.next_page().await.unwrap().unwrap();
    }
    let e = pages.next_page().await.unwrap_err();
    assert!(e.to_string().contains("more than 3 pages"), "{e}");
    assert!(pages.next_page().await.unwrap().is_none());
}

#[tokio::test]
async fn hostile_answers_each_give_their_typed_error() {
    let raw = |status: u16, ct: Option<&str>, link: Option<&str>, body: &str| {
        let mut b = http::Response::builder().status(status);
        if let Some(ct) = ct {
            b = b.header(CONTENT_TYPE, ct);
        }
        if let Some(link) = link {
            b = b.header(LINK, link);
        }
        b.body(Bytes::from(body.to_owned())).unwrap()
    };
    let ok = r#"{"context":{"id":"c1"},"members":[]}"#;
    let cases: Vec<Case> = vec![
        (
            raw(500, Some("text/plain"), None, "boom"),
            |e| matches!(e, Error::Status { status: 500, body, .. } if body == "boom"),
        ),
        (
            raw(
                403,
                Some("application/json"),
                None,
                r#"{"error":"forbidden"}"#,
            ),
            |e| matches!(e, Error::Status { status: 403, .. }),
        ),
        (raw(200, Some("text/html"), None, "<html>"), |e| {
            matches!(e, Error::ContentType { .. })
        }),
        (raw(200, None, None, ok), |e| {
            matches!(e, Error::ContentType { .. })
        }),
        (raw(200, Some(MEDIA), None, ""), |e| {
            matches!(e, Error::Body { .. })
        }),
        (raw(200, Some(MEDIA), None, "{not json"), |e| {
            matches!(e, Error::Body { .. })
        }),
        (
            raw(200, Some(MEDIA), None, r#"{"members":[]}"#),
            |e| matches!(e, Error::Body { reason, .. } if reason.contains("context")),
        ),
        (
            raw(
                200,
                Some(MEDIA),
                None,
                r#"{"context":{"id":"c1"},"members":[{"roles":[]}]}"#,
            ),
            |e| matches!(e, Error::Body { reason, .. } if reason.contains("user_id")),
        ),
        (
            raw(200, Some(MEDIA), Some("<unterminated; rel=next"), ok),
            |e| matches!(e, Error::LinkHeader { .. }),
        ),
        (
            raw(200, Some(MEDIA), Some("<http://[::1>; rel=\"next\""), ok),
            |e| matches!(e, Error::InvalidLinkTarget { .. }),
        ),
    ];
    for (i, (answer, check)) in cases.into_iter().enumerate() {
        let s = setup().await;
        s.answer(answer);
        let e = s.first_error().await;
        assert!(check(&e), "case {i}: {e}");
        assert!(!e.to_string().contains("t0k3n"), "case {i}: {e}");
    }

    // a page larger than the cap is not read
    let s = setup().await;
    s.answer(raw(
        200,
        Some(MEDIA),
        None,
        &format!("{{\"context\":{{\"id\":\"{}\"}}}}", "x".repeat(5000)),
    ));
    let client = s.client.clone().with_max_page_bytes(1024);
    let e = client
        .members(&s.claim, &MembershipQuery::new())
        .unwrap()
        .next_page()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Token(TokenError::ServiceHttp { .. })),
        "{e}"
    );
}
