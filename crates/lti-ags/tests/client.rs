//! Client-level tests of [`AgsClient`] against an in-process platform (a [`RouterClient`] handler that issues
//! tokens, records every request and answers as each test says): URLs, media types, exact scopes, paging,
//! and every refusal or unusable answer as a typed error.
//!
//! Checklist ids: c72 (scopes per call), c97–c104 (tool AGS).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::type_complexity
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use lti_ags::{
    ActivityProgress, AgsClient, AgsEndpointClaim, Error, GradingProgress, LineItem, LineItemId,
    LineItemQuery, ResultQuery, Score, Timestamp, media_type, scope,
};
use lti_core::{ResourceLinkId, UserId};
use lti_http::{Handler, HttpClient, RouterClient};
use lti_security::oauth::{TokenEndpoint, TokenSource};
use lti_security::{Clock, KeyProtection, KeyRing, KeyRingConfig, ManualClock};
use lti_storage::MemoryStore;
use serde_json::{Value, json};

const ORIGIN: &str = "https://lms.example";
const TOKEN_URL: &str = "https://lms.example/token";
const CONTAINER: &str = "https://lms.example/api/lti/courses/1/line_items";

type Responder = Box<dyn Fn(&http::Request<Bytes>) -> http::Response<Bytes> + Send + Sync>;

#[derive(Default)]
struct Platform {
    /// Service requests, as received.
    seen: Mutex<Vec<http::Request<Bytes>>>,
    /// The `scope` of each token request.
    token_scopes: Mutex<Vec<String>>,
    responder: Mutex<Option<Responder>>,
}

impl Platform {
    fn answer(
        &self,
        f: impl Fn(&http::Request<Bytes>) -> http::Response<Bytes> + Send + Sync + 'static,
    ) {
        *self.responder.lock().unwrap() = Some(Box::new(f));
    }

    fn seen(&self) -> Vec<(String, String, Option<String>, Option<String>, String)> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                let h = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_owned());
                (
                    r.method().to_string(),
                    r.uri().to_string(),
                    h("content-type"),
                    h("accept"),
                    String::from_utf8(r.body().to_vec()).unwrap(),
                )
            })
            .collect()
    }

    fn token_scopes(&self) -> Vec<String> {
        self.token_scopes.lock().unwrap().clone()
    }
}

#[async_trait]
impl Handler for Platform {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        if request.uri().path() == "/token" {
            let scope = url::form_urlencoded::parse(request.body())
                .find(|(k, _)| k == "scope")
                .map(|(_, v)| v.into_owned())
                .unwrap();
            self.token_scopes.lock().unwrap().push(scope.clone());
            let n = self.token_scopes.lock().unwrap().len();
            return respond(
                200,
                "application/json",
                &json!({"access_token": format!("token-{n}"),
                "token_type": "Bearer", "expires_in": 3600, "scope": scope})
                .to_string(),
            );
        }
        assert!(
            request.headers()["authorization"]
                .to_str()
                .unwrap()
                .starts_with("Bearer token-"),
            "every service call carries the bearer token"
        );
        self.seen.lock().unwrap().push(request.clone());
        let responder = self.responder.lock().unwrap();
        match responder.as_ref() {
            Some(f) => f(&request),
            None => respond(204, "", ""),
        }
    }
}

fn respond(status: u16, content_type: &str, body: &str) -> http::Response<Bytes> {
    let mut b = http::Response::builder().status(status);
    if !content_type.is_empty() {
        b = b.header("content-type", content_type);
    }
    b.body(Bytes::from(body.to_owned())).unwrap()
}

struct World {
    platform: Arc<Platform>,
    tokens: TokenSource,
    clock: Arc<ManualClock>,
}

async fn world() -> World {
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let keys = Arc::new(
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
    let platform = Arc::new(Platform::default());
    let router = RouterClient::new();
    router.route(ORIGIN, Arc::clone(&platform)).unwrap();
    let http: Arc<dyn HttpClient> = Arc::new(router);
    World {
        platform,
        tokens: TokenSource::new(http, keys, dyn_clock),
        clock,
    }
}

impl World {
    fn client(&self, claim: AgsEndpointClaim) -> AgsClient {
        let endpoint = TokenEndpoint::new(url::Url::parse(TOKEN_URL).unwrap(), "client-1").unwrap();
        AgsClient::new(self.tokens.clone(), endpoint, claim, self.clock.clone())
    }
}

fn claim(scopes: &[&str]) -> AgsEndpointClaim {
    let mut claim = AgsEndpointClaim::new(scopes.iter().copied());
    claim.lineitems = Some(CONTAINER.to_owned());
    claim
}

fn all_scopes() -> AgsEndpointClaim {
    claim(&scope::ALL)
}

fn final_score(client: &AgsClient, user: &str, given: f64) -> Score {
    Score::new(
        UserId::from(user),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(given, 10.0)
}

#[tokio::test]
async fn c97_moodle_style_url_keeps_its_query_and_the_score_media_type() {
    let w = world().await;
    let client = w.client(all_scopes());
    let id = LineItemId::from(
        "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3",
    );
    client
        .post_score(&id, &final_score(&client, "learner", 8.0))
        .await
        .unwrap();
    let seen = w.platform.seen();
    assert_eq!(seen.len(), 1);
    let (method, uri, content_type, _, body) = &seen[0];
    assert_eq!(method, "POST");
    assert_eq!(
        uri,
        "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"
    );
    assert_eq!(content_type.as_deref(), Some(media_type::SCORE));
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["userId"], "learner");
    assert_eq!(body["gradingProgress"], "FullyGraded");
    assert_eq!(body["scoreMaximum"], 10.0);
    assert!(Timestamp::parse(body["timestamp"].as_str().unwrap()).is_ok());
    assert!(
        body["timestamp"].as_str().unwrap().contains('.'),
        "sub-second precision"
    );
    // results of the same item keep the query too, with user_id added after it
    w.platform
        .answer(|_| respond(200, media_type::RESULT_CONTAINER, "[]"));
    let mut query = ResultQuery::new();
    query.user_id = Some(UserId::from("learner"));
    client.results(&id, &query).await.unwrap();
    assert_eq!(
        w.platform.seen()[1].1,
        "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem/results?type_id=3&user_id=learner"
    );
}

#[tokio::test]
async fn c98_c101_invalid_scores_and_line_items_never_leave_the_tool() {
    let w = world().await;
    let client = w.client(all_scopes());
    let id = LineItemId::from("https://lms.example/li/1");
    let mut no_max = final_score(&client, "u", 1.0);
    no_max.score_maximum = None;
    let mut unknown = final_score(&client, "u", 1.0);
    unknown.grading_progress = GradingProgress::from("Graded");
    for (score, field) in [
        (final_score(&client, "u", -1.0), "scoreGiven"),
        (final_score(&client, "u", f64::NAN), "scoreGiven"),
        (final_score(&client, "u", f64::INFINITY), "scoreGiven"),
        (no_max, "scoreMaximum"),
        (unknown, "gradingProgress"),
        (final_score(&client, "", 1.0), "userId"),
    ] {
        match client.post_score(&id, &score).await {
            Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    for (item, field) in [
        (LineItem::new("", 10.0), "label"),
        (LineItem::new("Quiz", 0.0), "scoreMaximum"),
        (LineItem::new("Quiz", f64::NAN), "scoreMaximum"),
    ] {
        match client.create_line_item(&item).await {
            Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        client.update_line_item(&LineItem::new("Quiz", 1.0)).await,
        Err(Error::InvalidField { field: "id", .. })
    ));
    assert!(w.platform.seen().is_empty());
    assert!(
        w.platform.token_scopes().is_empty(),
        "not even a token was requested"
    );
}

#[tokio::test]
async fn c99_timestamps_strictly_increase_even_when_the_clock_stands_still() {
    let w = world().await;
    let client = w.client(all_scopes());
    let a = client.next_timestamp();
    let b = client.next_timestamp();
    let c = client.next_timestamp();
    assert!(a < b && b < c);
    assert_eq!(a.to_string(), "2027-01-15T08:00:00.000Z");
    w.clock.advance(Duration::from_secs(1));
    let d = client.next_timestamp();
    assert_eq!(d.to_string(), "2027-01-15T08:00:01.000Z");
}

#[tokio::test]
async fn c72_each_call_asks_for_exactly_the_scope_it_needs() {
    let w = world().await;
    let client = w.client(all_scopes());
    let id = LineItemId::from("https://lms.example/li/1");
    w.platform.answer(|r| match r.method().as_str() {
        "GET" if r.uri().path().ends_with("/results") => {
            respond(200, media_type::RESULT_CONTAINER, "[]")
        }
        "GET" if r.uri().path().ends_with("line_items") => {
            respond(200, media_type::LINE_ITEM_CONTAINER, "[]")
        }
        "GET" | "PUT" | "POST" if !r.uri().path().ends_with("/scores") => respond(
            200,
            media_type::LINE_ITEM,
            r#"{"id":"https://lms.example/li/1","label":"a","scoreMaximum":1}"#,
        ),
        _ => respond(204, "", ""),
    });
    client.line_items(&LineItemQuery::new()).await.unwrap();
    client.line_item(&id).await.unwrap();
    client
        .create_line_item(&LineItem::new("a", 1.0))
        .await
        .unwrap();
    client.results(&id, &ResultQuery::new()).await.unwrap();
    client
        .post_score(&id, &final_score(&client, "u", 1.0))
        .await
        .unwrap();
    assert_eq!(
        w.platform.token_scopes(),
        vec![
            scope::LINE_ITEM_READONLY,
            scope::LINE_ITEM,
            scope::RESULT_READONLY,
            scope::SCORE
        ],
        "one token per scope, each reused"
    );
    // without lineitem.readonly on offer, reads use lineitem
    let w = world().await;
    w.platform
        .answer(|_| respond(200, media_type::LINE_ITEM_CONTAINER, "[]"));
    w.client(claim(&[scope::LINE_ITEM]))
        .line_items(&LineItemQuery::new())
        .await
        .unwrap();
    assert_eq!(w.platform.token_scopes(), vec![scope::LINE_ITEM]);
}

#[tokio::test]
async fn scopes_not_offered_and_missing_endpoints_fail_before_sending() {
    let w = world().await;
    let score_only = w.client(claim(&[scope::SCORE]));
    let id = LineItemId::from("https://lms.example/li/1");
    assert!(matches!(
        score_only.line_items(&LineItemQuery::new()).await,
        Err(Error::ScopeNotOffered {
            scope: scope::LINE_ITEM
        })
    ));
    assert!(matches!(
        score_only.results(&id, &ResultQuery::new()).await,
        Err(Error::ScopeNotOffered {
            scope: scope::RESULT_READONLY
        })
    ));
    assert!(matches!(
        score_only.create_line_item(&LineItem::new("a", 1.0)).await,
        Err(Error::ScopeNotOffered {
            scope: scope::LINE_ITEM
        })
    ));
    let results_only = w.client(claim(&[scope::RESULT_READONLY]));
    assert!(matches!(
        results_only
            .post_score(&id, &final_score(&results_only, "u", 1.0))
            .await,
        Err(Error::ScopeNotOffered {
            scope: scope::SCORE
        })
    ));
    let no_container = w.client(AgsEndpointClaim::new(scope::ALL));
    assert!(matches!(
        no_container.line_items(&LineItemQuery::new()).await,
        Err(Error::EndpointMissing {
            member: "lineitems"
        })
    ));
    for bad in ["not a url", "ftp://lms.example/li/1", "/li/1"] {
        assert!(
            matches!(
                no_container.line_item(&LineItemId::from(bad)).await,
                Err(Error::InvalidUrl { .. })
            ),
            "{bad}"
        );
    }
    // plain http to a non-loopback host: the token source refuses to send the bearer token
    assert!(matches!(
        no_container
            .line_item(&LineItemId::from("http://lms.example/li/1"))
            .await,
        Err(Error::Token(_))
    ));
    assert!(w.platform.seen().is_empty());
}

#[tokio::test]
async fn c102_canvas_paging_across_three_pages_follows_next_verbatim() {
    let w = world().await;
    let client = w.client(all_scopes());
    w.platform.answer(|r| {
        let page = r
            .uri()
            .query()
            .and_then(|q| q.strip_prefix("page="))
            .unwrap_or("1")
            .to_owned();
        let link = |p: &str| format!("<{CONTAINER}?page={p}&per_page=2>");
        let (items, links) = match page.as_str() {
            "1" => (
                json!([{"id": "https://lms.example/li/1", "label": "one", "scoreMaximum": 1},
                       {"id": "https://lms.example/li/2", "label": "two", "scoreMaximum": 1}]),
                format!(
                    "{}; rel=\"current\",{}; rel=\"next\",{}; rel=\"first\",{}; rel=\"last\"",
                    link("1"),
                    link("2"),
                    link("1"),
                    link("3")
                ),
            ),
            p if p.starts_with('2') => (
                json!([{"id": "https://lms.example/li/3", "label": "three", "scoreMaximum": 1}]),
                // a relative next link, in upper case REL
                "</api/lti/courses/1/line_items?page=3>; REL=next".to_owned(),
            ),
            _ => (
                json!([{"id": "https://lms.example/li/4", "label": "four", "scoreMaximum": 1}]),
                format!(
                    "{}; rel=\"current\", {}; rel=\"first\"",
                    link("3"),
                    link("1")
                ),
            ),
        };
        http::Response::builder()
            .status(200)
            .header(
                "content-type",
                "application/vnd.ims.lis.v2.lineitemcontainer+json; charset=utf-8",
            )
            .header("link", links)
            .body(Bytes::from(items.to_string()))
            .unwrap()
    });
    let mut query = LineItemQuery::new();
    query.tag = Some("grade".into());
    query.limit = Some(2);
    let items = client.line_items(&query).await.unwrap();
    assert_eq!(
        items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(),
        vec!["one", "two", "three", "four"]
    );
    let seen = w.platform.seen();
    let uris: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(
        uris,
        vec![
            "https://lms.example/api/lti/courses/1/line_items?tag=grade&limit=2",
            "https://lms.example/api/lti/courses/1/line_items?page=2&per_page=2",
            "https://lms.example/api/lti/courses/1/line_items?page=3",
        ],
        "the next URLs are used verbatim, filters not re-added"
    );
    assert!(
        seen.iter()
            .all(|s| s.3.as_deref() == Some(media_type::LINE_ITEM_CONTAINER))
    );
}

#[tokio::test]
async fn c102_accept_headers_of_item_and_results() {
    let w = world().await;
    let client = w.client(all_scopes());
    w.platform.answer(|r| {
        if r.uri().path().ends_with("/results") {
            respond(
                200,
                media_type::RESULT_CONTAINER,
                r#"[{"userId":"u","resultScore":0.5}]"#,
            )
        } else {
            respond(
                200,
                media_type::LINE_ITEM,
                r#"{"id":"https://lms.example/li/1","label":"a","scoreMaximum":1}"#,
            )
        }
    });
    let id = LineItemId::from("https://lms.example/li/1");
    client.line_item(&id).await.unwrap();
    let results = client.results(&id, &ResultQuery::new()).await.unwrap();
    assert_eq!(results[0].maximum(), 1.0, "c103: no resultMaximum means 1");
    let seen = w.platform.seen();
    assert_eq!(seen[0].3.as_deref(), Some(media_type::LINE_ITEM));
    assert_eq!(seen[1].3.as_deref(), Some(media_type::RESULT_CONTAINER));
}

#[tokio::test]
async fn platform_refusals_and_unusable_answers_are_typed_errors() {
    let id = LineItemId::from("https://lms.example/li/1");
    let cases: Vec<(http::Response<Bytes>, &str)> = vec![
        (
            respond(403, "application/json", r#"{"error":"insufficient_scope"}"#),
            "status 403",
        ),
        (
            respond(
                415,
                "application/json",
                r#"{"error":"unsupported_media_type"}"#,
            ),
            "status 415",
        ),
        (respond(404, "", ""), "status 404"),
        (
            respond(200, "text/html", "<html>login</html>"),
            "content type",
        ),
        (
            respond(
                200,
                media_type::LINE_ITEM_CONTAINER,
                "{\"not\":\"an array\"}",
            ),
            "malformed",
        ),
        (
            respond(
                200,
                media_type::LINE_ITEM_CONTAINER,
                "[{\"label\":\"a\",\"scoreMaximum\":\"x\"}]",
            ),
            "malformed",
        ),
        (
            respond(200, media_type::LINE_ITEM_CONTAINER, ""),
            "malformed",
        ),
        (
            http::Response::builder()
                .header("content-type", media_type::LINE_ITEM_CONTAINER)
                .header("link", "https://lms.example/next; rel=next")
                .body(Bytes::from_static(b"[]"))
                .unwrap(),
            "link",
        ),
        (
            http::Response::builder()
                .header("content-type", media_type::LINE_ITEM_CONTAINER)
                .header("link", format!("<{CONTAINER}>; rel=next"))
                .body(Bytes::from_static(b"[]"))
                .unwrap(),
            "paging",
        ),
    ];
    for (answer, kind) in cases {
        let w = world().await;
        let client = w.client(all_scopes());
        w.platform.answer(move |_| answer.clone());
        let error = client.line_items(&LineItemQuery::new()).await.unwrap_err();
        let ok = match (kind, &error) {
            (
                "status 403",
                Error::Status {
                    status: 403, body, ..
                },
            ) => body.contains("insufficient_scope"),
            ("status 415", Error::Status { status: 415, .. }) => true,
            ("status 404", Error::Status { status: 404, .. }) => true,
            ("content type", Error::UnexpectedContentType { found, .. }) => found == "text/html",
            ("malformed", Error::MalformedResponse { .. }) => true,
            ("link", Error::Link { .. }) => true,
            ("paging", Error::Paging { .. }) => true,
            _ => false,
        };
        assert!(ok, "{kind}: {error:?}");
        assert!(
            !error.to_string().contains("token-"),
            "no token in errors: {error}"
        );
    }
    // a score refused with 400 is an error too; a 401 is retried once with a new token
    let w = world().await;
    let client = w.client(all_scopes());
    w.platform.answer(|_| respond(401, "", ""));
    let error = client
        .post_score(&id, &final_score(&client, "u", 1.0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 401, .. }),
        "{error:?}"
    );
    assert_eq!(w.platform.seen().len(), 2);
    assert_eq!(w.platform.token_scopes().len(), 2);
}

#[tokio::test]
async fn any_2xx_to_a_score_is_success() {
    for status in [200, 201, 202, 204] {
        let w = world().await;
        let client = w.client(all_scopes());
        w.platform
            .answer(move |_| respond(status, "application/json", "{}"));
        let id = LineItemId::from("https://lms.example/li/1");
        client
            .post_score(&id, &final_score(&client, "u", 1.0))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn c104_find_or_create_rebinds_instead_of_duplicating() {
    let w = world().await;
    let client = w.client(all_scopes());
    w.platform.answer(|r| match r.method().as_str() {
        "GET" => respond(
            200,
            media_type::LINE_ITEM_CONTAINER,
            // the platform ignored the filters: only the exact match counts
            &json!([
                {"id": "https://lms.example/li/9", "label": "other", "scoreMaximum": 1, "resourceLinkId": "rl", "tag": "originality"},
                {"id": "https://lms.example/li/1", "label": "copied", "scoreMaximum": 1, "resourceLinkId": "rl", "tag": "grade"}
            ])
            .to_string(),
        ),
        _ => respond(201, media_type::LINE_ITEM, r#"{"id":"https://lms.example/li/new","label":"a","scoreMaximum":1}"#),
    });
    let mut template = LineItem::new("Quiz", 10.0);
    template.resource_link_id = Some(ResourceLinkId::from("rl"));
    template.tag = Some("grade".into());
    let found = client.find_or_create(&template).await.unwrap();
    assert_eq!(found.id.unwrap().as_str(), "https://lms.example/li/1");
    assert_eq!(w.platform.seen().len(), 1, "no POST");
    assert!(w.platform.seen()[0].1.contains("resource_link_id=rl"));
    template.tag = Some("participation".into());
    let created = client.find_or_create(&template).await.unwrap();
    assert_eq!(created.id.unwrap().as_str(), "https://lms.example/li/new");
    let seen = w.platform.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[2].0, "POST");
    assert_eq!(seen[2].1, CONTAINER);
    assert_eq!(seen[2].2.as_deref(), Some(media_type::LINE_ITEM));
    let body: Value = serde_json::from_str(&seen[2].4).unwrap();
    assert_eq!(body["tag"], "participation");
    assert!(body.get("id").is_none());
}

#[tokio::test]
async fn c101_update_puts_the_full_item_to_its_id_and_delete_deletes() {
    let w = world().await;
    let client = w.client(all_scopes());
    w.platform.answer(|r| match r.method().as_str() {
        "PUT" => respond(
            200,
            media_type::LINE_ITEM,
            std::str::from_utf8(r.body()).unwrap(),
        ),
        _ => respond(204, "", ""),
    });
    let mut item = LineItem::new("Essay", 10.0);
    item.id = Some(LineItemId::from("https://lms.example/li/1?x=1"));
    item.end_date_time = Some(Timestamp::parse("2030-01-01T00:00:00.000Z").unwrap());
    let applied = client.update_line_item(&item).await.unwrap();
    assert_eq!(applied, item);
    client
        .delete_line_item(item.id.as_ref().unwrap())
        .await
        .unwrap();
    let seen = w.platform.seen();
    assert_eq!(
        (seen[0].0.as_str(), seen[0].1.as_str()),
        ("PUT", "https://lms.example/li/1?x=1")
    );
    assert_eq!(seen[0].2.as_deref(), Some(media_type::LINE_ITEM));
    assert_eq!(
        (seen[1].0.as_str(), seen[1].1.as_str()),
        ("DELETE", "https://lms.example/li/1?x=1")
    );
}

#[tokio::test]
async fn the_bearer_token_never_leaves_the_platforms_origin() {
    let w = world().await;
    let client = w.client(all_scopes());
    // a line item id on another origin is refused before a token is sent
    for id in [
        "https://evil.example/li/1",
        "https://lms.example:8443/li/1",
        "http://lms.example/li/1",
    ] {
        let error = client
            .post_score(&LineItemId::from(id), &final_score(&client, "u", 1.0))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidUrl { .. }), "{id}: {error:?}");
    }
    assert!(w.platform.token_scopes().is_empty());
    // a `next` link to another origin stops the paging
    w.platform.answer(|_| {
        http::Response::builder()
            .header("content-type", media_type::LINE_ITEM_CONTAINER)
            .header("link", "<https://evil.example/steal>; rel=\"next\"")
            .body(Bytes::from_static(b"[]"))
            .unwrap()
    });
    let error = client.line_items(&LineItemQuery::new()).await.unwrap_err();
    assert!(
        matches!(error, Error::InvalidUrl { ref found, .. } if found == "https://evil.example/steal"),
        "{error:?}"
    );
    assert_eq!(w.platform.seen().len(), 1);
}
