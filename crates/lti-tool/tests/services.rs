//! Service clients from a validated launch: the AGS and NRPS claims become ready clients sharing the tool's one
//! token source (checklist K97, M121), and what is missing is named.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/platform.rs"]
mod platform;

use std::sync::Arc;

use lti_security::{KeyProtection, KeyRing, KeyRingConfig};
use lti_storage::MemoryStore;
use lti_tool::{ServiceSetupError, ToolConfig};
use platform::{Platform, TOOL};
use serde_json::json;

const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";

async fn platform_with_keys() -> Platform {
    let keys = KeyRing::open(
        Arc::new(MemoryStore::new()),
        "tool",
        KeyProtection::insecure_plaintext_for_development(),
        Arc::new(lti_storage::SystemClock),
        KeyRingConfig::new(),
    )
    .await
    .unwrap();
    Platform::with_keys(
        ToolConfig::new(format!("{TOOL}/launch").parse().unwrap()),
        None,
        Some(Arc::new(keys)),
    )
}

fn with_services(c: &mut serde_json::Value) {
    c[AGS] = json!({
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                  "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        "lineitems": "https://platform.example/ags/c1/lineitems",
    });
    c[NRPS] = json!({
        "context_memberships_url": "https://platform.example/nrps/c1",
        "service_versions": ["2.0"],
    });
}

#[tokio::test]
async fn k97_m121_launch_claims_become_clients() {
    let p = platform_with_keys().await;
    assert!(p.tool.token_source().is_some());
    let launch = p.launch_with(with_services).await.unwrap();
    let ags = p.tool.ags_client(&launch).unwrap().expect("AGS offered");
    assert_eq!(
        ags.claim().lineitems.as_deref(),
        Some("https://platform.example/ags/c1/lineitems")
    );
    assert!(
        ags.claim()
            .offers("https://purl.imsglobal.org/spec/lti-ags/scope/score")
    );
    let (_client, claim) = p.tool.nrps_client(&launch).unwrap().expect("NRPS offered");
    assert_eq!(
        claim.context_memberships_url.as_str(),
        "https://platform.example/nrps/c1"
    );
}

#[tokio::test]
async fn no_claims_no_clients() {
    let p = platform_with_keys().await;
    let launch = p.launch_with(|_| {}).await.unwrap();
    assert!(p.tool.ags_client(&launch).unwrap().is_none());
    assert!(p.tool.nrps_client(&launch).unwrap().is_none());
}

#[tokio::test]
async fn without_a_key_ring_the_missing_token_source_is_named() {
    let p = Platform::new();
    assert!(p.tool.token_source().is_none());
    let launch = p.launch_with(with_services).await.unwrap();
    let err = p.tool.ags_client(&launch).unwrap_err();
    assert!(matches!(err, ServiceSetupError::NoTokenSource), "{err}");
    assert!(err.to_string().contains("key ring"), "{err}");
}

#[tokio::test]
async fn malformed_service_claims_are_named() {
    let p = platform_with_keys().await;
    let launch = p
        .launch_with(|c| {
            c[AGS] = json!({"scope": "not-an-array", "lineitems": 42});
            c[NRPS] = json!({"context_memberships_url": "http://platform.example/plain-http"});
        })
        .await
        .unwrap();
    assert!(matches!(
        p.tool.ags_client(&launch).unwrap_err(),
        ServiceSetupError::AgsClaim(_)
    ));
    assert!(matches!(
        p.tool.nrps_client(&launch).unwrap_err(),
        ServiceSetupError::NrpsClaim(_)
    ));
}
