//! Handler-level tests of [`AgsService`]: every rejection (media types, scopes, tokens, contexts, scoped URLs,
//! other tools' items, malformed and invalid bodies, queries), score semantics and paging.
//!
//! Checklist ids: c82 (401/403), c97, c98, c106–c120 (platform AGS), plus context isolation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::type_complexity
)]

use std::sync::Arc;

use bytes::Bytes;
use lti_ags::gradebook::Gradebook;
use lti_ags::{media_type, scope};
use lti_core::service_access::base32_encode;
use lti_core::{ClientId, ContextId, UserId};
use lti_storage::MemoryStore;
use serde_json::{Value, json};

#[path = "support/platform.rs"]
mod platform;

use platform::*;

const ALL: &[&str] = &[scope::LINE_ITEM, scope::SCORE, scope::RESULT_READONLY];

async fn platform() -> TestPlatform {
    TestPlatform::new(Arc::new(MemoryStore::new())).await
}

/// Creates a line item of tool A in course 1 and returns its URL.
async fn create(p: &TestPlatform, token: &str, item: Value) -> String {
    let r = p
        .call(request(
            "POST",
            &p.container(TOOL_A, COURSE_1),
            Some(token),
            Some(media_type::LINE_ITEM),
            None,
            item.to_string(),
        ))
        .await;
    assert_eq!(r.status(), 201, "{}", String::from_utf8_lossy(r.body()));
    json_body(&r)["id"].as_str().unwrap().to_owned()
}

async fn post_score(
    p: &TestPlatform,
    token: &str,
    item: &str,
    score: Value,
) -> http::Response<Bytes> {
    p.call(request(
        "POST",
        &format!("{item}/scores"),
        Some(token),
        Some(media_type::SCORE),
        None,
        score.to_string(),
    ))
    .await
}

async fn results(p: &TestPlatform, token: &str, url: &str) -> http::Response<Bytes> {
    p.call(request(
        "GET",
        url,
        Some(token),
        None,
        Some(media_type::RESULT_CONTAINER),
        "",
    ))
    .await
}

fn score(user: &str, at: &str, given: Option<f64>, grading: &str) -> Value {
    let mut s = json!({"userId": user, "timestamp": at, "activityProgress": "Completed",
                       "gradingProgress": grading});
    if let Some(given) = given {
        s["scoreGiven"] = json!(given);
        s["scoreMaximum"] = json!(10);
    }
    s
}

fn error_of(r: &http::Response<Bytes>) -> String {
    json_body(r)["error_description"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ----- line items -----

#[tokio::test]
async fn c108_post_creates_201_with_id_and_keeps_resource_id_and_tag() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let r = p
        .call(request(
            "POST",
            &p.container(TOOL_A, COURSE_1),
            Some(&token),
            Some("application/vnd.ims.lis.v2.lineitem+json; charset=utf-8"),
            Some(media_type::LINE_ITEM),
            json!({"label": "Chapter 5 Test", "scoreMaximum": 60, "resourceId": "Quiz-ABC",
                   "tag": "Grade", "resourceLinkId": LINK_A1, "id": "https://evil.example/x",
                   "https://vendor.example/ext": {"a": 1}})
            .to_string(),
        ))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["content-type"], media_type::LINE_ITEM);
    let body = json_body(&r);
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with(&p.container(TOOL_A, COURSE_1)), "{id}");
    assert_eq!(r.headers()["location"], id);
    assert_eq!(id, id.to_lowercase(), "ids survive lower-casing");
    assert_eq!(body["resourceId"], "Quiz-ABC");
    assert_eq!(body["tag"], "Grade");
    assert_eq!(body["https://vendor.example/ext"]["a"], 1);
    let got = p
        .call(request(
            "GET",
            id,
            Some(&token),
            None,
            Some(media_type::LINE_ITEM),
            "",
        ))
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(json_body(&got), body);
}

#[tokio::test]
async fn c109_blank_label_or_non_positive_score_maximum_is_400() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    for (item, field) in [
        (json!({"label": " ", "scoreMaximum": 10}), "label"),
        (json!({"scoreMaximum": 10}), "label"),
        (json!({"label": "x", "scoreMaximum": 0}), "scoreMaximum"),
        (json!({"label": "x", "scoreMaximum": -5}), "scoreMaximum"),
        (json!({"label": "x"}), "scoreMaximum"),
    ] {
        let r = p
            .call(request(
                "POST",
                &p.container(TOOL_A, COURSE_1),
                Some(&token),
                Some(media_type::LINE_ITEM),
                None,
                item.to_string(),
            ))
            .await;
        assert_eq!(r.status(), 400, "{item}");
        assert!(error_of(&r).contains(field), "{item}: {}", error_of(&r));
    }
}

#[tokio::test]
async fn malformed_json_bodies_are_400_naming_the_problem() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let item = create(&p, &token, json!({"label": "a", "scoreMaximum": 10})).await;
    for (url, ct, body) in [
        (
            p.container(TOOL_A, COURSE_1),
            media_type::LINE_ITEM,
            "{not json",
        ),
        (p.container(TOOL_A, COURSE_1), media_type::LINE_ITEM, "[]"),
        (
            p.container(TOOL_A, COURSE_1),
            media_type::LINE_ITEM,
            r#"{"label": 5, "scoreMaximum": 1}"#,
        ),
        (
            p.container(TOOL_A, COURSE_1),
            media_type::LINE_ITEM,
            r#"{"label": "a", "scoreMaximum": "10"}"#,
        ),
        (
            p.container(TOOL_A, COURSE_1),
            media_type::LINE_ITEM,
            r#"{"label": "a", "scoreMaximum": 1, "endDateTime": "tomorrow"}"#,
        ),
        (format!("{item}/scores"), media_type::SCORE, ""),
        (format!("{item}/scores"), media_type::SCORE, "\u{0}\u{1}"),
        (
            format!("{item}/scores"),
            media_type::SCORE,
            r#"{"userId": "u"}"#,
        ),
    ] {
        let r = p
            .call(request("POST", &url, Some(&token), Some(ct), None, body))
            .await;
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(json_body(&r)["error"], "invalid_request");
    }
}

#[tokio::test]
async fn c110_resource_link_of_another_tool_or_context_is_404() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    for link in [LINK_B1, "no-such-link", "link-a1"] {
        let r = p
            .call(request(
                "POST",
                &p.container(TOOL_A, COURSE_1),
                Some(&token),
                Some(media_type::LINE_ITEM),
                None,
                json!({"label": "x", "scoreMaximum": 1, "resourceLinkId": link}).to_string(),
            ))
            .await;
        assert_eq!(r.status(), 404, "{link}");
    }
    // tool A's link of course 1 does not exist in course 2
    let r = p
        .call(request(
            "POST",
            &p.container(TOOL_A, COURSE_2),
            Some(&token),
            Some(media_type::LINE_ITEM),
            None,
            json!({"label": "x", "scoreMaximum": 1, "resourceLinkId": LINK_A1}).to_string(),
        ))
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn c111_put_returns_the_applied_item_and_keeps_id_and_resource_link() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(
        &p,
        &token,
        json!({"label": "Essay", "scoreMaximum": 10, "resourceLinkId": LINK_A1,
               "endDateTime": "2030-01-01T00:00:00.000Z"}),
    )
    .await;
    let r = p
        .call(request(
            "PUT",
            &id,
            Some(&token),
            Some(media_type::LINE_ITEM),
            Some(media_type::LINE_ITEM),
            json!({"id": "https://elsewhere.example/1", "label": "Essay (revised)", "scoreMaximum": 20,
                   "resourceLinkId": "another-link", "endDateTime": "2030-02-01T12:30:00.250+01:00"})
            .to_string(),
        ))
        .await;
    assert_eq!(r.status(), 200);
    let body = json_body(&r);
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["resourceLinkId"], LINK_A1);
    assert_eq!(body["label"], "Essay (revised)");
    assert_eq!(body["endDateTime"], "2030-02-01T12:30:00.250+01:00");
    let got = p
        .call(request("GET", &id, Some(&token), None, None, ""))
        .await;
    assert_eq!(json_body(&got), body);
    // PUT to an unknown item
    let r = p
        .call(request(
            "PUT",
            &format!("{}/nosuchitem", p.container(TOOL_A, COURSE_1)),
            Some(&token),
            Some(media_type::LINE_ITEM),
            None,
            json!({"label": "x", "scoreMaximum": 1}).to_string(),
        ))
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn delete_removes_the_item_and_its_grades() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 10})).await;
    let r = post_score(
        &p,
        &token,
        &id,
        score("u1", "2024-01-01T00:00:00.000Z", Some(5.0), "FullyGraded"),
    )
    .await;
    assert!(r.status().is_success());
    let r = p
        .call(request("DELETE", &id, Some(&token), None, None, ""))
        .await;
    assert_eq!(r.status(), 204);
    let r = p
        .call(request("GET", &id, Some(&token), None, None, ""))
        .await;
    assert_eq!(r.status(), 404);
    let r = post_score(
        &p,
        &token,
        &id,
        score("u1", "2024-01-02T00:00:00.000Z", Some(5.0), "FullyGraded"),
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = p
        .call(request("DELETE", &id, Some(&token), None, None, ""))
        .await;
    assert_eq!(r.status(), 404);
    assert!(
        p.gradebook
            .grades(&owner(TOOL_A, COURSE_1), &key_of(&id), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn c106_filters_are_anded_and_no_match_is_an_empty_array() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    for (rid, tag, link) in [
        ("q1", "grade", Some(LINK_A1)),
        ("q1", "originality", Some(LINK_A1)),
        ("q2", "grade", None),
    ] {
        let mut item = json!({"label": "x", "scoreMaximum": 1, "resourceId": rid, "tag": tag});
        if let Some(link) = link {
            item["resourceLinkId"] = json!(link);
        }
        create(&p, &token, item).await;
    }
    let list = |query: &str| {
        let url = format!("{}{query}", p.container(TOOL_A, COURSE_1));
        let p = &p;
        let token = token.clone();
        async move {
            let r = p
                .call(request(
                    "GET",
                    &url,
                    Some(&token),
                    None,
                    Some(media_type::LINE_ITEM_CONTAINER),
                    "",
                ))
                .await;
            assert_eq!(r.status(), 200, "{url}");
            assert_eq!(r.headers()["content-type"], media_type::LINE_ITEM_CONTAINER);
            json_body(&r).as_array().unwrap().clone()
        }
    };
    assert_eq!(list("").await.len(), 3);
    assert_eq!(list("?tag=grade").await.len(), 2);
    assert_eq!(list(&format!("?resource_link_id={LINK_A1}")).await.len(), 2);
    let both = list(&format!("?resource_link_id={LINK_A1}&tag=grade")).await;
    assert_eq!(both.len(), 1);
    assert_eq!(both[0]["resourceId"], "q1");
    assert_eq!(list("?resource_id=q1&tag=grade").await.len(), 1);
    assert_eq!(
        list("?resource_id=q2&resource_link_id=Link-A1").await,
        Vec::<Value>::new()
    );
    assert_eq!(list("?tag=nothing").await, Vec::<Value>::new());
}

/// Follows `next` links from `url`, lower-casing each (as some clients do); returns the pages.
async fn follow(p: &TestPlatform, token: &str, url: &str, accept: &str) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(url) = next.take() {
        let r = p
            .call(request("GET", &url, Some(token), None, Some(accept), ""))
            .await;
        assert_eq!(
            r.status(),
            200,
            "{url}: {}",
            String::from_utf8_lossy(r.body())
        );
        pages.push(json_body(&r).as_array().unwrap().clone());
        next = lti_http::find_link(r.headers(), "next")
            .unwrap()
            .map(|n| n.to_lowercase());
        assert!(pages.len() < 20, "paging does not end");
    }
    pages
}

#[tokio::test]
async fn c107_paging_across_three_pages_keeps_filters_and_survives_lower_casing() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    for i in 0..7 {
        let tag = if i == 6 { "Other" } else { "Grade-X" };
        create(
            &p,
            &token,
            json!({"label": format!("item {i}"), "scoreMaximum": 1, "tag": tag}),
        )
        .await;
    }
    let url = format!("{}?tag=Grade-X&limit=2", p.container(TOOL_A, COURSE_1));
    let pages = follow(&p, &token, &url, media_type::LINE_ITEM_CONTAINER).await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![2, 2, 2]
    );
    let mut labels: Vec<&str> = pages
        .iter()
        .flatten()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(labels.len(), 6, "each item once, the filtered one never");
    assert!(pages.iter().flatten().all(|i| i["tag"] == "Grade-X"));
}

// ----- media types, methods -----

#[tokio::test]
async fn wrong_content_type_is_415_and_unacceptable_accept_is_406() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 1})).await;
    let s = score("u", "2024-01-01T00:00:00.000Z", Some(1.0), "FullyGraded").to_string();
    for (method, url, ct) in [
        ("POST", format!("{id}/scores"), Some("application/json")),
        ("POST", format!("{id}/scores"), Some(media_type::LINE_ITEM)),
        (
            "POST",
            format!("{id}/scores"),
            Some("application/vnd.ims.lis.v2.score+json"),
        ),
        ("POST", format!("{id}/scores"), None),
        (
            "POST",
            p.container(TOOL_A, COURSE_1),
            Some(media_type::SCORE),
        ),
        ("PUT", id.clone(), Some("text/plain")),
    ] {
        let r = p
            .call(request(method, &url, Some(&token), ct, None, s.clone()))
            .await;
        assert_eq!(r.status(), 415, "{method} {url} {ct:?}");
        assert!(error_of(&r).contains("Content-Type"), "{}", error_of(&r));
    }
    for (url, accept) in [
        (p.container(TOOL_A, COURSE_1), media_type::LINE_ITEM),
        (id.clone(), media_type::LINE_ITEM_CONTAINER),
        (format!("{id}/results"), "text/html"),
    ] {
        let r = p
            .call(request("GET", &url, Some(&token), None, Some(accept), ""))
            .await;
        assert_eq!(r.status(), 406, "{url} {accept}");
    }
}

#[tokio::test]
async fn c119_get_on_scores_and_other_methods_are_405_with_allow() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 1})).await;
    for (method, url, allow) in [
        ("GET", format!("{id}/scores"), "POST"),
        ("DELETE", p.container(TOOL_A, COURSE_1), "GET, POST"),
        ("POST", id.clone(), "GET, PUT, DELETE"),
        ("POST", format!("{id}/results"), "GET"),
    ] {
        let r = p
            .call(request(method, &url, Some(&token), None, None, ""))
            .await;
        assert_eq!(r.status(), 405, "{method} {url}");
        assert_eq!(r.headers()["allow"], allow);
    }
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let big = json!({"label": "x".repeat(70 * 1024), "scoreMaximum": 1}).to_string();
    let r = p
        .call(request(
            "POST",
            &p.container(TOOL_A, COURSE_1),
            Some(&token),
            Some(media_type::LINE_ITEM),
            None,
            big,
        ))
        .await;
    assert_eq!(r.status(), 413);
}

// ----- tokens and scopes -----

#[tokio::test]
async fn c82_missing_unknown_or_revoked_tokens_are_401_with_a_bearer_challenge() {
    let p = platform().await;
    let url = p.container(TOOL_A, COURSE_1);
    let r = p.call(request("GET", &url, None, None, None, "")).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = p
        .call(request("GET", &url, Some("made-up"), None, None, ""))
        .await;
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let token = p.token(TOOL_A, ALL);
    assert_eq!(
        p.call(request("GET", &url, Some(&token), None, None, ""))
            .await
            .status(),
        200
    );
    p.tokens.revoke_all();
    assert_eq!(
        p.call(request("GET", &url, Some(&token), None, None, ""))
            .await
            .status(),
        401
    );
    let r = p
        .call(
            http::Request::get(&url)
                .header("authorization", "Basic dXNlcjpwdw==")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn c118_each_route_needs_its_scope() {
    let p = platform().await;
    let writer = p.token(TOOL_A, ALL);
    let id = create(&p, &writer, json!({"label": "x", "scoreMaximum": 1})).await;
    let container = p.container(TOOL_A, COURSE_1);
    let readonly = p.token(TOOL_A, &[scope::LINE_ITEM_READONLY]);
    let score_only = p.token(TOOL_A, &[scope::SCORE]);
    let results_only = p.token(TOOL_A, &[scope::RESULT_READONLY]);
    let line_item_only = p.token(TOOL_A, &[scope::LINE_ITEM]);
    let item_body = json!({"label": "y", "scoreMaximum": 1}).to_string();
    let score_body = score("u", "2024-01-01T00:00:00.000Z", Some(1.0), "FullyGraded").to_string();
    let cases: Vec<(&str, String, &str, Option<&str>, String, u16)> = vec![
        // lineitem.readonly: reads yes, writes no
        (
            "GET",
            container.clone(),
            &readonly,
            None,
            String::new(),
            200,
        ),
        ("GET", id.clone(), &readonly, None, String::new(), 200),
        (
            "POST",
            container.clone(),
            &readonly,
            Some(media_type::LINE_ITEM),
            item_body.clone(),
            403,
        ),
        (
            "PUT",
            id.clone(),
            &readonly,
            Some(media_type::LINE_ITEM),
            item_body.clone(),
            403,
        ),
        ("DELETE", id.clone(), &readonly, None, String::new(), 403),
        // score: scores only
        (
            "GET",
            format!("{id}/results"),
            &score_only,
            None,
            String::new(),
            403,
        ),
        (
            "GET",
            container.clone(),
            &score_only,
            None,
            String::new(),
            403,
        ),
        (
            "POST",
            format!("{id}/scores"),
            &score_only,
            Some(media_type::SCORE),
            score_body.clone(),
            204,
        ),
        // result.readonly: results only
        (
            "POST",
            format!("{id}/scores"),
            &results_only,
            Some(media_type::SCORE),
            score_body.clone(),
            403,
        ),
        (
            "GET",
            format!("{id}/results"),
            &results_only,
            None,
            String::new(),
            200,
        ),
        // lineitem: no scores, no results
        (
            "POST",
            format!("{id}/scores"),
            &line_item_only,
            Some(media_type::SCORE),
            score_body.clone(),
            403,
        ),
        (
            "GET",
            format!("{id}/results"),
            &line_item_only,
            None,
            String::new(),
            403,
        ),
        (
            "PUT",
            id.clone(),
            &line_item_only,
            Some(media_type::LINE_ITEM),
            item_body.clone(),
            200,
        ),
    ];
    for (method, url, token, ct, body, status) in cases {
        let r = p
            .call(request(method, &url, Some(token), ct, None, body))
            .await;
        assert_eq!(
            r.status(),
            status,
            "{method} {url}: {}",
            String::from_utf8_lossy(r.body())
        );
        if status == 403 {
            let challenge = r.headers()["www-authenticate"].to_str().unwrap();
            assert!(challenge.contains("insufficient_scope"), "{challenge}");
        }
    }
}

// ----- contexts, scoped URLs, other tools -----

#[tokio::test]
async fn another_context_where_the_tool_is_not_deployed_is_403() {
    let p = platform().await;
    // a correctly signed URL for tool B in course 2, where tool B is not deployed
    let url = p.container(TOOL_B, COURSE_2);
    let token = p.token(TOOL_B, ALL);
    let r = p
        .call(request("GET", &url, Some(&token), None, None, ""))
        .await;
    assert_eq!(r.status(), 403);
    assert!(error_of(&r).contains("not deployed"), "{}", error_of(&r));
    // a token for another deployment of tool A is not adopted in course 1 either
    let other_deployment = p.tokens.issue(TOOL_A, Some("deployment-z"), ALL);
    let r = p
        .call(request(
            "GET",
            &p.container(TOOL_A, COURSE_1),
            Some(&other_deployment),
            None,
            None,
            "",
        ))
        .await;
    assert_eq!(r.status(), 403);
    // withdrawn adoption takes effect at once
    let token_a = p.token(TOOL_A, ALL);
    let url = p.container(TOOL_A, COURSE_2);
    assert_eq!(
        p.call(request("GET", &url, Some(&token_a), None, None, ""))
            .await
            .status(),
        200
    );
    p.adoption
        .withdraw(
            &ClientId::from(TOOL_A),
            &lti_core::DeploymentId::from(DEPLOYMENT_A),
            &ContextId::from(COURSE_2),
        )
        .await
        .unwrap();
    assert_eq!(
        p.call(request("GET", &url, Some(&token_a), None, None, ""))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn tampered_scoped_urls_are_403() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let good = p.container(TOOL_A, COURSE_1);
    let segment = good
        .strip_prefix(&format!("{BASE}/"))
        .unwrap()
        .strip_suffix("/lineitems")
        .unwrap()
        .to_owned();
    let (context, tag) = segment.rsplit_once('-').unwrap();
    let flipped_tag = {
        let mut t = tag.to_owned().into_bytes();
        t[0] = if t[0] == b'a' { b'b' } else { b'a' };
        String::from_utf8(t).unwrap()
    };
    for bad in [
        // course 2 (where tool A is deployed) with course 1's signature
        format!("{}-{tag}", base32_encode(COURSE_2.as_bytes())),
        format!("{context}-{flipped_tag}"),
        format!("{context}-"),
        context.to_owned(),
        format!("{context}x-{tag}"),
        "not-base32!".to_owned(),
    ] {
        let url = format!("{BASE}/{bad}/lineitems");
        let r = p
            .call(request("GET", &url, Some(&token), None, None, ""))
            .await;
        assert_eq!(r.status(), 403, "{bad}");
    }
    // the untampered URL, lower- and upper-cased, still works
    for url in [
        good.to_lowercase(),
        good.to_uppercase()
            .replace("HTTPS://LMS.EXAMPLE/LTI/AGS", BASE),
    ] {
        let r = p
            .call(request("GET", &url, Some(&token), None, None, ""))
            .await;
        assert_eq!(r.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn another_tools_urls_and_line_items_are_out_of_reach() {
    let p = platform().await;
    let token_a = p.token(TOOL_A, ALL);
    let token_b = p.token(TOOL_B, ALL);
    let item_a = create(&p, &token_a, json!({"label": "A's", "scoreMaximum": 10})).await;
    // tool B with tool A's URLs: the signature is over tool A's client id
    for (method, url, ct, body) in [
        ("GET", p.container(TOOL_A, COURSE_1), None, String::new()),
        ("GET", item_a.clone(), None, String::new()),
        ("DELETE", item_a.clone(), None, String::new()),
        (
            "POST",
            format!("{item_a}/scores"),
            Some(media_type::SCORE),
            score("u", "2024-01-01T00:00:00.000Z", Some(1.0), "FullyGraded").to_string(),
        ),
    ] {
        let r = p
            .call(request(method, &url, Some(&token_b), ct, None, body))
            .await;
        assert_eq!(r.status(), 403, "{method} {url}");
    }
    // tool B with its own (valid) URL and tool A's item key: no such item for tool B
    let b_view = format!("{}/{}", p.container(TOOL_B, COURSE_1), key_of(&item_a));
    for (method, url) in [("GET", b_view.clone()), ("DELETE", b_view.clone())] {
        let r = p
            .call(request(method, &url, Some(&token_b), None, None, ""))
            .await;
        assert_eq!(r.status(), 404, "{method} {url}");
    }
    let r = post_score(
        &p,
        &token_b,
        &b_view,
        score("u", "2024-01-01T00:00:00.000Z", Some(1.0), "FullyGraded"),
    )
    .await;
    assert_eq!(r.status(), 404);
    // tool B's container does not list tool A's item
    let r = p
        .call(request(
            "GET",
            &p.container(TOOL_B, COURSE_1),
            Some(&token_b),
            None,
            None,
            "",
        ))
        .await;
    assert_eq!(json_body(&r), json!([]));
    // and tool A's item is unchanged
    let r = p
        .call(request("GET", &item_a, Some(&token_a), None, None, ""))
        .await;
    assert_eq!(json_body(&r)["label"], "A's");
}

// ----- scores and results -----

#[tokio::test]
async fn c98_c116_invalid_scores_are_400() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 10})).await;
    let base = || score("u", "2024-01-01T00:00:00.000Z", Some(5.0), "FullyGraded");
    let mut cases = Vec::new();
    let mut s = base();
    s["scoreGiven"] = json!(-1);
    cases.push((s, "scoreGiven"));
    let mut s = base();
    s["scoreGiven"] = json!("5");
    cases.push((s, "invalid type"));
    let mut s = base();
    s["scoreGiven"] = json!(true);
    cases.push((s, "invalid type"));
    let mut s = base();
    s.as_object_mut().unwrap().remove("scoreMaximum");
    cases.push((s, "scoreMaximum"));
    let mut s = base();
    s["scoreMaximum"] = json!(0);
    cases.push((s, "scoreMaximum"));
    let mut s = base();
    s["gradingProgress"] = json!("Graded");
    cases.push((s, "gradingProgress"));
    let mut s = base();
    s["activityProgress"] = json!("Done");
    cases.push((s, "activityProgress"));
    let mut s = base();
    s["timestamp"] = json!("2024-01-01 noon");
    cases.push((s, "RFC 3339"));
    let mut s = base();
    s["timestamp"] = json!(1_704_067_200);
    cases.push((s, "invalid type"));
    let mut s = base();
    s["userId"] = json!("");
    cases.push((s, "userId"));
    for (s, named) in cases {
        let r = post_score(&p, &token, &id, s.clone()).await;
        assert_eq!(r.status(), 400, "{s}");
        assert!(error_of(&r).contains(named), "{s}: {}", error_of(&r));
    }
    // big numbers JSON cannot hold as f64 are malformed, not infinite
    let r = p
        .call(request(
            "POST",
            &format!("{id}/scores"),
            Some(&token),
            Some(media_type::SCORE),
            None,
            r#"{"userId":"u","timestamp":"2024-01-01T00:00:00.000Z","activityProgress":"Completed","gradingProgress":"FullyGraded","scoreGiven":1e400,"scoreMaximum":10}"#,
        ))
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn c112_an_older_score_is_ignored() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 10})).await;
    let r = post_score(
        &p,
        &token,
        &id,
        score("u", "2024-01-01T00:00:02.000Z", Some(8.0), "FullyGraded"),
    )
    .await;
    assert_eq!(r.status(), 204);
    // older (by instant, written in another offset) and equal timestamps: success, but ignored
    for at in [
        "2024-01-01T00:00:01.999Z",
        "2024-01-01T01:00:01.500+01:00",
        "2024-01-01T00:00:02.000Z",
    ] {
        let r = post_score(&p, &token, &id, score("u", at, Some(1.0), "FullyGraded")).await;
        assert!(r.status().is_success());
    }
    let r = results(&p, &token, &format!("{id}/results")).await;
    assert_eq!(json_body(&r)[0]["resultScore"], 8.0);
    // a later one applies
    post_score(
        &p,
        &token,
        &id,
        score("u", "2024-01-01T00:00:02.001Z", Some(3.0), "FullyGraded"),
    )
    .await;
    let r = results(&p, &token, &format!("{id}/results")).await;
    assert_eq!(json_body(&r)[0]["resultScore"], 3.0);
}

#[tokio::test]
async fn c113_c117_c120_fully_graded_vs_pending_manual() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 20})).await;
    // c113: above the maximum is accepted; c120: rescaled to the item's 20 points
    post_score(
        &p,
        &token,
        &id,
        score(
            "graded",
            "2024-01-01T00:00:00.000Z",
            Some(12.0),
            "FullyGraded",
        ),
    )
    .await;
    let mut pending = score(
        "pending",
        "2024-01-01T00:00:00.000Z",
        Some(7.0),
        "PendingManual",
    );
    pending["activityProgress"] = json!("Submitted");
    post_score(&p, &token, &id, pending).await;
    let r = results(&p, &token, &format!("{id}/results")).await;
    let all = json_body(&r);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let graded = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userId"] == "graded")
        .unwrap();
    assert_eq!(graded["resultScore"], 24.0);
    assert_eq!(graded["resultMaximum"], 20.0);
    assert_eq!(graded["scoreOf"], id.as_str());
    let pending = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userId"] == "pending")
        .unwrap();
    assert!(
        pending.get("resultScore").is_none(),
        "pending manual grading is not published: {pending}"
    );
    // c117: user_id gives at most one
    let r = results(&p, &token, &format!("{id}/results?user_id=graded")).await;
    assert_eq!(json_body(&r).as_array().unwrap().len(), 1);
    let r = results(&p, &token, &format!("{id}/results?user_id=nobody")).await;
    assert_eq!(json_body(&r), json!([]));
    // the gradebook holds the same
    let record = p
        .gradebook
        .grade(
            &owner(TOOL_A, COURSE_1),
            &key_of(&id),
            &UserId::from("pending"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.published, None);
    assert_eq!(record.last_score.unwrap().given, 7.0);
}

#[tokio::test]
async fn c114_c115_a_score_without_score_or_comment_clears_them() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 10})).await;
    let mut s = score("u", "2024-01-01T00:00:00.000Z", Some(5.0), "FullyGraded");
    s["comment"] = json!("well done");
    post_score(&p, &token, &id, s).await;
    let r = results(&p, &token, &format!("{id}/results")).await;
    assert_eq!(json_body(&r)[0]["comment"], "well done");
    post_score(
        &p,
        &token,
        &id,
        score("u", "2024-01-01T00:00:01.000Z", Some(6.0), "FullyGraded"),
    )
    .await;
    let r = results(&p, &token, &format!("{id}/results")).await;
    assert!(json_body(&r)[0].get("comment").is_none(), "c115");
    let mut cleared = score("u", "2024-01-01T00:00:02.000Z", None, "NotReady");
    cleared["activityProgress"] = json!("Initialized");
    post_score(&p, &token, &id, cleared).await;
    let r = results(&p, &token, &format!("{id}/results")).await;
    assert!(json_body(&r)[0].get("resultScore").is_none(), "c114");
}

#[tokio::test]
async fn results_page_across_three_pages() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 10})).await;
    for i in 0..5 {
        post_score(
            &p,
            &token,
            &id,
            score(
                &format!("User-{i}"),
                "2024-01-01T00:00:00.000Z",
                Some(1.0),
                "FullyGraded",
            ),
        )
        .await;
    }
    let pages = follow(
        &p,
        &token,
        &format!("{id}/results?limit=2"),
        media_type::RESULT_CONTAINER,
    )
    .await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    let users: Vec<&str> = pages
        .iter()
        .flatten()
        .map(|r| r["userId"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        vec!["User-0", "User-1", "User-2", "User-3", "User-4"]
    );
    for bad in ["?limit=0", "?limit=x", "?page=zzzz", "?user_id=a&user_id=b"] {
        let r = results(&p, &token, &format!("{id}/results{bad}")).await;
        assert_eq!(r.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn unknown_routes_and_items_are_404() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let container = p.container(TOOL_A, COURSE_1);
    for url in [
        format!("{container}/NOT_A_KEY!"),
        format!("{container}/abc/unknown"),
        format!("{container}/abc"),
        format!("{container}/abc/results"),
        "https://lms.example/other".to_owned(),
    ] {
        let r = p
            .call(request("GET", &url, Some(&token), None, None, ""))
            .await;
        assert_eq!(r.status(), 404, "{url}");
    }
}

#[tokio::test]
async fn sled_gradebook_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (id, token_caller) = {
        let store = Arc::new(lti_storage::SledStore::open(dir.path()).unwrap());
        let p = TestPlatform::new(store).await;
        let token = p.token(TOOL_A, ALL);
        let id = create(&p, &token, json!({"label": "durable", "scoreMaximum": 10})).await;
        post_score(
            &p,
            &token,
            &id,
            score("u", "2024-01-01T00:00:00.000Z", Some(9.0), "FullyGraded"),
        )
        .await;
        (id, token)
    };
    let store = Arc::new(lti_storage::SledStore::open(dir.path()).unwrap());
    let p = TestPlatform::new(store).await;
    p.tokens
        .remember(&token_caller, TOOL_A, Some(DEPLOYMENT_A), ALL);
    let r = results(&p, &token_caller, &format!("{id}/results")).await;
    assert_eq!(json_body(&r)[0]["resultScore"], 9.0);
}

#[tokio::test]
async fn c105_launch_claim_has_scoped_urls_and_lineitem_only_when_one_is_bound() {
    let p = platform().await;
    let context = ContextId::from(COURSE_1);
    let client = ClientId::from(TOOL_A);
    let claim = p
        .service
        .endpoint_claim(&context, &client, &[scope::SCORE], None);
    assert_eq!(claim.scope, vec![scope::SCORE]);
    assert_eq!(
        claim.lineitems.as_deref(),
        Some(p.container(TOOL_A, COURSE_1).as_str())
    );
    assert!(claim.lineitem.is_none());
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 1})).await;
    let bound = p
        .service
        .endpoint_claim(&context, &client, &[scope::SCORE], Some(&key_of(&id)));
    assert_eq!(bound.lineitem.as_ref().unwrap().as_str(), id);
    // the URLs are lower case, whatever the case of the context id
    let lineitems = claim.lineitems.unwrap();
    assert_eq!(lineitems, lineitems.to_lowercase());
    // and they are another tool's nothing: tool B's claim for the same course has other URLs
    let other = p
        .service
        .endpoint_claim(&context, &ClientId::from(TOOL_B), &[scope::SCORE], None);
    assert_ne!(other.lineitems.unwrap(), lineitems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn c112_concurrent_scores_end_with_the_latest_timestamp_whatever_the_arrival_order() {
    let p = Arc::new(platform().await);
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 100})).await;
    // 40 scores for one learner, sent concurrently in a scrambled order; the score equals the second
    let mut tasks = Vec::new();
    for i in 0..40_u32 {
        let second = (i * 17) % 40;
        let (p, token, id) = (Arc::clone(&p), token.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let at = format!("2024-01-01T00:00:{second:02}.000Z");
            let r = post_score(
                &p,
                &token,
                &id,
                score("u", &at, Some(f64::from(second)), "FullyGraded"),
            )
            .await;
            assert_eq!(r.status(), 204);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let r = results(&p, &token, &format!("{id}/results")).await;
    // scoreMaximum 10 on a 100-point item: 39 of 10 rescales to 390
    assert_eq!(json_body(&r)[0]["resultScore"], 390.0);
}

#[tokio::test]
async fn hostile_requests_never_panic_and_never_succeed() {
    let p = platform().await;
    let token = p.token(TOOL_A, ALL);
    let id = create(&p, &token, json!({"label": "x", "scoreMaximum": 1})).await;
    let container = p.container(TOOL_A, COURSE_1);
    let paths = [
        format!("{container}?limit=99999999999999999999999"),
        format!("{container}?page=%FF%FE"),
        format!("{container}?tag=%00&resource_link_id=%F0%9F%98%80"),
        format!("{id}/results?user_id=&limit=1"),
        format!(
            "{id}/results?page={}",
            base32_encode(b"{\"l\":0,\"a\":\"\"}")
        ),
        format!("{id}/results?page={}", base32_encode(b"{\"l\":1,\"x\":1}")),
        format!("{BASE}//lineitems"),
        format!("{BASE}/-/lineitems"),
        format!("{BASE}/{}/lineitems", "a".repeat(5000)),
    ];
    for url in &paths {
        let r = p
            .call(request("GET", url, Some(&token), None, None, ""))
            .await;
        assert!(
            r.status().is_client_error() || r.status() == 200,
            "{url}: {}",
            r.status()
        );
    }
    let bodies: Vec<Vec<u8>> = vec![
        vec![0xff; 100],
        b"{".repeat(10_000),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes(),
        br#"{"userId":"u","timestamp":"9999-12-31T23:59:59.999999999-23:59","activityProgress":"Completed","gradingProgress":"FullyGraded"}"#.to_vec(),
        br#"{"userId":"u","timestamp":"0000-01-01T00:00:00.000+23:59","activityProgress":"Completed","gradingProgress":"FullyGraded","scoreGiven":1.7976931348623157e308,"scoreMaximum":5e-324}"#.to_vec(),
        br#"{"userId":"u","userId":"v","timestamp":"2024-01-01T00:00:00.000Z","activityProgress":"Completed","gradingProgress":"FullyGraded"}"#.to_vec(),
    ];
    for body in bodies {
        let r = p
            .call(request(
                "POST",
                &format!("{id}/scores"),
                Some(&token),
                Some(media_type::SCORE),
                None,
                body.clone(),
            ))
            .await;
        assert!(
            r.status() == 204 || r.status() == 400,
            "{}: {}",
            String::from_utf8_lossy(&body),
            r.status()
        );
    }
    // whatever was accepted, the results still render
    let r = results(&p, &token, &format!("{id}/results")).await;
    assert_eq!(r.status(), 200);
}
