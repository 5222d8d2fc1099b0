//! Tool side: the response a tool builds, checks and signs (checklist I84–I89).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, OnceLock};

use lti_core::message::{LtiMessage, MessageRules, MessageType, validate_lti_claims};
use lti_core::{ClientId, DeploymentId, Issuer};
use lti_deep_linking::items::{
    Embed, File, Html, Iframe, Image, LineItem, Link, LtiResourceLink, Window,
};
use lti_deep_linking::uri::claim;
use lti_deep_linking::{
    ContentItem, DeepLinkingRequest, DeepLinkingRequestRules, DeepLinkingResponse,
    DeepLinkingSettings, Error,
};
use lti_security::{Algorithm, ClaimRules, JwtVerifier, KeySet, ManualClock, SigningKey};
use serde_json::{Value, json};

const ISSUER: &str = "https://lms.example";
const CLIENT_ID: &str = "tool-1";
const DEPLOYMENT: &str = "dep-1";
const RETURN_URL: &str = "https://lms.example/dl/return?course=1&x=<y>";
const NOW: u64 = 1_800_000_000;

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::generate(Algorithm::Rs256)
            .unwrap()
            .with_kid("tool-kid-1")
    })
}

fn settings() -> DeepLinkingSettings {
    DeepLinkingSettings::new(
        RETURN_URL,
        ["ltiResourceLink", "link", "html", "file", "image"],
        ["iframe", "window"],
    )
    .with_accept_multiple(true)
}

fn request(settings: DeepLinkingSettings) -> DeepLinkingRequest {
    DeepLinkingRequest::new(
        Issuer::new(ISSUER),
        ClientId::new(CLIENT_ID),
        DeploymentId::new(DEPLOYMENT),
        settings,
    )
}

/// Verifies `jwt` as the platform would (signature with the tool key, iss, aud) and returns header kid + claims.
async fn verify(jwt: &str) -> (String, Value) {
    let clock = Arc::new(ManualClock::at_unix_seconds(NOW));
    let keys = KeySet::from_keys([key().verifying_key().clone()]);
    let rules = ClaimRules::new().issuer(CLIENT_ID).audience(ISSUER);
    let verified = JwtVerifier::new(clock)
        .verify(jwt, &keys, &rules)
        .await
        .unwrap();
    let kid = verified.header().kid.as_ref().unwrap().as_str().to_owned();
    (kid, verified.claims::<Value>().unwrap())
}

fn build(
    settings: DeepLinkingSettings,
    items: Vec<ContentItem>,
) -> Result<DeepLinkingResponse, Error> {
    DeepLinkingResponse::builder(&request(settings))
        .items(items)
        .build()
}

#[tokio::test]
async fn c85_response_claims_header_and_signature() {
    let response = build(settings(), vec![Link::new("https://tool.example/a").into()]).unwrap();
    let signed = response.sign(key(), NOW).unwrap();
    let (kid, claims) = verify(signed.jwt()).await;
    assert_eq!(kid, "tool-kid-1");
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["aud"], ISSUER);
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + 300, "short exp: 5 minutes by default");
    assert!(claims["nonce"].as_str().unwrap().len() >= 32);
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiDeepLinkingResponse"
    );
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/version"],
        "1.3.0"
    );
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"],
        DEPLOYMENT
    );
    assert_eq!(claims[claim::CONTENT_ITEMS][0]["type"], "link");
    // A fresh nonce per signature.
    let again = response.sign(key(), NOW).unwrap();
    let (_, claims2) = verify(again.jwt()).await;
    assert_ne!(claims["nonce"], claims2["nonce"]);
    assert!(
        !format!("{signed:?}").contains(signed.jwt()),
        "Debug must not print the token"
    );
}

#[tokio::test]
async fn c86_data_is_echoed_exactly_and_absent_when_not_sent() {
    let data = "  opaque &<é>\"' data  ";
    let mut with = settings();
    with.data = Some(data.to_owned());
    let signed = build(with, vec![]).unwrap().sign(key(), NOW).unwrap();
    let (_, claims) = verify(signed.jwt()).await;
    assert_eq!(claims[claim::DATA], data);

    let signed = build(settings(), vec![]).unwrap().sign(key(), NOW).unwrap();
    let (_, claims) = verify(signed.jwt()).await;
    assert!(claims.get(claim::DATA).is_none(), "{claims}");
}

#[test]
fn c87_form_posts_field_jwt_to_the_return_url_escaped() {
    let signed = build(settings(), vec![]).unwrap().sign(key(), NOW).unwrap();
    let html = signed.form_html();
    assert_eq!(html.matches("<form ").count(), 1);
    assert!(html.contains("method=\"post\""));
    assert!(
        html.contains("action=\"https://lms.example/dl/return?course=1&amp;x=%3Cy%3E\""),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<input type=\"hidden\" name=\"JWT\" value=\"{}\">",
        signed.jwt()
    )));
    assert!(html.contains("document.forms[0].submit()"));
    assert_eq!(
        signed.return_url().as_str(),
        "https://lms.example/dl/return?course=1&x=%3Cy%3E"
    );
}

#[test]
fn c88_type_not_in_accept_types_is_refused() {
    let only_links = DeepLinkingSettings::new(RETURN_URL, ["ltiResourceLink"], ["iframe"]);
    let e = build(only_links, vec![Html::new("<p>x</p>").into()]).unwrap_err();
    assert!(
        matches!(&e, Error::TypeNotAccepted { index: 0, found, .. } if found == "html"),
        "{e}"
    );
    assert!(e.to_string().contains("content_items[0]"), "{e}");
    let other = ContentItem::from_json(json!({"type": "https://vendor.example/t"})).unwrap();
    assert!(matches!(
        build(settings(), vec![other]),
        Err(Error::TypeNotAccepted { .. })
    ));
}

#[test]
fn c88_several_items_need_accept_multiple() {
    let two = || vec![LtiResourceLink::new().into(), LtiResourceLink::new().into()];
    let mut single = settings();
    single.accept_multiple = None;
    assert!(matches!(
        build(single.clone(), two()),
        Err(Error::MultipleNotAccepted { found: 2 })
    ));
    single.accept_multiple = Some(false);
    assert!(matches!(
        build(single.clone(), two()),
        Err(Error::MultipleNotAccepted { .. })
    ));
    assert!(build(single, vec![LtiResourceLink::new().into()]).is_ok());
    assert!(build(settings(), two()).is_ok());
}

#[test]
fn c88_line_item_refused_only_when_accept_lineitem_is_false() {
    let with_line_item = || {
        vec![
            LtiResourceLink::new()
                .with_line_item(LineItem::new(10.0))
                .into(),
        ]
    };
    assert!(matches!(
        build(settings().with_accept_lineitem(false), with_line_item()),
        Err(Error::LineItemNotAccepted { index: 0 })
    ));
    assert!(build(settings().with_accept_lineitem(true), with_line_item()).is_ok());
    assert!(
        build(settings(), with_line_item()).is_ok(),
        "absent = unknown: allowed"
    );
}

#[test]
fn presentation_hints_and_media_types_within_the_settings() {
    let mut link = Link::new("https://tool.example/a");
    link.embed = Some(Embed::new("<b>x</b>"));
    assert!(matches!(
        build(settings(), vec![link.into()]),
        Err(Error::PresentationNotAccepted {
            target: "embed",
            ..
        })
    ));
    let mut link = Link::new("https://tool.example/a");
    link.window = Some(Window::default());
    assert!(build(settings(), vec![link.into()]).is_ok());

    let mut file = File::new("https://tool.example/f.pdf");
    file.media_type = Some("application/pdf".into());
    let images_only = settings().with_accept_media_types("image/*");
    assert!(matches!(
        build(images_only.clone(), vec![file.clone().into()]),
        Err(Error::MediaTypeNotAccepted { .. })
    ));
    file.media_type = Some("image/png".into());
    assert!(build(images_only, vec![file.into()]).is_ok());
}

#[test]
fn item_members_are_checked() {
    let cases: Vec<(ContentItem, &str)> = vec![
        (Link::new("/relative").into(), "url"),
        (Link::new("javascript:alert(1)").into(), "url"),
        (Image::new("data:image/png;base64,AA").into(), "url"),
        (
            LtiResourceLink::new().with_url("ftp://tool.example").into(),
            "url",
        ),
        (
            LtiResourceLink::new()
                .with_line_item(LineItem::new(0.0))
                .into(),
            "lineItem.scoreMaximum",
        ),
        (
            LtiResourceLink::new()
                .with_line_item(LineItem::new(f64::NAN))
                .into(),
            "lineItem.scoreMaximum",
        ),
    ];
    let mut blank_label = LineItem::new(1.0);
    blank_label.label = Some("  ".into());
    let mut iframe_without_src = Link::new("https://tool.example/a");
    iframe_without_src.iframe = Some(Iframe::default());
    let mut iframe_bad_src = Link::new("https://tool.example/a");
    iframe_bad_src.iframe = Some(Iframe::with_src("//x"));
    let cases = cases.into_iter().chain([
        (
            LtiResourceLink::new().with_line_item(blank_label).into(),
            "lineItem.label",
        ),
        (iframe_without_src.into(), "iframe.src"),
        (iframe_bad_src.into(), "iframe.src"),
    ]);
    for (item, field) in cases {
        match build(settings(), vec![item]) {
            Err(Error::InvalidItem { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn c89_zero_items_with_messages() {
    let signed = DeepLinkingResponse::builder(&request(settings()))
        .msg("nothing picked")
        .log("user cancelled")
        .errormsg("sorry")
        .errorlog("err 7")
        .build()
        .unwrap()
        .sign(key(), NOW)
        .unwrap();
    let (_, claims) = verify(signed.jwt()).await;
    assert_eq!(claims[claim::CONTENT_ITEMS], json!([]));
    assert_eq!(claims[claim::MSG], "nothing picked");
    assert_eq!(claims[claim::LOG], "user cancelled");
    assert_eq!(claims[claim::ERRORMSG], "sorry");
    assert_eq!(claims[claim::ERRORLOG], "err 7");
}

fn dl_message(settings: Option<Value>) -> LtiMessage {
    let mut message = LtiMessage::new(
        MessageType::LtiDeepLinkingRequest,
        DeploymentId::new(DEPLOYMENT),
    );
    message.iss = Some(Issuer::new(ISSUER));
    message.deep_linking_settings = settings.map(lti_core::claims::DeepLinkingSettings::new);
    message
}

#[test]
fn c84_request_rules_require_the_settings_not_a_resource_link() {
    let rules = DeepLinkingRequestRules::new();
    let rules: [&dyn MessageRules; 1] = [&rules];
    let good = json!({
        "deep_link_return_url": "https://lms.example/r",
        "accept_types": ["link"],
        "accept_presentation_document_targets": ["window"]
    });
    let message = dl_message(Some(good.clone()));
    assert!(message.resource_link.is_none());
    validate_lti_claims(&message, &rules).unwrap();

    assert_eq!(
        validate_lti_claims(&dl_message(None), &rules).unwrap_err(),
        lti_core::Error::MissingClaim {
            claim: claim::DEEP_LINKING_SETTINGS
        }
    );
    for member in [
        "deep_link_return_url",
        "accept_types",
        "accept_presentation_document_targets",
    ] {
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove(member);
        let e = validate_lti_claims(&dl_message(Some(v)), &rules).unwrap_err();
        assert!(e.to_string().contains(member), "{e}");
    }
    // A resource link request is not handled by these rules.
    let mut rl = dl_message(Some(good));
    rl.message_type = Some(MessageType::LtiResourceLinkRequest);
    assert!(matches!(
        validate_lti_claims(&rl, &rules),
        Err(lti_core::Error::MessageTypeUnsupported { .. })
    ));
}

#[test]
fn request_from_message_needs_a_deep_linking_message() {
    let good = json!({
        "deep_link_return_url": "https://lms.example/r",
        "accept_types": ["link"],
        "accept_presentation_document_targets": ["window"],
        "data": "d"
    });
    let request =
        DeepLinkingRequest::from_message(&dl_message(Some(good.clone())), ClientId::new(CLIENT_ID))
            .unwrap();
    assert_eq!(request.issuer().as_str(), ISSUER);
    assert_eq!(request.settings().data.as_deref(), Some("d"));
    let mut rl = dl_message(Some(good));
    rl.message_type = Some(MessageType::LtiResourceLinkRequest);
    assert!(matches!(
        DeepLinkingRequest::from_message(&rl, ClientId::new(CLIENT_ID)),
        Err(Error::NotDeepLinkingRequest { .. })
    ));
}
