//! Typed claims on their own: lenient parsing where real platforms differ, strict where the spec is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use lti_core::claims::{AgsEndpoint, Context, Custom, DocumentTarget, LaunchPresentation, Lti1p1};
use lti_core::{ClientId, DeploymentId, Issuer, Nonce};
use serde_json::json;

#[test]
fn custom_numbers_and_bools_are_stringified() {
    let c: Custom = serde_json::from_value(json!({"n": 7, "f": 2.5, "b": true, "s": "x"})).unwrap();
    assert_eq!(c.get("n"), Some("7"));
    assert_eq!(c.get("f"), Some("2.5"));
    assert_eq!(c.get("b"), Some("true"));
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"b": "true", "f": "2.5", "n": "7", "s": "x"})
    );
}

#[test]
fn custom_null_and_structures_are_rejected() {
    let err = serde_json::from_value::<Custom>(json!({"k": null})).unwrap_err();
    assert!(err.to_string().contains("`k` is null"), "{err}");
    assert!(serde_json::from_value::<Custom>(json!({"k": [1]})).is_err());
    assert!(serde_json::from_value::<Custom>(json!({"k": {}})).is_err());
    assert!(Custom::is_unresolved_variable("$User.id"));
}

#[test]
fn launch_presentation_sizes_are_lenient() {
    let lp: LaunchPresentation = serde_json::from_value(
        json!({"height": "320", "width": "100%", "document_target": "popup"}),
    )
    .unwrap();
    assert_eq!(lp.height, Some(320.0));
    assert_eq!(lp.width, None);
    assert_eq!(
        lp.document_target,
        Some(DocumentTarget::Other("popup".into()))
    );
    assert_eq!(
        serde_json::to_value(&lp).unwrap(),
        json!({"height": 320, "document_target": "popup"})
    );
    for (wire, target) in [
        ("frame", DocumentTarget::Frame),
        ("iframe", DocumentTarget::Iframe),
        ("window", DocumentTarget::Window),
    ] {
        assert_eq!(DocumentTarget::from(wire), target);
        assert_eq!(target.as_str(), wire);
    }
}

#[test]
fn context_type_accepts_a_lone_string() {
    let c: Context = serde_json::from_value(json!({"id": "c1", "type": "CourseSection"})).unwrap();
    assert_eq!(c.context_type, ["CourseSection"]);
    let c: Context = serde_json::from_value(json!({"id": "c1"})).unwrap();
    assert!(c.context_type.is_empty());
    assert_eq!(serde_json::to_value(&c).unwrap(), json!({"id": "c1"}));
}

#[test]
fn s_lti1p1_sign_base_string_matches_the_migration_vector() {
    let claim: Lti1p1 = serde_json::from_value(json!({
        "oauth_consumer_key": "179248902",
        "oauth_consumer_key_sign": "lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps=",
        "user_id": "u-11"
    }))
    .unwrap();
    let base = claim
        .sign_base_string(
            &DeploymentId::new("689302"),
            &Issuer::new("https://lmsvendor.com"),
            &ClientId::new("PM48OJSfGDTAzAo"),
            1_551_290_856,
            &Nonce::new("172we8671fd8z"),
        )
        .unwrap();
    assert_eq!(
        base,
        "179248902&689302&https://lmsvendor.com&PM48OJSfGDTAzAo&1551290856&172we8671fd8z"
    );
    assert!(
        Lti1p1::new()
            .sign_base_string(
                &DeploymentId::new("d"),
                &Issuer::new("i"),
                &ClientId::new("c"),
                1,
                &Nonce::new("n")
            )
            .is_none()
    );
    // the whole check, with the migration guide's secret (core.md §3.5)
    let args = (
        DeploymentId::new("689302"),
        Issuer::new("https://lmsvendor.com"),
        ClientId::new("PM48OJSfGDTAzAo"),
        Nonce::new("172we8671fd8z"),
    );
    assert!(claim.verify_signature(
        b"my-lti11-secret",
        &args.0,
        &args.1,
        &args.2,
        1_551_290_856,
        &args.3
    ));
    assert!(!claim.verify_signature(
        b"wrong-secret",
        &args.0,
        &args.1,
        &args.2,
        1_551_290_856,
        &args.3
    ));
    assert!(!claim.verify_signature(
        b"my-lti11-secret",
        &args.0,
        &args.1,
        &args.2,
        1_551_290_857,
        &args.3
    ));
}

#[test]
fn service_claims_are_opaque_until_parsed() {
    #[derive(serde::Deserialize)]
    struct Endpoint {
        scope: Vec<String>,
    }
    let ags: AgsEndpoint =
        serde_json::from_value(json!({"scope": ["s1"], "lineitems": "https://p/li"})).unwrap();
    assert_eq!(ags.as_value()["lineitems"], "https://p/li");
    assert_eq!(ags.parse::<Endpoint>().unwrap().scope, ["s1"]);
    let bad = AgsEndpoint::new(json!({"scope": "s1"}));
    let err = bad.parse::<Endpoint>().map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("lti-ags/claim/endpoint"), "{err}");
}
