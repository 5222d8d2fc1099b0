//! The tool's real [`AgsClient`], through a real [`TokenSource`], talks over a [`RouterClient`] to the
//! platform's real [`AgsService`]. The platform's token endpoint is an in-test handler that verifies each client
//! assertion with the tool's public key (signature, `iss` = `sub`, `aud`, `exp`, single-use `jti`) and issues a
//! random token it remembers; the service's [`ServiceAuthorizer`](lti_core::service_access::ServiceAuthorizer)
//! resolves those tokens.
//!
//! Checklist ids: c72, c97–c104 (tool), c105–c120 (platform), c83 (one token across contexts).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use lti_ags::gradebook::Gradebook;
use lti_ags::{
    ActivityProgress, AgsClient, AgsEndpointClaim, GradingProgress, LineItem, LineItemQuery,
    ResultQuery, Score, Timestamp, scope,
};
use lti_core::{ClientId, ContextId, ResourceLinkId, UserId};
use lti_http::{Handler, HttpClient, RouterClient};
use lti_security::oauth::{TokenEndpoint, TokenSource};
use lti_security::{
    ClaimRules, Clock, JwtVerifier, KeyProtection, KeyRing, KeyRingConfig, KeySet, ManualClock,
};
use lti_storage::MemoryStore;
use serde_json::{Value, json};

#[path = "support/platform.rs"]
mod platform;

use platform::*;

const ORIGIN: &str = "https://lms.example";
const TOKEN_URL: &str = "https://lms.example/login/oauth2/token";

/// The platform's token endpoint, in process.
struct TokenEndpointHandler {
    tool_keys: KeySet,
    verifier: JwtVerifier,
    issued: Arc<IssuedTokens>,
    used_jti: Mutex<HashSet<String>>,
    requests: AtomicUsize,
    granted: Mutex<Vec<String>>,
}

impl TokenEndpointHandler {
    fn refuse(status: u16, error: &str, description: &str) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .body(Bytes::from(
                json!({"error": error, "error_description": description}).to_string(),
            ))
            .unwrap()
    }
}

#[async_trait]
impl Handler for TokenEndpointHandler {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let params: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
            .into_owned()
            .collect();
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        if param("grant_type") != "client_credentials" {
            return Self::refuse(400, "unsupported_grant_type", "");
        }
        if param("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        {
            return Self::refuse(400, "invalid_request", "client_assertion_type");
        }
        let rules = ClaimRules::new().issuer(TOOL_A).audience(TOKEN_URL);
        let verified = match self
            .verifier
            .verify(&param("client_assertion"), &self.tool_keys, &rules)
            .await
        {
            Ok(v) => v,
            Err(e) => return Self::refuse(401, "invalid_client", &e.to_string()),
        };
        let claims: Value = verified.claims().unwrap();
        if claims["sub"] != claims["iss"] {
            return Self::refuse(401, "invalid_client", "sub differs from iss");
        }
        let jti = claims["jti"].as_str().unwrap_or_default().to_owned();
        if jti.is_empty() || !self.used_jti.lock().unwrap().insert(jti) {
            return Self::refuse(401, "invalid_client", "jti replayed");
        }
        let requested = param("scope");
        if requested.split(' ').any(|s| !scope::ALL.contains(&s)) {
            return Self::refuse(400, "invalid_scope", &requested);
        }
        let deployment = claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"]
            .as_str()
            .map(str::to_owned);
        let scopes: Vec<&str> = requested.split(' ').collect();
        let token = self.issued.issue(TOOL_A, deployment.as_deref(), &scopes);
        self.granted.lock().unwrap().push(requested.clone());
        http::Response::builder()
            .status(200)
            .header("content-type", "application/json;charset=UTF-8")
            .header("cache-control", "no-store")
            .body(Bytes::from(
                json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": requested})
                    .to_string(),
            ))
            .unwrap()
    }
}

struct World {
    clock: Arc<ManualClock>,
    dyn_clock: Arc<dyn Clock>,
    p: TestPlatform,
    token_endpoint: Arc<TokenEndpointHandler>,
    tokens: TokenSource,
    endpoint: TokenEndpoint,
}

/// The platform (AGS service and token endpoint on one origin) and the tool's token source.
async fn world() -> World {
    // ----- the platform -----
    let clock = Arc::new(ManualClock::at_unix_seconds(1_800_000_000));
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    let p = TestPlatform::new(Arc::new(MemoryStore::with_clock(Arc::clone(&dyn_clock)))).await;
    let service = Arc::clone(&p.service);

    // ----- the tool's keys; the platform registered only the public half -----
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
    let token_endpoint = Arc::new(TokenEndpointHandler {
        tool_keys: tool_keys.key_set(),
        verifier: JwtVerifier::new(Arc::clone(&dyn_clock)),
        issued: Arc::clone(&p.tokens),
        used_jti: Mutex::default(),
        requests: AtomicUsize::new(0),
        granted: Mutex::default(),
    });

    // ----- one origin: the token endpoint and the AGS endpoints -----
    let router = RouterClient::new();
    {
        let token_endpoint = Arc::clone(&token_endpoint);
        router
            .route(ORIGIN, move |request: http::Request<Bytes>| {
                let token_endpoint = Arc::clone(&token_endpoint);
                let service = Arc::clone(&service);
                async move {
                    if request.uri().path() == "/login/oauth2/token" {
                        token_endpoint.handle(request).await
                    } else {
                        service.handle(request).await
                    }
                }
            })
            .unwrap();
    }

    // ----- later, without a launch: a client from the stored registration and claim values -----
    let http: Arc<dyn HttpClient> = Arc::new(router.clone());
    let tokens = TokenSource::new(http, Arc::clone(&tool_keys), Arc::clone(&dyn_clock));
    let endpoint = TokenEndpoint::new(url::Url::parse(TOKEN_URL).unwrap(), TOOL_A)
        .unwrap()
        .with_deployment_id(DEPLOYMENT_A)
        .unwrap();
    World {
        clock,
        dyn_clock,
        p,
        token_endpoint,
        tokens,
        endpoint,
    }
}

#[tokio::test]
async fn tool_and_platform_round_trip() {
    let World {
        clock,
        dyn_clock,
        p,
        token_endpoint,
        tokens,
        endpoint,
    } = world().await;

    // ----- the launch gave the tool the AGS claim; the tool stored it with the registration -----
    let launch_claim = p.service.endpoint_claim(
        &ContextId::from(COURSE_1),
        &ClientId::from(TOOL_A),
        &[scope::LINE_ITEM, scope::RESULT_READONLY, scope::SCORE],
        None,
    );
    assert!(
        launch_claim.lineitem.is_none(),
        "c105: no lineitem when none is bound"
    );
    let stored = serde_json::to_string(&launch_claim.to_claim()).unwrap();

    let claim = AgsEndpointClaim::from_claim(&serde_json::from_str(&stored).unwrap()).unwrap();
    let client = AgsClient::new(
        tokens.clone(),
        endpoint.clone(),
        claim,
        Arc::clone(&dyn_clock),
    );

    // two line items for one resource link, told apart by tag
    let mut grade = LineItem::new("Essay", 100.0);
    grade.resource_link_id = Some(ResourceLinkId::from(LINK_A1));
    grade.resource_id = Some("essay-1".into());
    grade.tag = Some("grade".into());
    let mut originality = grade.clone();
    originality.label = "Essay originality".into();
    originality.score_maximum = Some(1.0);
    originality.tag = Some("originality".into());
    let grade = client.find_or_create(&grade).await.unwrap();
    let originality = client.find_or_create(&originality).await.unwrap();
    assert_ne!(grade.id, originality.id);
    // c104: asking again finds them, no duplicates
    let again = client.find_or_create(&grade).await.unwrap();
    assert_eq!(again.id, grade.id);
    let mut query = LineItemQuery::new();
    query.resource_link_id = Some(ResourceLinkId::from(LINK_A1));
    let listed = client.line_items(&query).await.unwrap();
    assert_eq!(listed.len(), 2);
    let grade_id = grade.id.clone().unwrap();

    // scores for two learners: one final, one waiting for manual grading
    let final_score = Score::new(
        UserId::from("learner-1"),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(8.0, 10.0)
    .with_comment("Well argued");
    client.post_score(&grade_id, &final_score).await.unwrap();
    let pending = Score::new(
        UserId::from("learner-2"),
        client.next_timestamp(),
        ActivityProgress::Submitted,
        GradingProgress::PendingManual,
    )
    .given(6.0, 10.0);
    client.post_score(&grade_id, &pending).await.unwrap();

    // results read back: rescaled to the item's 100 points; the pending one is not published
    let results = client
        .results(&grade_id, &ResultQuery::new())
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    let r1 = results
        .iter()
        .find(|r| r.user_id.as_str() == "learner-1")
        .unwrap();
    assert_eq!(r1.result_score, Some(80.0));
    assert_eq!(r1.maximum(), 100.0);
    assert_eq!(r1.comment.as_deref(), Some("Well argued"));
    assert_eq!(r1.score_of.as_ref(), Some(&grade_id));
    let r2 = results
        .iter()
        .find(|r| r.user_id.as_str() == "learner-2")
        .unwrap();
    assert_eq!(r2.result_score, None);
    let mut one = ResultQuery::new();
    one.user_id = Some(UserId::from("learner-2"));
    assert_eq!(client.results(&grade_id, &one).await.unwrap().len(), 1);

    // the gradebook holds the same values
    let owner = owner(TOOL_A, COURSE_1);
    let key = key_of(grade_id.as_str());
    let g1 = p
        .gradebook
        .grade(&owner, &key, &UserId::from("learner-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g1.result_score(100.0), Some(80.0));
    assert_eq!(g1.grading_progress, GradingProgress::FullyGraded);
    let g2 = p
        .gradebook
        .grade(&owner, &key, &UserId::from("learner-2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g2.grading_progress, GradingProgress::PendingManual);
    assert_eq!(g2.published, None);
    assert!(g2.submitted_at.is_some());

    // the due date changes in the tool: the update round-trips
    let mut current = client.line_item(&grade_id).await.unwrap();
    current.end_date_time = Some(Timestamp::parse("2027-02-01T23:59:59.999+01:00").unwrap());
    let applied = client.update_line_item(&current).await.unwrap();
    assert_eq!(applied.end_date_time, current.end_date_time);
    assert_eq!(client.line_item(&grade_id).await.unwrap(), applied);
    assert_eq!(applied.resource_link_id.as_ref().unwrap().as_str(), LINK_A1);

    // an older score (a delayed retry from before the final one) is ignored
    let older = Score::new(
        UserId::from("learner-1"),
        Timestamp::parse("2027-01-15T07:59:59.000Z").unwrap(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(1.0, 10.0);
    assert!(older.timestamp < final_score.timestamp);
    client.post_score(&grade_id, &older).await.unwrap();
    let after = client
        .results(&grade_id, &ResultQuery::new())
        .await
        .unwrap();
    assert_eq!(
        after
            .iter()
            .find(|r| r.user_id.as_str() == "learner-1")
            .unwrap()
            .result_score,
        Some(80.0)
    );

    // the manual grade arrives later and is published
    clock.advance(Duration::from_secs(60));
    let graded = Score::new(
        UserId::from("learner-2"),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(9.0, 10.0);
    client.post_score(&grade_id, &graded).await.unwrap();
    let g2 = p
        .gradebook
        .grade(&owner, &key, &UserId::from("learner-2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g2.result_score(100.0), Some(90.0));

    // tokens: one per scope set, each asked with exactly the scope the call needed, each assertion verified
    let granted = token_endpoint.granted.lock().unwrap().clone();
    assert_eq!(
        granted,
        vec![scope::LINE_ITEM, scope::SCORE, scope::RESULT_READONLY],
        "the claim offers no lineitem.readonly, so reads use lineitem"
    );
    assert_eq!(token_endpoint.requests.load(Ordering::SeqCst), 3);

    // c83: the same token works in another context of the deployment
    let claim2 = p.service.endpoint_claim(
        &ContextId::from(COURSE_2),
        &ClientId::from(TOOL_A),
        &[scope::LINE_ITEM, scope::RESULT_READONLY, scope::SCORE],
        None,
    );
    let client2 = AgsClient::new(tokens, endpoint, claim2, dyn_clock);
    let created = client2
        .create_line_item(&LineItem::new("Course 2 quiz", 5.0))
        .await
        .unwrap();
    client2
        .post_score(
            created.id.as_ref().unwrap(),
            &Score::new(
                UserId::from("learner-1"),
                client2.next_timestamp(),
                ActivityProgress::Completed,
                GradingProgress::FullyGraded,
            )
            .given(5.0, 5.0),
        )
        .await
        .unwrap();
    assert_eq!(
        token_endpoint.requests.load(Ordering::SeqCst),
        3,
        "no new token needed"
    );
    assert_eq!(
        client
            .line_items(&LineItemQuery::new())
            .await
            .unwrap()
            .len(),
        2,
        "course 1 unchanged"
    );
}

/// The client's view of the platform's refusals, through the real service.
#[tokio::test]
async fn the_client_sees_the_platforms_refusals() {
    let w = world().await;
    let claim_for = |client: &str, course: &str, scopes: &[&str]| {
        w.p.service.endpoint_claim(
            &ContextId::from(course),
            &ClientId::from(client),
            scopes,
            None,
        )
    };
    let client = |claim: AgsEndpointClaim| {
        AgsClient::new(
            w.tokens.clone(),
            w.endpoint.clone(),
            claim,
            Arc::clone(&w.dyn_clock),
        )
    };
    let all = [scope::LINE_ITEM, scope::RESULT_READONLY, scope::SCORE];
    let status = |e: lti_ags::Error| match e {
        lti_ags::Error::Status { status, .. } => status,
        other => panic!("{other:?}"),
    };

    // a claim offering only lineitem.readonly: writing is refused by the client itself
    let readonly = client(claim_for(TOOL_A, COURSE_1, &[scope::LINE_ITEM_READONLY]));
    assert!(matches!(
        readonly.create_line_item(&LineItem::new("x", 1.0)).await,
        Err(lti_ags::Error::ScopeNotOffered {
            scope: scope::LINE_ITEM
        })
    ));
    assert!(
        readonly
            .line_items(&LineItemQuery::new())
            .await
            .unwrap()
            .is_empty()
    );

    // tool B's claim used by tool A (tool A's token): the scoped URL is not tool A's
    let foreign = client(claim_for(TOOL_B, COURSE_1, &all));
    assert_eq!(
        status(foreign.line_items(&LineItemQuery::new()).await.unwrap_err()),
        403
    );

    // a claim whose context was tampered with
    let mut tampered = claim_for(TOOL_A, COURSE_1, &all);
    let url = tampered.lineitems.clone().unwrap();
    let seg = url.split('/').rev().nth(1).unwrap().to_owned();
    let (_, tag) = seg.rsplit_once('-').unwrap();
    let forged = format!(
        "{}-{tag}",
        lti_core::service_access::base32_encode(COURSE_2.as_bytes())
    );
    tampered.lineitems = Some(url.replace(&seg, &forged));
    assert_eq!(
        status(
            client(tampered)
                .line_items(&LineItemQuery::new())
                .await
                .unwrap_err()
        ),
        403
    );

    // a context where the deployment is not adopted (a correctly signed URL for a third course)
    let elsewhere = client(claim_for(TOOL_A, "Course-3", &all));
    assert_eq!(
        status(
            elsewhere
                .line_items(&LineItemQuery::new())
                .await
                .unwrap_err()
        ),
        403
    );

    // an item that does not exist, and a resource link of another tool
    let own = client(claim_for(TOOL_A, COURSE_1, &all));
    let missing = lti_ags::LineItemId::new(format!(
        "{}/nosuchitem",
        own.claim().lineitems.clone().unwrap()
    ));
    assert_eq!(status(own.line_item(&missing).await.unwrap_err()), 404);
    let mut foreign_link = LineItem::new("x", 1.0);
    foreign_link.resource_link_id = Some(ResourceLinkId::from(LINK_B1));
    assert_eq!(
        status(own.create_line_item(&foreign_link).await.unwrap_err()),
        404
    );

    // paging across three pages through the real service
    for i in 0..5 {
        own.create_line_item(&LineItem::new(format!("item {i}"), 1.0))
            .await
            .unwrap();
    }
    let mut query = LineItemQuery::new();
    query.limit = Some(2);
    assert_eq!(own.line_items(&query).await.unwrap().len(), 5);
}
