//! Platform side at the crate level: single-use `data`, the verifier's steps, and resource link creation over a
//! `Store` (checklist J91–J95). The facade-level flow is in `crates/lti-platform/tests/deep_linking_e2e.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lti_core::{ClientId, ContextId, DeploymentId, Issuer, ToolRegistration, UserId};
use lti_deep_linking::items::{Html, LineItem, Link, LtiResourceLink};
use lti_deep_linking::{
    DeepLinkingRequest, DeepLinkingResponse, DeepLinkingSettings, Error, PendingRequest,
    PendingRequests, ResourceLinkStore, ResponseVerifier, StoreResourceLinks,
    create_resource_links,
};
use lti_security::{Algorithm, KeySet, ManualClock, SigningKey};
use lti_storage::{Clock, MemoryStore, Store};

const ISSUER: &str = "https://lms.example";
const CLIENT_ID: &str = "tool-1";
const DEPLOYMENT: &str = "dep-1";
const NOW: u64 = 1_800_000_000;

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::generate(Algorithm::Rs256)
            .unwrap()
            .with_kid("k1")
    })
}

fn registration() -> ToolRegistration {
    ToolRegistration::builder(CLIENT_ID)
        .redirect_uri("https://tool.example/launch")
        .initiate_login_uri("https://tool.example/login")
        .target_link_uri("https://tool.example/home")
        .jwks_url("https://tool.example/jwks")
        .deployment(DEPLOYMENT)
        .build()
        .unwrap()
}

struct World {
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
    verifier: ResponseVerifier,
}

fn world() -> World {
    let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::with_clock(clock.clone()));
    let verifier = ResponseVerifier::new(
        Issuer::new(ISSUER),
        store.clone(),
        clock.clone() as Arc<dyn Clock>,
    );
    World {
        clock,
        store,
        verifier,
    }
}

fn offered() -> DeepLinkingSettings {
    DeepLinkingSettings::new(
        "https://lms.example/dl/return",
        ["ltiResourceLink", "link", "html"],
        ["iframe", "window"],
    )
    .with_accept_multiple(true)
    .with_accept_lineitem(true)
}

/// The platform remembers `settings` and returns what it sends (with `data` set).
async fn send(w: &World, settings: DeepLinkingSettings) -> DeepLinkingSettings {
    let mut pending = PendingRequest::new(
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT),
        settings,
    );
    pending.user_id = Some(UserId::new("ins-1"));
    pending.context_id = Some(ContextId::new("course-1"));
    let data = w.verifier.pending().remember(&mut pending).await.unwrap();
    assert_eq!(pending.settings.data.as_deref(), Some(data.as_str()));
    pending.settings
}

/// The tool's answer to `sent`, signed now.
fn answer(
    w: &World,
    sent: &DeepLinkingSettings,
    items: Vec<lti_deep_linking::ContentItem>,
) -> String {
    let request = DeepLinkingRequest::new(
        Issuer::new(ISSUER),
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT),
        sent.clone(),
    );
    DeepLinkingResponse::builder(&request)
        .items(items)
        .build()
        .unwrap()
        .sign(key(), w.clock.unix_seconds())
        .unwrap()
        .jwt()
        .to_owned()
}

fn keys() -> KeySet {
    KeySet::from_keys([key().verifying_key().clone()])
}

#[tokio::test]
async fn pending_data_is_random_single_use_and_expires() {
    let w = world();
    let a = send(&w, offered()).await;
    let b = send(&w, offered()).await;
    assert_ne!(a.data, b.data);
    assert!(a.data.as_ref().unwrap().len() >= 43, "256 bits");
    let pending = PendingRequests::new(w.store.clone());
    let taken = pending.take(a.data.as_deref().unwrap()).await.unwrap();
    assert_eq!(taken.user_id, Some(UserId::new("ins-1")));
    assert!(matches!(
        pending.take(a.data.as_deref().unwrap()).await,
        Err(Error::DataUnknown)
    ));
    w.clock.advance(Duration::from_secs(3601));
    assert!(matches!(
        pending.take(b.data.as_deref().unwrap()).await,
        Err(Error::DataUnknown)
    ));
    assert!(matches!(pending.take("").await, Err(Error::DataUnknown)));
}

#[tokio::test]
async fn c91_c93_verifier_accepts_the_answer_once_and_binds_it_to_the_request() {
    let w = world();
    let sent = send(&w, offered()).await;
    let jwt = answer(&w, &sent, vec![Link::new("https://tool.example/r").into()]);
    assert_eq!(
        w.verifier.unverified_client_id(&jwt).unwrap().as_str(),
        CLIENT_ID
    );
    let verified = w
        .verifier
        .verify(&jwt, &registration(), &keys())
        .await
        .unwrap();
    assert_eq!(verified.client_id().as_str(), CLIENT_ID);
    assert_eq!(verified.user_id().unwrap().as_str(), "ins-1");
    assert_eq!(verified.context_id().unwrap().as_str(), "course-1");
    assert_eq!(verified.items().len(), 1);
    assert!(matches!(
        w.verifier.verify(&jwt, &registration(), &keys()).await,
        Err(Error::NonceReplayed)
    ));
    // A fresh response with the used data finds nothing.
    let again = answer(&w, &sent, vec![]);
    assert!(matches!(
        w.verifier.verify(&again, &registration(), &keys()).await,
        Err(Error::DataUnknown)
    ));
    // A key that is not the tool's.
    let other = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid("k1");
    let sent = send(&w, offered()).await;
    let request = DeepLinkingRequest::new(
        Issuer::new(ISSUER),
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT),
        sent,
    );
    let forged = DeepLinkingResponse::builder(&request)
        .build()
        .unwrap()
        .sign(&other, NOW)
        .unwrap();
    assert!(matches!(
        w.verifier
            .verify(forged.jwt(), &registration(), &keys())
            .await,
        Err(Error::Token(_))
    ));
}

#[tokio::test]
async fn c95_resource_links_and_line_items_are_created() {
    let w = world();
    let sent = send(&w, offered()).await;
    let graded = LtiResourceLink::new()
        .with_url("https://tool.example/quiz")
        .with_title("Quiz")
        .with_custom("quiz", "7")
        .with_line_item({
            let mut li = LineItem::new(25.0);
            li.resource_id = Some("quiz-7".into());
            li.tag = Some("grade".into());
            li
        });
    let jwt = answer(
        &w,
        &sent,
        vec![
            graded.into(),
            Html::new("<p>x</p>").into(),
            LtiResourceLink::new().with_title("Plain").into(),
        ],
    );
    let verified = w
        .verifier
        .verify(&jwt, &registration(), &keys())
        .await
        .unwrap();
    let links = StoreResourceLinks::new(w.store.clone());
    let created = create_resource_links(&links, &verified).await.unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].index, 0);
    assert_eq!(created[1].index, 2);
    let line_item = created[0].line_item.clone().unwrap();
    assert_eq!(line_item.label, "Quiz", "label defaults to the item title");
    assert_eq!(line_item.score_maximum, 25.0);
    assert_eq!(line_item.resource_id.as_deref(), Some("quiz-7"));
    assert_eq!(line_item.tag.as_deref(), Some("grade"));
    assert_eq!(line_item.resource_link_id, created[0].resource_link.id);
    assert!(created[1].line_item.is_none());
    assert_ne!(created[0].resource_link.id, created[1].resource_link.id);

    let stored = links
        .resource_link(&created[0].resource_link.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, created[0].resource_link);
    assert_eq!(stored.custom.get("quiz"), Some("7"));
    assert_eq!(stored.context_id.as_ref().unwrap().as_str(), "course-1");
    assert_eq!(
        links
            .line_items(&created[0].resource_link.id)
            .await
            .unwrap(),
        vec![line_item]
    );
    assert!(
        links
            .line_items(&created[1].resource_link.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn line_item_ignored_unless_accept_lineitem_was_offered() {
    let w = world();
    let mut settings = offered();
    settings.accept_lineitem = None;
    let sent = send(&w, settings).await;
    let jwt = answer(
        &w,
        &sent,
        vec![
            LtiResourceLink::new()
                .with_line_item(LineItem::new(5.0))
                .into(),
        ],
    );
    let verified = w
        .verifier
        .verify(&jwt, &registration(), &keys())
        .await
        .unwrap();
    let links = StoreResourceLinks::new(w.store.clone());
    let created = create_resource_links(&links, &verified).await.unwrap();
    assert_eq!(created.len(), 1);
    assert!(created[0].line_item.is_none());
}

/// J91–J93 with the session's user: a response posted from another user's session (or from no session) is
/// refused before its nonce or the request's data is spent, so the rightful user's response still goes through.
#[tokio::test]
async fn verify_for_user_checks_the_session_user_before_spending_anything() {
    let w = world();
    let sent = send(&w, offered()).await;
    let jwt = answer(&w, &sent, vec![Link::new("https://tool.example/r").into()]);
    for wrong in [Some(UserId::new("learner-9")), None] {
        let err = w
            .verifier
            .verify_for_user(&jwt, &registration(), &keys(), wrong.as_ref())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UserMismatch), "{err}");
        assert_eq!(err.status(), 403);
    }
    let verified = w
        .verifier
        .verify_for_user(&jwt, &registration(), &keys(), Some(&UserId::new("ins-1")))
        .await
        .unwrap();
    assert_eq!(verified.items().len(), 1);
    // Spent now: the same response again finds its request gone.
    assert!(matches!(
        w.verifier
            .verify_for_user(&jwt, &registration(), &keys(), Some(&UserId::new("ins-1")))
            .await,
        Err(Error::DataUnknown)
    ));
}
