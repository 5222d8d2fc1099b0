#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The real `NrpsClient` (through a real `TokenSource`) against the real `NrpsService` over `RouterClient`:
//! a 2,500-member roster in pages of 100, the role filter, `rlid`, differences after two members leave and one
//! joins, and the rejections (no token, wrong scope, another context, tampered scoped URL, bad `limit`).
//!
//! Checklist ids: c121–c123 (tool), c124–c129 (platform), c82 (resource-server status codes).

#[path = "support/world.rs"]
mod world;

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::atomic::Ordering;
use std::time::Duration;

use http::header::{LINK, WWW_AUTHENTICATE};
use lti_core::role::ContextRole;
use lti_core::{ClientId, ContextId, Role, UserId};
use lti_nrps::{
    Error, Member, MemberStatus, MembershipContainer, MembershipQuery, NrpsClaim,
    ResourceLinkRecord,
};
use url::Url;
use world::*;

const INSTRUCTOR_URI: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";

fn limit(n: u32) -> MembershipQuery {
    MembershipQuery::new().with_limit(NonZeroU32::new(n).unwrap())
}

/// Walks every page, returning the members and the number of pages.
async fn walk(
    w: &World,
    claim: &NrpsClaim,
    query: &MembershipQuery,
) -> (Vec<Member>, usize, Option<Url>) {
    let mut pages = w.client.members(claim, query).unwrap();
    let mut all = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        all.extend(page.container.members);
    }
    (all, pages.pages_read(), pages.differences().cloned())
}

#[tokio::test]
async fn c121_c122_c127_reads_2500_members_in_pages_of_100() {
    let w = World::new().await;
    w.seed(2500).await;
    let claim = w.claim(COURSE);

    let mut pages = w.client.members(&claim, &limit(100)).unwrap();
    let mut ids = HashSet::new();
    let mut count = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        count += 1;
        assert_eq!(page.members().len(), 100, "page {count}");
        assert_eq!(page.container.context.id, COURSE);
        assert_eq!(
            page.container.context.title.as_deref(),
            Some("CPS 435 Learning Analytics")
        );
        // c127: every page but the last links to the next one
        assert_eq!(page.next.is_some(), count < 25, "page {count}");
        for m in page.members() {
            assert!(ids.insert(m.user_id.clone()), "{} twice", m.user_id);
        }
    }
    assert_eq!(count, 25);
    assert_eq!(ids.len(), 2500);
    assert!(pages.is_done());
    assert!(pages.next_page().await.unwrap().is_none());

    // c121: every request carried the media type and a bearer token; one token served the whole walk
    let seen = w.seen();
    assert_eq!(seen.len(), 25);
    for s in &seen {
        assert_eq!(s.status, 200);
        assert_eq!(
            s.accept.as_deref(),
            Some("application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        );
        assert!(s.authorization.as_deref().unwrap().starts_with("Bearer "));
    }
    assert_eq!(w.platform.issuer.token_requests.load(Ordering::SeqCst), 1);
    // c122: the `next` links were followed as sent (the second request is the first page's `next` target)
    assert!(
        seen[1].path_and_query.contains("after="),
        "{}",
        seen[1].path_and_query
    );
    assert!(seen[1].path_and_query.contains("limit=100"));
}

#[tokio::test]
async fn c125_answer_shape_media_type_and_privacy() {
    let w = World::new().await;
    w.seed(3).await;
    let claim = w.claim(COURSE);
    let token = w
        .platform
        .issuer
        .issue(CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
    let response = w
        .get(claim.context_memberships_url.as_str(), Some(&token))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    );
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["id"], claim.context_memberships_url.as_str());
    assert_eq!(body["context"]["id"], COURSE);
    let first = &body["members"][0];
    assert_eq!(first["user_id"], "user-000000");
    assert_eq!(first["roles"][0], INSTRUCTOR_URI);
    assert_eq!(first["status"], "Active");
    assert_eq!(first["lti11_legacy_user_id"], "legacy-0");
    // this tool may see names, not emails
    assert_eq!(first["given_name"], "Given0");
    assert!(first.get("email").is_none(), "{first}");

    // another tool with neither flag sees neither
    let other = w
        .platform
        .service
        .membership_url(&ContextId::new(COURSE), &ClientId::new(OTHER_CLIENT_ID));
    let token = w
        .platform
        .issuer
        .issue(OTHER_CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
    let response = w.get(other.as_str(), Some(&token)).await;
    assert_eq!(response.status(), 200);
    let body: MembershipContainer = serde_json::from_slice(response.body()).unwrap();
    assert!(
        body.members
            .iter()
            .all(|m| m.name.is_none() && m.given_name.is_none() && m.email.is_none())
    );
}

#[tokio::test]
async fn c124_claim_has_url_and_version() {
    let w = World::new().await;
    let claim = w.claim(COURSE).to_service_claim().unwrap();
    let value = claim.as_value();
    assert_eq!(value["service_versions"], serde_json::json!(["2.0"]));
    let url = value["context_memberships_url"].as_str().unwrap();
    assert!(
        url.starts_with("https://lms.example/api/lti/nrps/"),
        "{url}"
    );
    // the tool reads it back from the launch and accepts it
    assert!(NrpsClaim::from_launch(&claim).is_ok());
}

#[tokio::test]
async fn c126_role_filter_with_full_uri_and_short_name() {
    let w = World::new().await;
    w.seed(2500).await;
    let claim = w.claim(COURSE);
    let (by_uri, pages, _) = walk(
        &w,
        &claim,
        &limit(20).with_role(Role::parse(INSTRUCTOR_URI)),
    )
    .await;
    assert_eq!(by_uri.len(), 50);
    assert_eq!(pages, 3);
    assert!(by_uri.iter().all(|m| m.roles.is_instructor()));
    let (by_short, _, _) = walk(&w, &claim, &limit(100).with_role(Role::parse("Instructor"))).await;
    assert_eq!(by_short, by_uri);
    // the short name travels as sent
    assert!(
        w.seen()
            .iter()
            .any(|s| s.path_and_query.contains("role=Instructor&"))
    );
    let (learners, _, _) = walk(&w, &claim, &limit(1000).with_role(ContextRole::Learner)).await;
    assert_eq!(learners.len(), 2450);
    let (mentors, pages, _) = walk(&w, &claim, &limit(100).with_role(ContextRole::Mentor)).await;
    assert!(mentors.is_empty());
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn c129_rlid_members_carry_a_resource_link_message() {
    let w = World::new().await;
    w.seed(250).await;
    let course = ContextId::new(COURSE);
    w.roster
        .put_resource_link(
            &course,
            &ResourceLinkRecord::new("rl-quiz-7", CLIENT_ID)
                .with_title("Quiz 7")
                .with_custom("uid", "$User.id")
                .with_custom("given", "$Person.name.given")
                .with_custom("mail", "$Person.email.primary")
                .with_custom("country", "Canada"),
        )
        .await
        .unwrap();
    let claim = w.claim(COURSE);
    let (members, pages, _) = walk(&w, &claim, &limit(100).with_rlid("rl-quiz-7")).await;
    assert_eq!((members.len(), pages), (250, 3));
    assert!(
        w.seen()
            .iter()
            .all(|s| s.path_and_query.contains("rlid=rl-quiz-7"))
    );
    for m in &members {
        let message = &m.message.as_ref().unwrap()[0];
        assert_eq!(
            message["https://purl.imsglobal.org/spec/lti/claim/message_type"],
            "LtiResourceLinkRequest"
        );
        let custom = &message["https://purl.imsglobal.org/spec/lti/claim/custom"];
        assert_eq!(custom["uid"], m.user_id.as_str());
        assert_eq!(custom["given"], m.given_name.as_deref().unwrap());
        // the tool may not see emails: the variable stays unresolved
        assert_eq!(custom["mail"], "$Person.email.primary");
        assert_eq!(custom["country"], "Canada");
    }
    // without rlid there is no message section
    let (plain, _, _) = walk(&w, &claim, &limit(100)).await;
    assert!(plain.iter().all(|m| m.message.is_none()));
}

#[tokio::test]
async fn c129_rlid_of_another_tool_or_outside_the_context_is_refused() {
    let w = World::new().await;
    w.seed(5).await;
    let course = ContextId::new(COURSE);
    w.roster
        .put_resource_link(
            &course,
            &ResourceLinkRecord::new("rl-theirs", OTHER_CLIENT_ID),
        )
        .await
        .unwrap();
    w.roster
        .put_resource_link(
            &ContextId::new(OTHER_COURSE),
            &ResourceLinkRecord::new("rl-elsewhere", CLIENT_ID),
        )
        .await
        .unwrap();
    let claim = w.claim(COURSE);
    for (rlid, status) in [
        ("rl-theirs", 403),
        ("rl-elsewhere", 404),
        ("rl-unknown", 404),
    ] {
        let mut pages = w
            .client
            .members(&claim, &MembershipQuery::new().with_rlid(rlid))
            .unwrap();
        match pages.next_page().await {
            Err(Error::Status {
                status: s, body, ..
            }) => {
                assert_eq!(s, status, "{rlid}: {body}");
                assert!(body.contains(rlid), "{body}");
            }
            other => panic!("{rlid}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn c128_differences_return_exactly_two_leavers_and_one_joiner() {
    let w = World::new().await;
    w.seed(2500).await;
    w.clock.advance(Duration::from_secs(60));
    let claim = w.claim(COURSE);
    let (members, _, differences) = walk(&w, &claim, &limit(100)).await;
    assert_eq!(members.len(), 2500);
    let differences = differences.expect("the platform sends rel=\"differences\"");
    // every page of one walk gives the same differences URL
    let links: HashSet<String> = w.seen().iter().map(|s| s.path_and_query.clone()).collect();
    assert_eq!(links.len(), 25);

    // nothing changed yet
    let mut nothing = w.client.differences(&claim, &differences).unwrap();
    assert!(nothing.collect_members(10).await.unwrap().is_empty());

    w.clock.advance(Duration::from_secs(3600));
    let course = ContextId::new(COURSE);
    assert!(
        w.roster
            .remove_member(&course, &UserId::new(user(17)))
            .await
            .unwrap()
    );
    assert!(
        w.roster
            .remove_member(&course, &UserId::new(user(1200)))
            .await
            .unwrap()
    );
    w.roster
        .put_member(
            &course,
            &Member::new("user-new", [Role::context(ContextRole::Learner)])
                .with_email("new@school.example"),
        )
        .await
        .unwrap();
    w.clock.advance(Duration::from_secs(1));

    let mut changes = w.client.differences(&claim, &differences).unwrap();
    let mut changed = changes.collect_members(100).await.unwrap();
    changed.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    let summary: Vec<(&str, &MemberStatus)> = changed
        .iter()
        .map(|m| (m.user_id.as_str(), &m.status))
        .collect();
    assert_eq!(
        summary,
        [
            (user(17).as_str(), &MemberStatus::Deleted),
            (user(1200).as_str(), &MemberStatus::Deleted),
            ("user-new", &MemberStatus::Active),
        ]
    );
    // the privacy rules hold in differences too
    assert!(changed.iter().all(|m| m.email.is_none()));
    // and the differences answer hands out a newer differences URL, which shows nothing new yet
    let newer = changes.differences().unwrap().clone();
    assert_ne!(newer, differences);
    let mut after = w.client.differences(&claim, &newer).unwrap();
    assert!(after.collect_members(10).await.unwrap().is_empty());

    // c128: a normal answer never lists Deleted members
    let (now, _, _) = walk(&w, &claim, &limit(1000)).await;
    assert_eq!(now.len(), 2499);
    assert!(now.iter().all(|m| m.status != MemberStatus::Deleted));
}

#[tokio::test]
async fn c128_differences_show_inactive_and_one_entry_per_member() {
    let w = World::new().await;
    w.seed(10).await;
    w.clock.advance(Duration::from_secs(1));
    let claim = w.claim(COURSE);
    let (_, _, differences) = walk(&w, &claim, &limit(5)).await;
    let differences = differences.unwrap();
    let course = ContextId::new(COURSE);
    w.clock.advance(Duration::from_secs(1));
    w.roster
        .put_member(&course, &member(3).with_status(MemberStatus::Inactive))
        .await
        .unwrap();
    w.clock.advance(Duration::from_secs(1));
    w.roster.put_member(&course, &member(3)).await.unwrap();
    w.clock.advance(Duration::from_secs(1));
    w.roster
        .put_member(&course, &member(4).with_status(MemberStatus::Inactive))
        .await
        .unwrap();
    let changed = w
        .client
        .differences(&claim, &differences)
        .unwrap()
        .collect_members(10)
        .await
        .unwrap();
    let summary: Vec<(String, MemberStatus)> = changed
        .into_iter()
        .map(|m| (m.user_id.into_string(), m.status))
        .collect();
    assert_eq!(
        summary,
        [
            (user(3), MemberStatus::Active),
            (user(4), MemberStatus::Inactive)
        ]
    );
}

// ----- rejections -----

#[tokio::test]
async fn c82_no_token_is_401_with_a_bearer_challenge() {
    let w = World::new().await;
    w.seed(3).await;
    let url = w.claim(COURSE).context_memberships_url;
    let response = w.get(url.as_str(), None).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
    let response = w.get(url.as_str(), Some("not-a-token-we-issued")).await;
    assert_eq!(response.status(), 401);
    assert!(
        response.body().len() < 1000
            && !String::from_utf8_lossy(response.body()).contains("user-0")
    );
}

#[tokio::test]
async fn c82_wrong_scope_is_403() {
    let w = World::new().await;
    w.seed(3).await;
    let url = w.claim(COURSE).context_memberships_url;
    let token = w
        .platform
        .issuer
        .issue(CLIENT_ID, Some(DEPLOYMENT), &[AGS_SCORE_SCOPE]);
    let response = w.get(url.as_str(), Some(&token)).await;
    assert_eq!(response.status(), 403);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(
        challenge.contains("insufficient_scope") && challenge.contains(NRPS_SCOPE),
        "{challenge}"
    );
}

#[tokio::test]
async fn another_context_the_tool_is_not_deployed_in_is_403() {
    let w = World::new().await;
    w.seed(3).await;
    // a correctly signed URL for a context where the tool has no adoption
    let url = w
        .platform
        .service
        .membership_url(&ContextId::new(OTHER_COURSE), &ClientId::new(CLIENT_ID));
    let token = w
        .platform
        .issuer
        .issue(CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
    let response = w.get(url.as_str(), Some(&token)).await;
    assert_eq!(response.status(), 403);
    let body = String::from_utf8_lossy(response.body());
    assert!(body.contains("not deployed"), "{body}");
    // and through the client, the typed error carries the status
    let claim = NrpsClaim::new(url);
    let err = w
        .client
        .members(&claim, &MembershipQuery::new())
        .unwrap()
        .next_page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Status { status: 403, .. }), "{err}");
}

#[tokio::test]
async fn tampered_or_borrowed_scoped_url_is_403() {
    let w = World::new().await;
    w.seed(3).await;
    let token = w
        .platform
        .issuer
        .issue(CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
    let good = w.claim(COURSE).context_memberships_url;
    assert_eq!(w.get(good.as_str(), Some(&token)).await.status(), 200);

    let segment = good
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap()
        .to_owned();
    let (context, tag) = segment.rsplit_once('-').unwrap();
    let flip = |s: &str| {
        let mut chars: Vec<char> = s.chars().collect();
        chars[0] = if chars[0] == 'a' { 'b' } else { 'a' };
        chars.into_iter().collect::<String>()
    };
    let other_context = w
        .platform
        .service
        .membership_url(&ContextId::new(OTHER_COURSE), &ClientId::new(CLIENT_ID));
    let other_context_b32 = other_context
        .path_segments()
        .unwrap()
        .next_back()
        .unwrap()
        .rsplit_once('-')
        .unwrap()
        .0
        .to_owned();
    let borrowed = w
        .platform
        .service
        .membership_url(&ContextId::new(COURSE), &ClientId::new(OTHER_CLIENT_ID));
    for tampered in [
        format!("{NRPS_BASE}/{}-{tag}", flip(context)),
        format!("{NRPS_BASE}/{context}-{}", flip(tag)),
        format!("{NRPS_BASE}/{other_context_b32}-{tag}"),
        format!("{NRPS_BASE}/{context}"),
        borrowed.to_string(),
    ] {
        let response = w.get(&tampered, Some(&token)).await;
        assert_eq!(response.status(), 403, "{tampered}");
        assert!(!String::from_utf8_lossy(response.body()).contains("user-0"));
    }
    // a path that is not a membership URL at all
    let response = w
        .get(&format!("{NRPS_BASE}/{segment}/extra"), Some(&token))
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn bad_limit_and_other_junk_parameters_are_400() {
    let w = World::new().await;
    w.seed(3).await;
    let token = w
        .platform
        .issuer
        .issue(CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
    let url = w.claim(COURSE).context_memberships_url;
    for query in [
        "limit=0",
        "limit=-5",
        "limit=ten",
        "limit=",
        "limit=1&limit=2",
        "role=",
        "after=%2F%2F",
        "since=abc",
        "after=A",
        "rlid=",
    ] {
        let response = w.get(&format!("{url}?{query}"), Some(&token)).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"], "invalid_request", "{query}");
    }
    // a huge limit is served, capped at the largest page
    let response = w
        .get(&format!("{url}?limit=4294967295"), Some(&token))
        .await;
    assert_eq!(response.status(), 200);
    // and POST is refused before anything is read
    let post = http::Request::post(url.as_str())
        .header("authorization", format!("Bearer {token}"))
        .body(bytes::Bytes::new())
        .unwrap();
    let response = lti_http::HttpClient::execute(&w.router, post)
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    // an Accept that excludes the media type is 406
    let request = http::Request::get(url.as_str())
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "text/html")
        .body(bytes::Bytes::new())
        .unwrap();
    let response = lti_http::HttpClient::execute(&w.router, request)
        .await
        .unwrap();
    assert_eq!(response.status(), 406);
}

#[tokio::test]
async fn c127_link_headers_keep_the_filters_and_the_last_page_has_no_next() {
    let w = World::new().await;
    w.seed(120).await;
    let token = w
        .platform
        .issuer
        .issue(CLIENT_ID, Some(DEPLOYMENT), &[NRPS_SCOPE]);
    let url = w.claim(COURSE).context_memberships_url;
    let first = w
        .get(&format!("{url}?limit=100&role=Learner"), Some(&token))
        .await;
    let links = lti_http::parse_link_headers(first.headers()).unwrap();
    let next = links.iter().find(|l| l.has_rel("next")).unwrap();
    assert!(next.target.starts_with(url.as_str()));
    assert!(
        next.target.contains("role=Learner") && next.target.contains("limit=100"),
        "{}",
        next.target
    );
    assert!(links.iter().any(|l| l.has_rel("differences")));
    let second = w.get(&next.target, Some(&token)).await;
    let body: MembershipContainer = serde_json::from_slice(second.body()).unwrap();
    assert_eq!(body.members.len(), 120 - 3 - 100);
    let links = lti_http::parse_link_headers(second.headers()).unwrap();
    assert!(!links.iter().any(|l| l.has_rel("next")));
    assert!(second.headers().get(LINK).is_some());
}

/// The issue's story in one session: 2,500 members in pages of 100, the role filter, `rlid`, then two members
/// leave and one joins, and the differences link returns exactly those three changes.
#[tokio::test]
async fn c121_to_c129_one_session_as_the_issue_describes() {
    let w = World::new().await;
    w.seed(2500).await;
    let course = ContextId::new(COURSE);
    w.roster
        .put_resource_link(
            &course,
            &ResourceLinkRecord::new("rl-1", CLIENT_ID).with_custom("u", "$User.id"),
        )
        .await
        .unwrap();
    w.clock.advance(Duration::from_secs(5));
    let claim = w.claim(COURSE);

    let (all, pages, differences) = walk(&w, &claim, &limit(100)).await;
    assert_eq!((all.len(), pages), (2500, 25));
    let (instructors, _, _) =
        walk(&w, &claim, &limit(100).with_role(ContextRole::Instructor)).await;
    assert_eq!(instructors.len(), 50);
    let (linked, _, _) = walk(&w, &claim, &limit(100).with_rlid("rl-1")).await;
    assert_eq!(linked.len(), 2500);
    assert!(linked.iter().all(
        |m| m.message.as_ref().unwrap()[0]["https://purl.imsglobal.org/spec/lti/claim/custom"]["u"]
            == m.user_id.as_str()
    ));

    w.clock.advance(Duration::from_secs(60));
    w.roster
        .remove_member(&course, &UserId::new(user(1)))
        .await
        .unwrap();
    w.roster
        .remove_member(&course, &UserId::new(user(2)))
        .await
        .unwrap();
    w.roster.put_member(&course, &member(2500)).await.unwrap();
    w.clock.advance(Duration::from_secs(1));

    let mut changes = w.client.differences(&claim, &differences.unwrap()).unwrap();
    let mut changed: Vec<(String, MemberStatus)> = changes
        .collect_members(10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.user_id.into_string(), m.status))
        .collect();
    changed.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        changed,
        [
            (user(1), MemberStatus::Deleted),
            (user(2), MemberStatus::Deleted),
            (user(2500), MemberStatus::Active),
        ]
    );
    // one token (one assertion verified by the platform) served the whole session
    assert_eq!(w.platform.issuer.token_requests.load(Ordering::SeqCst), 1);
}
