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

#[path = "support/services.rs"]
mod services;

use lti_ags::{ActivityProgress, AgsClient, GradingProgress, LineItem, ResultQuery, Score};
use lti_core::{ClientId, ContextId, UserId};
use lti_nrps::{MembershipQuery, NrpsClient};
use services::{CLIENT_ID, COURSE, LINEITEM, OTHER_COURSE, RESULT, SCORE, world};

trait AgsClientOf {
    fn ags_client(&self, course: &str) -> AgsClient;
}

impl AgsClientOf for services::World {
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
