//! Launch validation, checklist sections B and C.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/platform.rs"]
mod platform;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lti_core::uri::claim;
use lti_security::{Algorithm, SigningKey, sign_jwt};
use lti_tool::{DeploymentPolicy, LaunchError, ToolConfig};
use platform::{CLIENT_ID, DEPLOYMENT, ISS, Platform, TARGET, TOOL};
use serde_json::{Value, json};

fn obj(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    v.as_object_mut().unwrap()
}

/// Asserts `result` failed with `code` and `status`.
#[track_caller]
fn refused(result: Result<lti_tool::Launch, LaunchError>, code: &str, status: u16) {
    match result {
        Ok(_) => panic!("accepted; expected {code}"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(e.status().as_u16(), status, "{e}");
        }
    }
}

/// Replaces the header of `token` (the signature no longer matches, which the checks before it never see).
fn with_header(token: &str, header: &Value) -> String {
    let mut parts = token.splitn(2, '.');
    let _ = parts.next();
    let rest = parts.next().unwrap();
    format!(
        "{}.{rest}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap())
    )
}

#[tokio::test]
async fn accepted_launch_exposes_typed_values() {
    let p = Platform::new();
    let launch = p.launch_with(|_| {}).await.unwrap();
    assert_eq!(launch.user().unwrap().as_str(), "user-1");
    assert_eq!(launch.deployment_id().as_str(), DEPLOYMENT);
    assert_eq!(launch.registration().client_id().as_str(), CLIENT_ID);
    assert_eq!(launch.target_link_uri().as_str(), TARGET);
    assert!(launch.roles().is_learner());
    assert_eq!(
        launch.context().unwrap().id.as_ref().unwrap().as_str(),
        "course-1"
    );
    assert_eq!(
        launch
            .resource_link()
            .unwrap()
            .id
            .as_ref()
            .unwrap()
            .as_str(),
        "rl-1"
    );
    assert_eq!(launch.message().email.as_deref(), Some("ada@example.edu"));
}

#[tokio::test]
async fn method_and_content_type_are_checked() {
    let p = Platform::new();
    let login = p.login().await;
    let token = p.sign(&p.claims(&login));
    let mut request = p.post(&token, &login.state, Some(&login.cookie));
    *request.method_mut() = http::Method::GET;
    refused(p.tool.launch(request).await, "lti.tool.launch.method", 405);
    let mut request = p.post(&token, &login.state, Some(&login.cookie));
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        "application/json".parse().unwrap(),
    );
    refused(
        p.tool.launch(request).await,
        "lti.tool.launch.content_type",
        415,
    );
    // Neither burned the state.
    p.tool
        .launch(p.post(&token, &login.state, Some(&login.cookie)))
        .await
        .unwrap();
}

#[tokio::test]
async fn b10_missing_or_mismatched_state() {
    let p = Platform::new();
    let login = p.login().await;
    let token = p.sign(&p.claims(&login));
    refused(
        p.tool.launch(p.post(&token, &login.state, None)).await,
        "lti.tool.state.cookie_missing",
        400,
    );
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some("other")))
            .await,
        "lti.tool.state.mismatch",
        400,
    );
    // The form without state.
    let body = format!("id_token={token}");
    let request = http::Request::post(format!("{TOOL}/launch"))
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::COOKIE, format!("lti_state={}", login.cookie))
        .body(bytes::Bytes::from(body))
        .unwrap();
    refused(
        p.tool.launch(request).await,
        "lti.oidc.parameter.missing",
        400,
    );
    // A state the tool never issued, with a matching cookie.
    refused(
        p.tool
            .launch(p.post(&token, "forged", Some("forged")))
            .await,
        "lti.tool.state.unknown",
        400,
    );
    // The real one still works.
    p.tool
        .launch(p.post(&token, &login.state, Some(&login.cookie)))
        .await
        .unwrap();
}

#[tokio::test]
async fn expired_state_is_refused() {
    let p = Platform::new();
    let login = p.login().await;
    p.clock.advance(Duration::from_secs(601));
    let token = p.sign(&p.claims(&login));
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.tool.state.unknown",
        400,
    );
}

#[tokio::test]
async fn platform_error_response_is_reported() {
    let p = Platform::new();
    let login = p.login().await;
    let request = http::Request::post(format!("{TOOL}/launch"))
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::COOKIE, format!("lti_state={}", login.cookie))
        .body(bytes::Bytes::from(format!(
            "error=login_required&error_description=%3Cb%3Eno%3C%2Fb%3E&state={}",
            login.state
        )))
        .unwrap();
    let error = p.tool.launch(request).await.unwrap_err();
    assert_eq!(error.code(), "lti.tool.launch.platform_error");
    let page = error.into_response();
    let body = String::from_utf8(page.body().to_vec()).unwrap();
    assert!(body.contains("&lt;b&gt;no&lt;/b&gt;"), "{body}");
    assert!(!body.contains("<b>no"), "{body}");
}

#[tokio::test]
async fn b11_no_kid() {
    let p = Platform::new();
    let login = p.login().await;
    let token = with_header(
        &p.sign(&p.claims(&login)),
        &json!({"alg": "RS256", "typ": "JWT"}),
    );
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.jwt.kid.missing",
        400,
    );
}

#[tokio::test]
async fn b12_kid_not_in_jwks() {
    let p = Platform::new();
    let login = p.login().await;
    let token = with_header(
        &p.sign(&p.claims(&login)),
        &json!({"alg": "RS256", "typ": "JWT", "kid": "unknown-kid"}),
    );
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.jwt.kid.not_found",
        400,
    );
}

#[tokio::test]
async fn b13_signature_by_another_key() {
    let p = Platform::new();
    let login = p.login().await;
    let other = SigningKey::generate(Algorithm::Rs256)
        .unwrap()
        .with_kid("platform-key-1");
    let token = sign_jwt(&other, &p.claims(&login)).unwrap();
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.jwt.signature.invalid",
        400,
    );
}

#[tokio::test]
async fn b14_alg_none_and_hs256() {
    let p = Platform::new();
    for (alg, code) in [
        ("none", "lti.jwt.alg.none"),
        ("HS256", "lti.jwt.alg.symmetric"),
    ] {
        let login = p.login().await;
        let token = with_header(
            &p.sign(&p.claims(&login)),
            &json!({"alg": alg, "kid": "platform-key-1"}),
        );
        refused(
            p.tool
                .launch(p.post(&token, &login.state, Some(&login.cookie)))
                .await,
            code,
            400,
        );
    }
}

#[tokio::test]
async fn b15_issuer_not_exactly_equal() {
    let p = Platform::new();
    for iss in ["https://platform.example/", "https://PLATFORM.example"] {
        refused(
            p.launch_with(|c| {
                obj(c).insert("iss".into(), json!(iss));
            })
            .await,
            "lti.jwt.iss.mismatch",
            400,
        );
    }
}

#[tokio::test]
async fn b16_aud_without_client_id_is_401() {
    let p = Platform::new();
    refused(
        p.launch_with(|c| {
            obj(c).insert("aud".into(), json!("someone-else"));
        })
        .await,
        "lti.jwt.aud.mismatch",
        401,
    );
    let error = p
        .launch_with(|c| {
            obj(c).insert("aud".into(), json!(["someone-else"]));
        })
        .await
        .unwrap_err();
    assert_eq!(error.into_response().status(), 401);
}

#[tokio::test]
async fn b17_aud_string_or_array() {
    let p = Platform::new();
    p.launch_with(|c| {
        obj(c).insert("aud".into(), json!([CLIENT_ID]));
    })
    .await
    .unwrap();
    p.launch_with(|c| {
        obj(c).insert("aud".into(), json!(CLIENT_ID));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn b18_b19_extra_audience_and_azp() {
    let p = Platform::new();
    refused(
        p.launch_with(|c| {
            obj(c).insert("aud".into(), json!([CLIENT_ID, "untrusted"]));
            obj(c).insert("azp".into(), json!(CLIENT_ID));
        })
        .await,
        "lti.jwt.aud.untrusted",
        401,
    );
    refused(
        p.launch_with(|c| {
            obj(c).insert("azp".into(), json!("someone-else"));
        })
        .await,
        "lti.jwt.azp.mismatch",
        401,
    );
}

#[tokio::test]
async fn b20_expired_beyond_leeway() {
    let p = Platform::new();
    let now = p.now();
    refused(
        p.launch_with(|c| {
            obj(c).insert("exp".into(), json!(now - 61));
            obj(c).insert("iat".into(), json!(now - 120));
        })
        .await,
        "lti.jwt.exp.expired",
        400,
    );
    // Within the leeway: accepted.
    p.launch_with(|c| {
        obj(c).insert("exp".into(), json!(now - 30));
        obj(c).insert("iat".into(), json!(now - 120));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn b21_iat_in_future_or_too_old() {
    let p = Platform::new();
    let now = p.now();
    refused(
        p.launch_with(|c| {
            obj(c).insert("iat".into(), json!(now + 3600));
        })
        .await,
        "lti.jwt.iat.future",
        400,
    );
    refused(
        p.launch_with(|c| {
            obj(c).insert("iat".into(), json!(now - 3600));
        })
        .await,
        "lti.jwt.iat.too_old",
        400,
    );
}

#[tokio::test]
async fn b22_missing_nonce() {
    let p = Platform::new();
    refused(
        p.launch_with(|c| {
            obj(c).remove("nonce");
        })
        .await,
        "lti.jwt.claim.missing",
        400,
    );
}

#[tokio::test]
async fn b23_replayed_token_is_refused() {
    let p = Platform::new();
    let login = p.login().await;
    let token = p.sign(&p.claims(&login));
    p.tool
        .launch(p.post(&token, &login.state, Some(&login.cookie)))
        .await
        .unwrap();
    // Same token, same state: the state is gone.
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.tool.state.unknown",
        400,
    );
    // Same token with a fresh state: the nonce does not match that login.
    let other = p.login().await;
    refused(
        p.tool
            .launch(p.post(&token, &other.state, Some(&other.cookie)))
            .await,
        "lti.tool.nonce.mismatch",
        400,
    );
}

#[tokio::test]
async fn b23_nonce_store_refuses_a_second_use() {
    // Even if a state record were re-created (e.g. restored from a backup), the nonce is single-use.
    let p = Platform::new();
    let login = p.login().await;
    let saved = p
        .store
        .get(
            lti_storage::Namespace::new("lti.tool.state"),
            login.state.as_bytes(),
        )
        .await
        .unwrap()
        .unwrap();
    let token = p.sign(&p.claims(&login));
    p.tool
        .launch(p.post(&token, &login.state, Some(&login.cookie)))
        .await
        .unwrap();
    p.store
        .put(
            lti_storage::Namespace::new("lti.tool.state"),
            login.state.as_bytes(),
            &saved,
            None,
        )
        .await
        .unwrap();
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.tool.nonce.replayed",
        400,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn b23_200_concurrent_posts_of_one_token_yield_one_launch() {
    for store in [None, Some(sled_store())] {
        let config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap());
        let p = Arc::new(Platform::with(config, store));
        let login = p.login().await;
        let token = p.sign(&p.claims(&login));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let p = Arc::clone(&p);
            let request = p.post(&token, &login.state, Some(&login.cookie));
            tasks.push(tokio::spawn(async move { p.tool.launch(request).await }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert!(
                    ["lti.tool.state.unknown", "lti.tool.nonce.replayed"].contains(&e.code()),
                    "{e}"
                ),
            }
        }
        assert_eq!(ok, 1);
    }
}

fn sled_store() -> Arc<dyn lti_storage::Store> {
    Arc::new(lti_storage::SledStore::temporary().unwrap())
}

#[tokio::test]
async fn b24_nonce_from_another_login() {
    let p = Platform::new();
    let first = p.login().await;
    let second = p.login().await;
    let token = p.sign(&p.claims(&first));
    refused(
        p.tool
            .launch(p.post(&token, &second.state, Some(&second.cookie)))
            .await,
        "lti.tool.nonce.mismatch",
        400,
    );
}

#[tokio::test]
async fn b25_to_b34_lti_claim_rules_have_their_own_codes() {
    let p = Platform::new();
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "lti.claim.version.mismatch",
            Box::new(|c| {
                obj(c).insert(claim::VERSION.into(), json!("1.1"));
            }),
        ),
        (
            "lti.claim.version.missing",
            Box::new(|c| {
                obj(c).remove(claim::VERSION);
            }),
        ),
        (
            "lti.claim.message_type.missing",
            Box::new(|c| {
                obj(c).remove(claim::MESSAGE_TYPE);
            }),
        ),
        (
            "lti.claim.message_type.unsupported",
            Box::new(|c| {
                obj(c).insert(claim::MESSAGE_TYPE.into(), json!("LtiDeepLinkingRequest"));
            }),
        ),
        (
            "lti.claim.deployment_id.missing",
            Box::new(|c| {
                obj(c).remove(claim::DEPLOYMENT_ID);
            }),
        ),
        (
            "lti.claim.resource_link.id.missing",
            Box::new(|c| {
                obj(c).insert(claim::RESOURCE_LINK.into(), json!({"title": "x"}));
            }),
        ),
        (
            "lti.claim.roles.missing",
            Box::new(|c| {
                obj(c).remove(claim::ROLES);
            }),
        ),
        (
            "lti.claim.sub.empty",
            Box::new(|c| {
                obj(c).insert("sub".into(), json!(""));
            }),
        ),
        (
            "lti.claim.target_link_uri.missing",
            Box::new(|c| {
                obj(c).remove(claim::TARGET_LINK_URI);
            }),
        ),
        (
            "lti.message.malformed",
            Box::new(|c| {
                obj(c).insert(claim::ROLES.into(), json!("Instructor"));
            }),
        ),
    ];
    for (code, edit) in cases {
        refused(p.launch_with(edit).await, code, 400);
    }
}

#[tokio::test]
async fn b30_deployment_policy() {
    let p = Platform::new();
    refused(
        p.launch_with(|c| {
            obj(c).insert(claim::DEPLOYMENT_ID.into(), json!("unknown-deployment"));
        })
        .await,
        "lti.tool.deployment.not_allowed",
        400,
    );

    let config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap())
        .with_deployment_policy(DeploymentPolicy::AcceptAny);
    let p = Platform::with_config(config);
    let launch = p
        .launch_with(|c| {
            obj(c).insert(claim::DEPLOYMENT_ID.into(), json!("unknown-deployment"));
        })
        .await
        .unwrap();
    assert_eq!(launch.deployment_id().as_str(), "unknown-deployment");

    let policy = DeploymentPolicy::Callback(Arc::new(|_reg, dep| dep.as_str().starts_with("ok-")));
    let config =
        ToolConfig::new(format!("{TOOL}/launch").parse().unwrap()).with_deployment_policy(policy);
    let p = Platform::with_config(config);
    p.launch_with(|c| {
        obj(c).insert(claim::DEPLOYMENT_ID.into(), json!("ok-1"));
    })
    .await
    .unwrap();
    refused(
        p.launch_with(|_| {}).await,
        "lti.tool.deployment.not_allowed",
        400,
    );
}

#[tokio::test]
async fn b30_deployment_must_equal_login_lti_deployment_id() {
    let p = Platform::new();
    let login = p
        .login_with(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", CLIENT_ID),
            ("lti_deployment_id", "deployment-2"),
        ])
        .await;
    let token = p.sign(&p.claims(&login)); // claims carry DEPLOYMENT (deployment-1)
    refused(
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await,
        "lti.tool.deployment.mismatch",
        400,
    );
}

#[tokio::test]
async fn b35_final_target_is_the_signed_claim() {
    let p = Platform::new();
    let launch = p
        .launch_with(|c| {
            obj(c).insert(
                claim::TARGET_LINK_URI.into(),
                json!("https://tool.example/other/place"),
            );
        })
        .await
        .unwrap();
    assert_eq!(
        launch.target_link_uri().as_str(),
        "https://tool.example/other/place"
    );
    refused(
        p.launch_with(|c| {
            obj(c).insert(
                claim::TARGET_LINK_URI.into(),
                json!("https://evil.example/"),
            );
        })
        .await,
        "lti.tool.target_link_uri.not_allowed",
        400,
    );
}

#[tokio::test]
async fn c36_empty_roles_accepted() {
    let p = Platform::new();
    for roles in [json!([]), json!([""])] {
        p.launch_with(|c| {
            obj(c).insert(claim::ROLES.into(), roles);
        })
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn c37_c38_short_and_unknown_roles_accepted() {
    let p = Platform::new();
    let launch = p
        .launch_with(|c| {
            obj(c).insert(
                claim::ROLES.into(),
                json!(["Instructor", "http://example.com/roles#Wizard"]),
            );
        })
        .await
        .unwrap();
    assert!(launch.roles().is_instructor());
}

#[tokio::test]
async fn c39_no_pii_and_no_context_accepted() {
    let p = Platform::new();
    let launch = p
        .launch_with(|c| {
            let c = obj(c);
            c.remove("name");
            c.remove("email");
            c.remove(claim::CONTEXT);
        })
        .await
        .unwrap();
    assert!(launch.context().is_none());
}

#[tokio::test]
async fn c40_anonymous_launch_accepted() {
    let p = Platform::new();
    let launch = p
        .launch_with(|c| {
            obj(c).remove("sub");
        })
        .await
        .unwrap();
    assert!(launch.user().is_none());
}

#[tokio::test]
async fn c41_c42_unknown_claims_and_custom_values_accepted() {
    let p = Platform::new();
    let launch = p
        .launch_with(|c| {
            let c = obj(c);
            c.insert("https://vendor.example/claim".into(), json!({"a": [1, 2]}));
            c.insert(
                claim::CUSTOM.into(),
                json!({"empty": "", "unresolved": "$Canvas.user.id"}),
            );
            c.insert(
                claim::RESOURCE_LINK.into(),
                json!({"id": "rl-1", "unknown_member": true}),
            );
        })
        .await
        .unwrap();
    assert!(
        launch
            .message()
            .extra_claim("https://vendor.example/claim")
            .is_some()
    );
}

#[tokio::test]
async fn c43_several_deployments_of_one_client_id() {
    let p = Platform::new();
    for dep in [DEPLOYMENT, "deployment-2"] {
        let launch = p
            .launch_with(|c| {
                obj(c).insert(claim::DEPLOYMENT_ID.into(), json!(dep));
            })
            .await
            .unwrap();
        assert_eq!(launch.deployment_id().as_str(), dep);
    }
}

#[tokio::test]
async fn launch_through_second_registration_of_the_issuer() {
    let p = Platform::new();
    let login = p
        .login_with(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", "tool-client-2"),
        ])
        .await;
    let mut claims = p.claims(&login);
    obj(&mut claims).insert("aud".into(), json!("tool-client-2"));
    let launch = p
        .tool
        .launch(p.post(&p.sign(&claims), &login.state, Some(&login.cookie)))
        .await
        .unwrap();
    assert_eq!(launch.registration().client_id().as_str(), "tool-client-2");
    // A token for client 1 on client 2's login is refused (401).
    let login = p
        .login_with(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", "tool-client-2"),
        ])
        .await;
    let claims = p.claims(&login);
    refused(
        p.tool
            .launch(p.post(&p.sign(&claims), &login.state, Some(&login.cookie)))
            .await,
        "lti.jwt.aud.mismatch",
        401,
    );
}

/// Many different launches at once over sled: every accepted launch flushes. Regression test for the hang
/// sled 0.34's `flush_async` caused when called concurrently (spacejam/sled#1308, #1241), fixed in
/// `SledStore::flush` (serialised, group-committed flushes on the blocking pool). The launches run on their own
/// thread so a hang fails the test after 60 s instead of blocking it.
#[test]
fn concurrent_distinct_launches_over_sled_complete() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap());
            let p = Arc::new(Platform::with(config, Some(sled_store())));
            let mut requests = Vec::new();
            for _ in 0..256 {
                let login = p.login().await;
                let token = p.sign(&p.claims(&login));
                requests.push(p.post(&token, &login.state, Some(&login.cookie)));
            }
            let tasks: Vec<_> = requests
                .into_iter()
                .map(|request| {
                    let p = Arc::clone(&p);
                    tokio::spawn(async move { p.tool.launch(request).await })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
        });
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("256 concurrent launches over sled hung (SledStore::flush)");
}

/// B35: the signed target must be on the tool's origin, whether it is written exactly (fast path) or needs the
/// URL parser (case, explicit default port), and look-alike origins are refused.
#[tokio::test]
async fn b35_target_origin_table() {
    let p = Platform::new();
    let accepted = [
        "https://tool.example",
        "https://tool.example/",
        "https://tool.example?x=1",
        "https://tool.example#frag",
        "https://TOOL.example/upper",
        "https://tool.example:443/default-port",
    ];
    for target in accepted {
        let launch = p
            .launch_with(|c| {
                obj(c).insert(claim::TARGET_LINK_URI.into(), json!(target));
            })
            .await;
        assert!(launch.is_ok(), "{target} refused: {:?}", launch.err());
    }
    let refused_targets = [
        "https://tool.example.evil.example/",
        "https://tool.example@evil.example/",
        "https://tool.example:8443/",
        "http://tool.example/",
        "https://tool.examplex/",
        "//tool.example/relative",
        "javascript:alert(1)",
        "",
    ];
    for target in refused_targets {
        let result = p
            .launch_with(|c| {
                obj(c).insert(claim::TARGET_LINK_URI.into(), json!(target));
            })
            .await;
        let err = result
            .err()
            .unwrap_or_else(|| panic!("{target:?} accepted"));
        assert!(
            matches!(
                err.code(),
                "lti.tool.target_link_uri.not_allowed" | "lti.claim.empty"
            ),
            "{target:?}: {}",
            err.code()
        );
    }
}

/// B23 and the nonce durability setting: `Flush` (the default) flushes the store once per accepted launch;
/// `Background` never flushes on the launch path; both refuse the replay.
#[tokio::test]
async fn b23_nonce_durability_flush_or_background() {
    use lti_storage::test_suite::CountingStore;
    use lti_tool::NonceDurability;
    for (durability, flushes) in [
        (NonceDurability::Flush, 1),
        (NonceDurability::Background, 0),
    ] {
        let store = Arc::new(CountingStore::new(lti_storage::MemoryStore::new()));
        let config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap())
            .with_nonce_durability(durability);
        let p = Platform::with(config, Some(store.clone() as Arc<dyn lti_storage::Store>));
        let login = p.login().await;
        let saved = p
            .store
            .get(
                lti_storage::Namespace::new("lti.tool.state"),
                login.state.as_bytes(),
            )
            .await
            .unwrap()
            .unwrap();
        let token = p.sign(&p.claims(&login));
        let before = store.flushes();
        p.tool
            .launch(p.post(&token, &login.state, Some(&login.cookie)))
            .await
            .unwrap();
        assert_eq!(store.flushes() - before, flushes, "{durability:?}");
        // Restore the state record: the nonce alone must refuse the replay.
        p.store
            .put(
                lti_storage::Namespace::new("lti.tool.state"),
                login.state.as_bytes(),
                &saved,
                None,
            )
            .await
            .unwrap();
        refused(
            p.tool
                .launch(p.post(&token, &login.state, Some(&login.cookie)))
                .await,
            "lti.tool.nonce.replayed",
            400,
        );
    }
}

/// Expired login states and used nonces are purged on request; live ones stay.
#[tokio::test]
async fn purge_expired_removes_old_states_and_nonces_only() {
    let p = Platform::new();
    let used = p.login().await;
    p.tool
        .launch(p.post(&p.sign(&p.claims(&used)), &used.state, Some(&used.cookie)))
        .await
        .unwrap();
    let _abandoned = p.login().await;
    assert_eq!(
        p.tool.purge_expired(100).await.unwrap(),
        0,
        "nothing has expired yet"
    );
    p.clock.advance(Duration::from_secs(3600));
    assert_eq!(
        p.tool.purge_expired(100).await.unwrap(),
        2,
        "one abandoned state, one used nonce"
    );
    assert_eq!(p.tool.purge_expired(100).await.unwrap(), 0);
    let fresh = p.login().await;
    // The fresh login still launches.
    p.tool
        .launch(p.post(
            &p.sign(&p.claims(&fresh)),
            &fresh.state,
            Some(&fresh.cookie),
        ))
        .await
        .unwrap();
}
