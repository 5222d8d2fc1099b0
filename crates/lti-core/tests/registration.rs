//! Registrations: keys, deployments, URL rules (every negative case), the JWKS domain warning and serde.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;

use lti_core::registration::{
    PlatformKey, PlatformRegistration, PlatformRegistrationBuilder, RegistrationError,
    RegistrationWarning, ToolKeys, ToolRegistration, ToolRegistrationBuilder,
};
use lti_core::{ClientId, DeploymentId, Issuer};
use lti_security::{Algorithm, AlgorithmSet};

const RSA_PUBLIC_PEM: &str = include_str!("../../lti-security/tests/data/rsa2048-public.pem");

fn platform(client_id: &str) -> PlatformRegistrationBuilder {
    PlatformRegistration::builder("https://lms.example.edu", client_id)
        .authorization_endpoint("https://lms.example.edu/auth")
        .token_endpoint("https://lms.example.edu/token")
        .jwks_url("https://lms.example.edu/jwks")
}

fn tool() -> ToolRegistrationBuilder {
    ToolRegistration::builder("tool-1")
        .redirect_uri("https://tool.example.com/launch")
        .initiate_login_uri("https://tool.example.com/login")
        .target_link_uri("https://tool.example.com/launch")
        .jwks_url("https://tool.example.com/jwks")
}

#[test]
fn c3_registration_keyed_by_issuer_and_client_id() {
    let a = platform("client-a").build().unwrap();
    let b = platform("client-b").build().unwrap();
    assert_eq!(a.issuer(), b.issuer());
    assert_ne!(a.key(), b.key());
    let mut store = HashMap::new();
    store.insert(a.key(), a.clone());
    store.insert(b.key(), b.clone());
    assert_eq!(store.len(), 2);
    let found = &store[&PlatformKey::new("https://lms.example.edu", "client-b")];
    assert_eq!(found.client_id(), &ClientId::from("client-b"));
    assert!(!store.contains_key(&PlatformKey::new("https://lms.example.edu/", "client-b")));
}

#[test]
fn c43_several_deployments_share_one_client_id() {
    let mut reg = platform("client-a")
        .deployment("d1")
        .deployment("d2")
        .build()
        .unwrap();
    assert!(reg.accepts_deployment(&DeploymentId::from("d1")));
    assert!(reg.accepts_deployment(&DeploymentId::from("d2")));
    assert!(!reg.accepts_deployment(&DeploymentId::from("d3")));
    assert!(!reg.accepts_deployment(&DeploymentId::from("D1")));
    assert!(reg.add_deployment(DeploymentId::from("d3")));
    assert!(!reg.add_deployment(DeploymentId::from("d3")));
    assert_eq!(reg.deployments().count(), 3);
    assert!(reg.remove_deployment(&DeploymentId::from("d1")));
    assert!(!reg.accepts_deployment(&DeploymentId::from("d1")));
}

#[test]
fn platform_defaults() {
    let reg = platform("c").build().unwrap();
    assert_eq!(reg.algorithms(), AlgorithmSet::RS256_ONLY);
    assert_eq!(reg.token_audience(), "https://lms.example.edu/token");
    let reg = platform("c")
        .token_audience("https://api.brightspace.com/auth/token")
        .build()
        .unwrap();
    assert_eq!(
        reg.token_audience(),
        "https://api.brightspace.com/auth/token"
    );
}

#[test]
fn loopback_http_is_allowed_for_development() {
    for host in [
        "localhost:8080",
        "127.0.0.1:3000",
        "127.1.2.3",
        "[::1]:9000",
    ] {
        let base = format!("http://{host}");
        PlatformRegistration::builder(base.clone(), "c")
            .authorization_endpoint(format!("{base}/auth"))
            .token_endpoint(format!("{base}/token"))
            .jwks_url(format!("{base}/jwks"))
            .build()
            .unwrap_or_else(|e| panic!("{host}: {e}"));
        ToolRegistration::builder("t")
            .redirect_uri(format!("{base}/launch"))
            .initiate_login_uri(format!("{base}/login"))
            .target_link_uri(format!("{base}/launch"))
            .jwks_url(format!("{base}/jwks"))
            .build()
            .unwrap_or_else(|e| panic!("{host}: {e}"));
    }
}

fn assert_insecure(result: Result<impl std::fmt::Debug, RegistrationError>, field: &str) {
    match result {
        Err(RegistrationError::InsecureUrl { field: f, value }) => {
            assert_eq!(f, field);
            assert!(value.starts_with("http://"), "{value}");
        }
        other => panic!("{field}: expected InsecureUrl, got {other:?}"),
    }
}

#[test]
fn platform_http_urls_outside_loopback_are_rejected() {
    let http = "http://lms.example.edu/x";
    assert_insecure(
        PlatformRegistration::builder("http://lms.example.edu", "c")
            .authorization_endpoint("https://lms.example.edu/auth")
            .token_endpoint("https://lms.example.edu/token")
            .jwks_url("https://lms.example.edu/jwks")
            .build(),
        "issuer",
    );
    assert_insecure(
        platform("c").authorization_endpoint(http).build(),
        "authorization_endpoint",
    );
    assert_insecure(platform("c").token_endpoint(http).build(), "token_endpoint");
    assert_insecure(platform("c").jwks_url(http).build(), "jwks_url");
    assert_insecure(
        platform("c")
            .jwks_url("http://localhost.evil.com/jwks")
            .build(),
        "jwks_url",
    );
    assert_insecure(
        platform("c").jwks_url("http://10.0.0.1/jwks").build(),
        "jwks_url",
    );
}

#[test]
fn tool_http_urls_outside_loopback_are_rejected() {
    let http = "http://tool.example.com/x";
    assert_insecure(tool().redirect_uri(http).build(), "redirect_uris");
    assert_insecure(
        tool().initiate_login_uri(http).build(),
        "initiate_login_uri",
    );
    assert_insecure(tool().target_link_uri(http).build(), "target_link_uri");
    assert_insecure(tool().jwks_url(http).build(), "keys");
}

#[test]
fn other_schemes_and_hostless_urls_are_rejected() {
    for bad in [
        "ftp://lms.example.edu/x",
        "javascript:alert(1)",
        "data:text/plain,x",
        "file:///etc/passwd",
    ] {
        let err = platform("c").jwks_url(bad).build().unwrap_err();
        assert!(
            matches!(
                err,
                RegistrationError::UnsupportedUrl {
                    field: "jwks_url",
                    ..
                }
            ),
            "{bad}: {err:?}"
        );
        let err = tool().initiate_login_uri(bad).build().unwrap_err();
        assert!(
            matches!(
                err,
                RegistrationError::UnsupportedUrl {
                    field: "initiate_login_uri",
                    ..
                }
            ),
            "{bad}"
        );
    }
}

#[test]
fn relative_and_garbage_urls_are_rejected() {
    for bad in [
        "/launch",
        "tool.example.com/launch",
        "",
        "https://",
        "https://exa mple.com/",
    ] {
        let err = tool().redirect_uri(bad).build().unwrap_err();
        assert!(
            matches!(
                err,
                RegistrationError::InvalidUrl {
                    field: "redirect_uris",
                    ..
                }
            ),
            "{bad}: {err:?}"
        );
        let err = platform("c").token_endpoint(bad).build().unwrap_err();
        assert!(
            matches!(
                err,
                RegistrationError::InvalidUrl {
                    field: "token_endpoint",
                    ..
                }
            ),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn issuer_rules() {
    for bad in [
        "https://lms.example.edu?x=1",
        "https://lms.example.edu/#f",
        "https://lms.example.edu?",
        "https://lms.example.edu#",
    ] {
        let err = PlatformRegistration::builder(bad, "c")
            .authorization_endpoint("https://lms.example.edu/auth")
            .token_endpoint("https://lms.example.edu/token")
            .jwks_url("https://lms.example.edu/jwks")
            .build()
            .unwrap_err();
        assert!(
            matches!(err, RegistrationError::IssuerQueryOrFragment { .. }),
            "{bad}: {err:?}"
        );
        assert_eq!(err.code(), "registration.issuer_query_or_fragment");
    }
    let err = PlatformRegistration::builder("", "c").build().unwrap_err();
    assert_eq!(err, RegistrationError::EmptyField { field: "issuer" });
    let err = PlatformRegistration::builder("lms.example.edu", "c")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            RegistrationError::InvalidUrl {
                field: "issuer",
                ..
            }
        ),
        "{err:?}"
    );
    // A path is fine, and the issuer is kept byte for byte.
    let reg = PlatformRegistration::builder("https://lms.example.edu/tenant/1", "c")
        .authorization_endpoint("https://lms.example.edu/auth")
        .token_endpoint("https://lms.example.edu/token")
        .jwks_url("https://lms.example.edu/jwks")
        .build()
        .unwrap();
    assert_eq!(
        reg.issuer(),
        &Issuer::from("https://lms.example.edu/tenant/1")
    );
}

#[test]
fn required_and_empty_fields() {
    let bare = PlatformRegistration::builder("https://lms.example.edu", "c");
    assert_eq!(
        bare.clone().build().unwrap_err(),
        RegistrationError::MissingField {
            field: "authorization_endpoint"
        }
    );
    let err = platform("").build().unwrap_err();
    assert_eq!(err, RegistrationError::EmptyField { field: "client_id" });
    let err = platform("c")
        .algorithms(AlgorithmSet::EMPTY)
        .build()
        .unwrap_err();
    assert_eq!(err, RegistrationError::NoAlgorithm);
    let err = platform("c").deployment("").build().unwrap_err();
    assert_eq!(
        err,
        RegistrationError::EmptyField {
            field: "deployments"
        }
    );

    let err = ToolRegistration::builder("t")
        .initiate_login_uri("https://tool.example.com/login")
        .target_link_uri("https://tool.example.com/launch")
        .jwks_url("https://tool.example.com/jwks")
        .build()
        .unwrap_err();
    assert_eq!(err, RegistrationError::NoRedirectUri);
    let err = ToolRegistration::builder("t")
        .redirect_uri("https://tool.example.com/launch")
        .initiate_login_uri("https://tool.example.com/login")
        .target_link_uri("https://tool.example.com/launch")
        .build()
        .unwrap_err();
    assert_eq!(err, RegistrationError::MissingField { field: "keys" });
    let err = tool().scope("a b").build().unwrap_err();
    assert_eq!(err, RegistrationError::EmptyField { field: "scopes" });
}

#[test]
fn redirect_uri_with_fragment_is_rejected() {
    let err = tool()
        .redirect_uri("https://tool.example.com/launch#x")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, RegistrationError::RedirectUriFragment { .. }),
        "{err:?}"
    );
}

#[test]
fn redirect_uris_match_exactly() {
    let reg = tool()
        .redirect_uri("https://tool.example.com")
        .build()
        .unwrap();
    assert!(reg.accepts_redirect_uri("https://tool.example.com/launch"));
    assert!(reg.accepts_redirect_uri("https://tool.example.com"));
    for other in [
        "https://tool.example.com/",
        "https://tool.example.com/launch/",
        "https://tool.example.com/launch?x=1",
        "https://TOOL.example.com/launch",
        "https://tool.example.com/launch2",
        "https://evil.com/launch",
    ] {
        assert!(!reg.accepts_redirect_uri(other), "{other}");
    }
}

#[test]
fn jwks_outside_issuer_domain_warns_but_builds() {
    let (reg, warnings) = platform("c")
        .jwks_url("https://keys.example.org/jwks")
        .build_with_warnings()
        .unwrap();
    assert_eq!(
        warnings,
        [RegistrationWarning::JwksOutsideIssuerDomain {
            issuer_host: "lms.example.edu".into(),
            jwks_host: "keys.example.org".into(),
        }]
    );
    assert!(warnings[0].to_string().contains("§3.2.3.1"));
    assert_eq!(reg.validate().unwrap(), warnings);
    let (_, warnings) = platform("c")
        .jwks_url("https://sso.example.edu/jwks")
        .build_with_warnings()
        .unwrap();
    assert!(warnings.is_empty());
}

#[test]
fn static_tool_keys_are_checked() {
    let reg = tool().static_key(RSA_PUBLIC_PEM).build().unwrap();
    assert!(matches!(reg.keys(), ToolKeys::Static(_)));
    assert!(reg.keys().static_key().unwrap().is_some());
    let err = tool()
        .static_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, RegistrationError::InvalidStaticKey { .. }),
        "{err:?}"
    );
    let err = tool()
        .static_key(r#"{"kty":"oct","k":"c2VjcmV0"}"#)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, RegistrationError::InvalidStaticKey { .. }),
        "{err:?}"
    );
    assert!(
        tool()
            .build()
            .unwrap()
            .keys()
            .static_key()
            .unwrap()
            .is_none()
    );
}

#[test]
fn error_messages_name_field_and_clip_value() {
    let long = format!("http://lms.example.edu/{}", "a".repeat(500));
    let err = platform("c").jwks_url(long).build().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`jwks_url`"), "{text}");
    assert!(text.contains("expected an https URL"), "{text}");
    assert!(text.len() < 300, "{text}");
    assert_eq!(err.code(), "registration.insecure_url");
}

#[test]
fn platform_registration_serde_round_trip() {
    let algs = AlgorithmSet::RS256_ONLY.with(Algorithm::Es256);
    let reg = platform("c")
        .algorithms(algs)
        .deployment("d1")
        .deployment("d2")
        .build()
        .unwrap();
    let json = serde_json::to_value(&reg).unwrap();
    assert_eq!(json["issuer"], "https://lms.example.edu");
    assert_eq!(json["algorithms"], serde_json::json!(["ES256", "RS256"]));
    assert_eq!(json["deployments"], serde_json::json!(["d1", "d2"]));
    let back: PlatformRegistration = serde_json::from_value(json).unwrap();
    assert_eq!(back, reg);

    let minimal = serde_json::json!({
        "issuer": "https://lms.example.edu", "client_id": "c",
        "authorization_endpoint": "https://lms.example.edu/auth",
        "token_endpoint": "https://lms.example.edu/token",
        "jwks_url": "https://lms.example.edu/jwks"
    });
    let back: PlatformRegistration = serde_json::from_value(minimal).unwrap();
    assert_eq!(back.algorithms(), AlgorithmSet::RS256_ONLY);
    let bad_alg = serde_json::json!({
        "issuer": "https://lms.example.edu", "client_id": "c",
        "authorization_endpoint": "https://lms.example.edu/auth",
        "token_endpoint": "https://lms.example.edu/token",
        "jwks_url": "https://lms.example.edu/jwks", "algorithms": ["HS256"]
    });
    assert!(serde_json::from_value::<PlatformRegistration>(bad_alg).is_err());
}

#[test]
fn stored_registration_can_be_revalidated() {
    let json = serde_json::json!({
        "issuer": "https://lms.example.edu", "client_id": "c",
        "authorization_endpoint": "http://lms.example.edu/auth",
        "token_endpoint": "https://lms.example.edu/token",
        "jwks_url": "https://lms.example.edu/jwks"
    });
    let reg: PlatformRegistration = serde_json::from_value(json).unwrap();
    assert!(matches!(
        reg.validate(),
        Err(RegistrationError::InsecureUrl {
            field: "authorization_endpoint",
            ..
        })
    ));
}

#[test]
fn tool_registration_serde_round_trip() {
    let reg = tool()
        .name("Quiz tool")
        .redirect_uri("https://tool.example.com/deep")
        .deployment("d1")
        .scope("https://purl.imsglobal.org/spec/lti-ags/scope/score")
        .include_name(true)
        .custom("course", "$Context.id")
        .build()
        .unwrap();
    assert!(reg.include_name() && !reg.include_email());
    assert!(reg.allows_scope("https://purl.imsglobal.org/spec/lti-ags/scope/score"));
    assert!(!reg.allows_scope("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"));
    assert!(reg.accepts_deployment(&DeploymentId::from("d1")));
    assert_eq!(reg.redirect_uris().len(), 2);
    let json = serde_json::to_value(&reg).unwrap();
    assert_eq!(
        json["keys"],
        serde_json::json!({"jwks_url": "https://tool.example.com/jwks"})
    );
    let back: ToolRegistration = serde_json::from_value(json).unwrap();
    assert_eq!(back, reg);

    let static_reg = tool().static_key(RSA_PUBLIC_PEM).build().unwrap();
    let back: ToolRegistration =
        serde_json::from_str(&serde_json::to_string(&static_reg).unwrap()).unwrap();
    assert_eq!(back, static_reg);
    assert!(back.validate().unwrap().is_empty());
}
