//! The `reference-tool` binary: help, the registration JSON, and `platforms add` persisting a platform that the
//! server then finds in its data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;
use std::sync::Arc;

use lti_core::registration::dynamic::ClientRegistration;
use lti_examples::tool::{ToolServer, ToolServerConfig};
use lti_http::ReqwestClient;
use lti_storage::SystemClock;

fn tool() -> Command {
    Command::new(env!("CARGO_BIN_EXE_reference-tool"))
}

#[test]
fn help_lists_every_command() {
    let out = tool().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "serve",
        "--listen",
        "--data",
        "--base-url",
        "--auto-services",
        "--auto-deep-link",
        "platforms add",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

#[test]
fn bad_arguments_fail_with_a_message() {
    for args in [
        &["serve", "--bogus"][..],
        &["serve", "--base-url"][..],
        &["registration", "--base-url", "http://tool.example"][..],
        &["frobnicate"][..],
    ] {
        let out = tool().args(args).env("RUST_LOG", "off").output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn c135_registration_prints_the_dynamic_registration_json() {
    let out = tool()
        .args(["registration", "--base-url", "https://tool.example/lti-rs"])
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(out.status.success());
    let registration: ClientRegistration = serde_json::from_slice(&out.stdout).unwrap();
    registration.check().unwrap();
    assert_eq!(
        registration.redirect_uris,
        ["https://tool.example/lti-rs/lti/launch"]
    );
}

#[tokio::test]
async fn platforms_add_persists_for_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("platform.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "issuer": "https://lms.example",
            "authorization_endpoint": "https://lms.example/auth",
            "token_endpoint": "https://lms.example/token",
            "jwks_uri": "https://lms.example/jwks",
            "authorization_server": "https://lms.example/oauth2",
            "client_id": "c1",
            "deployment_id": "d1"
        })
        .to_string(),
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = tool()
        .args(["platforms", "add"])
        .arg(&file)
        .arg("--data")
        .arg(&data)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let config = ToolServerConfig::new("http://localhost:8100", &data).unwrap();
    let server = ToolServer::open_with(
        config,
        Arc::new(SystemClock),
        Arc::new(ReqwestClient::new().unwrap()),
    )
    .await
    .unwrap();
    let platforms = server.platforms().await.unwrap();
    assert_eq!(platforms.len(), 1);
    assert_eq!(
        platforms[0].authorization_server.as_deref(),
        Some("https://lms.example/oauth2")
    );

    // A file that is not a platform fails, naming the member.
    std::fs::write(&file, br#"{"issuer": 1}"#).unwrap();
    drop(server);
    let out = tool()
        .args(["platforms", "add"])
        .arg(&file)
        .arg("--data")
        .arg(&data)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("issuer"));
}
