//! Login initiation, checklist section A.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/platform.rs"]
mod platform;

use bytes::Bytes;
use lti_tool::{CookieConfig, ToolConfig};
use platform::{CLIENT_ID, ISS, Platform, TARGET, TOOL, outcome};

fn query(location: &url::Url, name: &str) -> Option<String> {
    let values: Vec<String> = location
        .query_pairs()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .collect();
    assert!(values.len() <= 1, "{name} sent twice");
    values.into_iter().next()
}

#[tokio::test]
async fn a1_login_by_get_and_by_post() {
    let p = Platform::new();
    let get = p.login().await;
    assert!(get.location.as_str().starts_with(&format!("{ISS}/auth?")));

    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("iss", ISS)
        .append_pair("login_hint", "user-1")
        .append_pair("target_link_uri", TARGET)
        .append_pair("client_id", CLIENT_ID)
        .finish();
    let request = http::Request::post(format!("{TOOL}/login"))
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Bytes::from(body))
        .unwrap();
    let response = p.tool.login(request).await;
    assert_eq!(response.status(), 302);
    let post = outcome(&response);
    assert_ne!(post.state, get.state);

    let put = http::Request::put(format!("{TOOL}/login"))
        .body(Bytes::new())
        .unwrap();
    assert_eq!(p.tool.login(put).await.status(), 405);
}

#[tokio::test]
async fn a2_missing_iss_login_hint_or_target_link_uri_is_400() {
    let p = Platform::new();
    let all = [
        ("iss", ISS),
        ("login_hint", "user-1"),
        ("target_link_uri", TARGET),
        ("client_id", CLIENT_ID),
    ];
    for missing in ["iss", "login_hint", "target_link_uri"] {
        let params: Vec<(&str, &str)> =
            all.iter().copied().filter(|(n, _)| *n != missing).collect();
        let response = p.login_response(&params).await;
        assert_eq!(response.status(), 400, "without {missing}");
        let body = String::from_utf8(response.body().to_vec()).unwrap();
        assert!(body.contains(missing), "{body}");
        assert!(body.contains("lti.oidc.parameter.missing"), "{body}");
        assert!(response.headers().get(http::header::SET_COOKIE).is_none());
    }
}

#[tokio::test]
async fn a3_unknown_issuer_is_refused_and_client_id_selects_the_registration() {
    let p = Platform::new();
    let unknown = p
        .login_response(&[
            ("iss", "https://unknown.example"),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
        ])
        .await;
    assert_eq!(unknown.status(), 400);
    assert!(
        String::from_utf8_lossy(unknown.body()).contains("lti.tool.login.registration_unknown")
    );

    // Exact issuer match: a trailing slash is another issuer.
    let slash = p
        .login_response(&[
            ("iss", "https://platform.example/"),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!(slash.status(), 400);

    // Two registrations at ISS: no client_id is ambiguous.
    let ambiguous = p
        .login_response(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
        ])
        .await;
    assert_eq!(ambiguous.status(), 400);
    assert!(
        String::from_utf8_lossy(ambiguous.body()).contains("lti.tool.login.registration_ambiguous")
    );

    // client_id picks one; an unknown client_id is refused.
    for client in [CLIENT_ID, "tool-client-2"] {
        let login = p
            .login_with(&[
                ("iss", ISS),
                ("login_hint", "u"),
                ("target_link_uri", TARGET),
                ("client_id", client),
            ])
            .await;
        assert_eq!(query(&login.location, "client_id").as_deref(), Some(client));
    }
    let wrong = p
        .login_response(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", "nope"),
        ])
        .await;
    assert_eq!(wrong.status(), 400);

    // A single registration of an issuer is found without client_id.
    p.login_with(&[
        ("iss", "https://other-platform.example"),
        ("login_hint", "u"),
        ("target_link_uri", TARGET),
    ])
    .await;
}

#[tokio::test]
async fn a4_foreign_target_link_uri_is_refused() {
    let p = Platform::new();
    for target in [
        "https://evil.example/resource",
        "http://tool.example/resource",
        "https://tool.example:8443/resource",
        "https://tool.example.evil.example/",
        "//evil.example/",
        "/relative",
        "javascript:alert(1)",
    ] {
        let response = p
            .login_response(&[
                ("iss", ISS),
                ("login_hint", "u"),
                ("target_link_uri", target),
                ("client_id", CLIENT_ID),
            ])
            .await;
        assert_eq!(response.status(), 400, "{target}");
        assert!(response.headers().get(http::header::LOCATION).is_none());
    }

    // Configured extra origins are allowed.
    let config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap())
        .allow_target_origin("https://tool.example".parse().unwrap())
        .allow_target_origin("https://cdn.tool.example".parse().unwrap());
    let p = Platform::with_config(config);
    p.login_with(&[
        ("iss", ISS),
        ("login_hint", "u"),
        ("target_link_uri", "https://cdn.tool.example/x"),
        ("client_id", CLIENT_ID),
    ])
    .await;
}

#[tokio::test]
async fn a5_a6_a7_auth_request_parameters() {
    let p = Platform::new();
    let hint = "user 1+x/%2F=é&?";
    let message_hint = "{\"placement\": \"abc\"} +%20";
    let login = p
        .login_with(&[
            ("iss", ISS),
            ("login_hint", hint),
            ("target_link_uri", TARGET),
            ("client_id", CLIENT_ID),
            ("lti_message_hint", message_hint),
        ])
        .await;
    let l = &login.location;
    assert_eq!(query(l, "scope").as_deref(), Some("openid"));
    assert_eq!(query(l, "response_type").as_deref(), Some("id_token"));
    assert_eq!(query(l, "response_mode").as_deref(), Some("form_post"));
    assert_eq!(query(l, "prompt").as_deref(), Some("none"));
    assert_eq!(query(l, "client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(
        query(l, "redirect_uri").as_deref(),
        Some("https://tool.example/launch")
    );
    assert!(query(l, "nonce").is_some_and(|n| n.len() >= 32));
    assert!(query(l, "state").is_some_and(|s| s.len() >= 32));
    assert_eq!(query(l, "login_hint").as_deref(), Some(hint));
    assert_eq!(query(l, "lti_message_hint").as_deref(), Some(message_hint));

    let without = p.login().await;
    assert_eq!(query(&without.location, "lti_message_hint"), None);
}

#[tokio::test]
async fn a8_two_logins_have_different_state_and_nonce() {
    let p = Platform::new();
    let a = p.login().await;
    let b = p.login().await;
    assert_ne!(a.state, b.state);
    assert_ne!(a.nonce, b.nonce);
    assert_ne!(a.state, a.nonce);
}

#[tokio::test]
async fn a9_state_cookie_has_cross_site_attributes() {
    let p = Platform::new();
    let response = p
        .login_response(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", CLIENT_ID),
        ])
        .await;
    let login = outcome(&response);
    let cookie = response.headers()[http::header::SET_COOKIE]
        .to_str()
        .unwrap();
    assert_eq!(
        cookie,
        format!(
            "lti_state={}; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=600",
            login.state
        )
    );

    let mut config = ToolConfig::new(format!("{TOOL}/launch").parse().unwrap());
    config.cookie = CookieConfig::default().partitioned(true);
    let p = Platform::with_config(config);
    let response = p
        .login_response(&[
            ("iss", ISS),
            ("login_hint", "u"),
            ("target_link_uri", TARGET),
            ("client_id", CLIENT_ID),
        ])
        .await;
    let cookie = response.headers()[http::header::SET_COOKIE]
        .to_str()
        .unwrap();
    assert!(cookie.ends_with("; Partitioned"), "{cookie}");
}

#[tokio::test]
async fn builder_refuses_insecure_redirect_uri_and_bad_cookie_name() {
    use std::sync::Arc;
    let build = |config: ToolConfig| {
        lti_tool::Tool::builder(config)
            .registry(Arc::new(lti_tool::StaticRegistry::default()))
            .store(Arc::new(lti_storage::MemoryStore::new()))
            .http_client(Arc::new(lti_http::RouterClient::new()))
            .build()
    };
    assert!(
        build(ToolConfig::new(
            "http://tool.example/launch".parse().unwrap()
        ))
        .is_err()
    );
    assert!(
        build(ToolConfig::new(
            "http://localhost:8080/launch".parse().unwrap()
        ))
        .is_ok()
    );
    let mut config = ToolConfig::new("https://tool.example/launch".parse().unwrap());
    config.cookie = CookieConfig::new("bad name;");
    assert!(build(config).is_err());
    let missing = lti_tool::Tool::builder(ToolConfig::new(
        "https://tool.example/launch".parse().unwrap(),
    ))
    .build();
    assert!(missing.is_err());
}

#[tokio::test]
async fn jwks_without_key_ring_is_404() {
    let p = Platform::new();
    assert_eq!(p.tool.jwks().status(), 404);
}

#[tokio::test]
async fn jwks_serves_the_key_ring() {
    use std::sync::Arc;
    let store: Arc<dyn lti_storage::Store> = Arc::new(lti_storage::MemoryStore::new());
    let ring = lti_security::KeyRing::open(
        Arc::clone(&store),
        "tool",
        lti_security::KeyProtection::encrypted(lti_security::KeyEncryptionKey::generate().unwrap()),
        Arc::new(lti_security::SystemClock),
        lti_security::KeyRingConfig::new(),
    )
    .await
    .unwrap();
    let kid = ring.kids().into_iter().next().unwrap();
    let tool = lti_tool::Tool::builder(ToolConfig::new(format!("{TOOL}/launch").parse().unwrap()))
        .registry(Arc::new(lti_tool::StaticRegistry::default()))
        .store(store)
        .http_client(Arc::new(lti_http::RouterClient::new()))
        .key_ring(Arc::new(ring))
        .build()
        .unwrap();
    let response = tool.jwks();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()[http::header::CONTENT_TYPE],
        "application/json"
    );
    let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(json["keys"][0]["kid"], kid.as_str());
    assert!(json["keys"][0].get("d").is_none(), "private part published");
}

#[tokio::test]
async fn store_registry_finds_by_issuer_and_client_id() {
    use lti_tool::{PlatformRegistry, RegistryError, StoreRegistry};
    use std::sync::Arc;
    let registry = StoreRegistry::new(Arc::new(lti_storage::MemoryStore::new()));
    let iss = lti_core::Issuer::new(ISS);
    assert!(registry.find(&iss, None).await.unwrap().is_none());
    registry
        .save(&platform::registration(ISS, CLIENT_ID))
        .await
        .unwrap();
    // A longer issuer sharing the prefix is another issuer.
    registry
        .save(&platform::registration("https://platform.example.com", "x"))
        .await
        .unwrap();
    let found = registry.find(&iss, None).await.unwrap().unwrap();
    assert_eq!(found.client_id().as_str(), CLIENT_ID);
    registry
        .save(&platform::registration(ISS, "tool-client-2"))
        .await
        .unwrap();
    assert!(matches!(
        registry.find(&iss, None).await,
        Err(RegistryError::Ambiguous { count: 2, .. })
    ));
    let two = lti_core::ClientId::new("tool-client-2");
    assert!(registry.find(&iss, Some(&two)).await.unwrap().is_some());
    assert!(registry.remove(&iss, &two).await.unwrap());
    assert!(registry.find(&iss, Some(&two)).await.unwrap().is_none());
}
