//! `app(state) -> Router`: every route of the reference platform, and the protocol endpoints, which hand the
//! request to the `lti-platform` facade and its answer back unchanged.

use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use lti_core::registration::dynamic::PlatformConfiguration;
use lti_nrps::Privacy;
use lti_platform::{DeepLinking, ToolRegistry as _};
use tracing::Instrument as _;

use super::course::{CourseLink, DEMO_COURSE};
use super::error::{AppError, PageError};
use super::launch::{self, LaunchAs};
use super::registry::OFFERED_SCOPES;
use super::state::PlatformState;
use super::{api, pages};

/// The largest request body read by the protocol endpoints and forms.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The reference platform's router: pages, JSON API and protocol endpoints over `state`.
pub fn app(state: PlatformState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/courses/demo-course") }))
        .route(
            "/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/jwks", get(jwks))
        .route("/auth", get(authorize).post(authorize))
        .route("/token", post(token))
        .route("/deep-linking/return", post(deep_linking_return))
        .route("/launch-as", get(launch_as))
        .route("/courses/{id}", get(pages::outline))
        .route("/courses/{id}/add-content", get(pages::add_content))
        .route("/courses/{id}/roster", get(pages::roster))
        .route("/courses/{id}/gradebook", get(pages::gradebook))
        .route("/courses/{id}/gradebook/{key}", post(pages::edit_due))
        .route("/tools", get(pages::tools).post(pages::register_tool))
        .route("/tools/register", get(pages::register_by_url))
        .route("/api/tools", get(api::list_tools).post(api::register_tool))
        .route("/api/contexts/{id}/links", get(api::links))
        .route("/api/contexts/{id}/gradebook", get(api::gradebook))
        .route(
            "/api/contexts/{id}/lineitems/{key}",
            post(api::edit_line_item),
        )
        .route("/api/lti/ags/{*rest}", any(ags))
        .route("/api/lti/nrps/{*rest}", any(nrps))
        .layer(middleware::from_fn(trace))
        .with_state(state)
}

/// One span per request with the shared field names; the query string is never logged.
async fn trace(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "http",
        http.method = %request.method(),
        url.path = %request.uri().path(),
        status = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    span.record("elapsed_ms", started.elapsed().as_millis() as u64);
    span.in_scope(|| tracing::info!("request"));
    response
}

/// The body of `request`, read up to [`MAX_BODY_BYTES`], as the `http::Request<Bytes>` the facades take.
///
/// # Errors
/// 413 `body_too_large`.
pub async fn buffered(request: Request) -> Result<http::Request<Bytes>, AppError> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("request body over {MAX_BODY_BYTES} bytes"),
            )
        })?;
    Ok(http::Request::from_parts(parts, bytes))
}

/// A facade's answer as an axum response.
pub fn from_facade(response: http::Response<Bytes>) -> Response {
    response.map(Body::from)
}

async fn openid_configuration(State(state): State<PlatformState>) -> Response {
    let e = state.endpoints();
    let mut scopes = vec!["openid".to_owned()];
    scopes.extend(OFFERED_SCOPES.iter().map(|s| (*s).to_owned()));
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let configuration = PlatformConfiguration {
        issuer: e.issuer.clone(),
        authorization_endpoint: e.authorization_endpoint.to_string(),
        registration_endpoint: Some(e.registration_endpoint.to_string()),
        jwks_uri: e.jwks_uri.to_string(),
        token_endpoint: e.token_endpoint.to_string(),
        authorization_server: None,
        token_endpoint_auth_methods_supported: strings(&["private_key_jwt"]),
        token_endpoint_auth_signing_alg_values_supported: strings(&["RS256"]),
        scopes_supported: scopes,
        response_types_supported: strings(&["id_token"]),
        subject_types_supported: strings(&["public"]),
        id_token_signing_alg_values_supported: strings(&["RS256"]),
        claims_supported: strings(&["sub", "iss", "name", "given_name", "family_name", "email"]),
        platform_configuration: Some(serde_json::json!({
            "product_family_code": "lti-rs-reference-platform",
            "version": env!("CARGO_PKG_VERSION"),
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest"}
            ],
        })),
        extra: serde_json::Map::new(),
    };
    axum::Json(configuration).into_response()
}

async fn jwks(State(state): State<PlatformState>) -> Response {
    from_facade(state.platform().jwks())
}

/// The OIDC authorization endpoint, for the user of the session cookie (none: the facade answers
/// `login_required` to the tool).
async fn authorize(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, PageError> {
    let request = buffered(request).await?;
    let user = state.sessions().current_user(request.headers()).await?;
    Ok(from_facade(
        state.platform().authorize(request, user.as_ref()).await,
    ))
}

async fn token(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, PageError> {
    let request = buffered(request).await?;
    Ok(from_facade(state.platform().token(request).await))
}

/// `GET /launch-as`: signs the user in (session cookie) and sends the browser to the tool's login initiation.
async fn launch_as(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, PageError> {
    let params = LaunchAs::parse(request.uri().query().unwrap_or_default())?;
    let (member, start) = launch::start(&state, &params).await?;
    let cookie = state
        .sessions()
        .sign_in(&member.user_id, state.endpoints().base.scheme() == "https")
        .await?;
    let mut response = Redirect::to(start.url.as_str()).into_response();
    let cookie = HeaderValue::from_str(&cookie).map_err(|e| AppError::internal(&e))?;
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The deep linking return URL: the facade verifies the tool's response; the links (and line items) it creates
/// are placed in the course the request was made from.
async fn deep_linking_return(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, PageError> {
    let request = buffered(request).await?;
    let session_user = state.sessions().current_user(request.headers()).await?;
    // With a session, the facade checks that the request was started for its user before anything is spent.
    let received = match &session_user {
        Some(user) => state.deep_linking().receive_for(&request, Some(user)).await,
        None => state.deep_linking().receive(&request).await,
    };
    let verified = match received {
        Ok(verified) => verified,
        Err(e) => return Ok(from_facade(DeepLinking::error_page(&e))),
    };
    let context = verified
        .context_id()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|| DEMO_COURSE.to_owned());
    let created = state
        .deep_linking()
        .create_resource_links(&verified)
        .await?;
    let courses = state.courses();
    let mut links = Vec::new();
    for c in &created {
        let link = CourseLink::from_record(&c.resource_link, &context);
        courses.add_link(&link).await?;
        if let Some(item) = &c.line_item {
            let mut line_item = lti_ags::LineItem::new(item.label.clone(), item.score_maximum);
            line_item.resource_link_id = Some(c.resource_link.id.clone());
            line_item.resource_id = item.resource_id.clone();
            line_item.tag = item.tag.clone();
            courses
                .add_line_item(&context, verified.client_id(), line_item)
                .await?;
        }
        links.push(link);
    }
    tracing::info!(
        client_id = verified.client_id().as_str(),
        context = %context,
        created = links.len(),
        "deep linking response accepted"
    );
    Ok(pages::content_added(
        &context,
        &links,
        verified.msg(),
        verified.errormsg(),
    ))
}

/// The AGS service (line items, scores, results): the `lti-ags` facade answers everything, errors included.
async fn ags(State(state): State<PlatformState>, request: Request) -> Result<Response, PageError> {
    let request = buffered(request).await?;
    Ok(from_facade(state.ags().serve(request).await))
}

/// The NRPS membership service: the `lti-nrps` facade admits the call (token, scope, scoped URL, adoption),
/// the caller's registration says which personal fields it may see, and the facade answers.
async fn nrps(State(state): State<PlatformState>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let access = match state.nrps().admit(&parts).await {
        Ok(access) => access,
        Err(e) => return from_facade(lti_nrps::error_response(&e)),
    };
    let privacy = match state.tools().find(access.client_id()).await {
        Ok(Some(registration)) => Privacy::of(&registration),
        Ok(None) => Privacy::anonymous(),
        Err(e) => return AppError::from(e).json(),
    };
    match state.nrps().serve(&access, &parts, privacy).await {
        Ok(response) => from_facade(response),
        Err(e) => from_facade(lti_nrps::error_response(&e)),
    }
}
