//! End to end in one process: the real lti-platform against the real lti-tool, the tool fetching the platform's
//! JWKS over an in-process `RouterClient` (no sockets), the test acting as the browser (following the 302,
//! carrying the state cookie, submitting the auto-submit forms).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/fixtures.rs"]
mod fixtures;

use std::sync::Arc;

use bytes::Bytes;
use fixtures::*;
use lti_core::role::ContextRole;
use lti_core::{PlatformRegistration, UserId};
use lti_http::RouterClient;
use lti_storage::{Clock, MemoryStore};
use lti_tool::{Launch, LaunchError, StaticRegistry, Tool, ToolConfig};
use url::Url;

struct World {
    platform: Fixture,
    tool: Tool,
}

async fn world() -> World {
    let platform = fixture(true).await;
    let router = RouterClient::new();
    let jwks_platform = platform.platform.clone();
    router
        .route(ISSUER, move |request: http::Request<Bytes>| {
            let platform = jwks_platform.clone();
            async move {
                if request.uri().path() == "/jwks" {
                    platform.jwks()
                } else {
                    http::Response::builder()
                        .status(404)
                        .body(Bytes::new())
                        .unwrap()
                }
            }
        })
        .unwrap();
    let registration = PlatformRegistration::builder(ISSUER, CLIENT_ID)
        .authorization_endpoint(AUTH_ENDPOINT)
        .token_endpoint("https://lms.example/token")
        .jwks_url("https://lms.example/jwks")
        .deployment(DEPLOYMENT_ID)
        .build()
        .unwrap();
    let clock: Arc<dyn Clock> = platform.clock.clone();
    let tool = Tool::builder(ToolConfig::new(Url::parse(REDIRECT_URI).unwrap()))
        .registry(Arc::new(StaticRegistry::new([registration])))
        .store(Arc::new(MemoryStore::with_clock(clock.clone())))
        .http_client(Arc::new(router))
        .clock(clock)
        .add_message_rules(Arc::new(lti_ags::SubmissionReviewRules::new()))
        .build()
        .unwrap();
    World { platform, tool }
}

/// What the browser holds after the platform's answer: the form to post to the tool, and the state cookie.
struct Pending {
    form: Form,
    cookie: String,
}

/// Platform starts the launch → browser GETs the tool login → follows the 302 to the platform's authorization
/// endpoint as `user` → gets the auto-submit form.
async fn to_tool_form(
    w: &World,
    request: lti_platform::LaunchRequest,
    user: Option<&str>,
) -> Pending {
    let start = w.platform.platform.start_launch(request).await.unwrap();
    let login = w
        .tool
        .login(
            http::Request::get(start.url.as_str())
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(login.status(), 302, "{}", body(&login));
    let location = login.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(AUTH_ENDPOINT), "{location}");
    let set_cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("SameSite=None") && set_cookie.contains("Secure"));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let user = user.map(UserId::new);
    let answer = w
        .platform
        .platform
        .authorize(
            http::Request::get(location.as_str())
                .body(Bytes::new())
                .unwrap(),
            user.as_ref(),
        )
        .await;
    assert_eq!(answer.status(), 200);
    Pending {
        form: parse_form(&body(&answer)),
        cookie,
    }
}

/// The browser posts the form to the tool's launch URL.
async fn post_to_tool(w: &World, pending: &Pending) -> Result<Launch, LaunchError> {
    assert_eq!(pending.form.action, REDIRECT_URI);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pending.form.fields)
        .finish();
    let request = http::Request::post(pending.form.action.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", pending.cookie.as_str())
        .body(Bytes::from(body))
        .unwrap();
    w.tool.launch(request).await
}

#[tokio::test]
async fn instructor_with_context() {
    let w = world().await;
    let pending = to_tool_form(
        &w,
        launch(Some("ins-1"), ContextRole::Instructor, true),
        Some("ins-1"),
    )
    .await;
    let launch = post_to_tool(&w, &pending).await.unwrap();
    assert_eq!(launch.user().unwrap().as_str(), "ins-1");
    assert!(launch.roles().is_instructor());
    assert!(!launch.roles().is_learner());
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
    assert_eq!(launch.target_link_uri().as_str(), TARGET_URI);
    assert_eq!(launch.deployment_id().as_str(), DEPLOYMENT_ID);
}

#[tokio::test]
async fn learner_with_context() {
    let w = world().await;
    let pending = to_tool_form(
        &w,
        launch(Some("stu-1"), ContextRole::Learner, true),
        Some("stu-1"),
    )
    .await;
    let launch = post_to_tool(&w, &pending).await.unwrap();
    assert_eq!(launch.user().unwrap().as_str(), "stu-1");
    assert!(launch.roles().is_learner());
    assert!(!launch.roles().is_instructor());
    assert!(launch.context().is_some());
}

#[tokio::test]
async fn instructor_and_learner_without_context() {
    let w = world().await;
    for (user, role) in [
        ("ins-2", ContextRole::Instructor),
        ("stu-2", ContextRole::Learner),
    ] {
        let pending = to_tool_form(&w, launch(Some(user), role, false), Some(user)).await;
        let launch = post_to_tool(&w, &pending).await.unwrap();
        assert_eq!(launch.user().unwrap().as_str(), user);
        assert!(launch.context().is_none());
    }
}

#[tokio::test]
async fn anonymous_launch() {
    let w = world().await;
    let pending = to_tool_form(&w, launch(None, ContextRole::Learner, false), None).await;
    let launch = post_to_tool(&w, &pending).await.unwrap();
    assert!(launch.user().is_none());
    assert!(launch.message().is_anonymous());
    assert!(launch.message().name.is_none());
}

#[tokio::test]
async fn replayed_form_is_rejected_by_the_tool() {
    let w = world().await;
    let pending = to_tool_form(
        &w,
        launch(Some("stu-3"), ContextRole::Learner, true),
        Some("stu-3"),
    )
    .await;
    post_to_tool(&w, &pending).await.unwrap();
    let replay = post_to_tool(&w, &pending).await.unwrap_err();
    assert!(
        matches!(
            replay,
            LaunchError::StateUnknown | LaunchError::NonceReplayed
        ),
        "second post of the same form must be rejected as a replay: {replay}"
    );
}

#[tokio::test]
async fn platform_error_reaches_the_tool_as_an_oidc_error() {
    let w = world().await;
    let pending = to_tool_form(&w, launch(Some("stu-4"), ContextRole::Learner, true), None).await;
    assert_eq!(pending.form.field("error"), Some("login_required"));
    let e = post_to_tool(&w, &pending).await.unwrap_err();
    assert!(e.to_string().contains("login_required"), "{e}");
}

/// O130/O131: the platform starts a submission review from a gradebook cell (reviewer, `for_user`, the line item in
/// the AGS claim, the line item's own review URL and custom parameters); the tool validates it with the
/// submission review rules.
#[tokio::test]
async fn o130_o131_submission_review_launch_reaches_the_tool() {
    let w = world().await;
    let mut ags =
        lti_ags::AgsEndpointClaim::new([lti_ags::scope::SCORE, lti_ags::scope::RESULT_READONLY]);
    ags.lineitems = Some("https://lms.example/ags/course-1/lineitems".to_owned());
    let mut review = lti_ags::SubmissionReview::new(vec![lti_ags::ActivityProgress::Submitted]);
    review.url = Some("https://tool.example/review".to_owned());
    review.custom = Some([("view".to_owned(), "essay".to_owned())].into());
    let request = lti_platform::LaunchRequest::submission_review(
        lti_core::ClientId::new(CLIENT_ID),
        lti_core::DeploymentId::new(DEPLOYMENT_ID),
        Some(user("instructor-1")),
        lti_core::claims::ForUser::new(UserId::new("learner-1")),
        ags,
        lti_ags::LineItemId::new("https://lms.example/ags/course-1/lineitems/essay"),
        Some(&review),
    )
    .with_roles([lti_core::Role::context(ContextRole::Instructor)]);
    let pending = to_tool_form(&w, request, Some("instructor-1")).await;
    let launch = post_to_tool(&w, &pending).await.unwrap();
    let message = launch.message();
    assert_eq!(
        message.message_type,
        Some(lti_core::message::MessageType::LtiSubmissionReviewRequest)
    );
    assert_eq!(
        message
            .for_user
            .as_ref()
            .and_then(|f| f.user_id.as_ref())
            .map(|u| u.as_str()),
        Some("learner-1")
    );
    assert_eq!(
        launch.target_link_uri().as_str(),
        "https://tool.example/review"
    );
    assert_eq!(
        message.custom.as_ref().and_then(|c| c.get("view")),
        Some("essay")
    );
    let claim = lti_ags::AgsEndpointClaim::from_message(message)
        .unwrap()
        .unwrap();
    assert_eq!(
        claim.lineitem.as_ref().map(|l| l.as_str()),
        Some("https://lms.example/ags/course-1/lineitems/essay")
    );
}

/// O131 on the platform: a submission review without `for_user` is refused before anything is sent.
#[tokio::test]
async fn o131_review_without_for_user_is_refused_by_the_platform() {
    let w = world().await;
    let request = lti_platform::LaunchRequest::new(
        lti_core::ClientId::new(CLIENT_ID),
        lti_core::DeploymentId::new(DEPLOYMENT_ID),
        lti_core::message::MessageType::LtiSubmissionReviewRequest,
        Some(user("instructor-1")),
    )
    .with_roles([lti_core::Role::context(ContextRole::Instructor)]);
    let err = w.platform.platform.start_launch(request).await.unwrap_err();
    assert!(err.to_string().contains("claim"), "{err}");
    assert_eq!(err.status(), 400);
}
