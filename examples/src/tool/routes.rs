//! The router: thin handlers (extract, call the facade, map the outcome), one place per failure kind.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::StatusCode;
use lti_ags::Timestamp;
use lti_core::message::{LtiMessage, MessageType};
use serde_json::json;

use super::activities::{ACTIVITIES, Activity};
use super::deep_link::{self, Refusal};
use super::error::ToolServerError;
use super::launches::{LaunchRecord, Launches};
use super::pages;
use super::platforms::PlatformSpec;
use super::report::LaunchReport;
use super::server::ToolServer;
use super::services::{self, SERVICES};

/// The largest request body read (a login form, an `id_token` post, a platform JSON).
const MAX_BODY: usize = 256 * 1024;

/// The reference tool's routes over `server`:
///
/// | route | what |
/// |---|---|
/// | `GET /` | home: the URLs to register, the platforms, a form to add one |
/// | `GET, POST /lti/login` | OIDC login initiation ([`lti_tool::Tool::login`]) |
/// | `POST /lti/launch` | launch: diagnostics page, deep-linking picker or automatic answer; failure page |
/// | `GET /launches/{id}` | a stored launch's diagnostics page |
/// | `POST /launches/{id}/services/{nrps,ags}` | run a service, then back to the page (303) |
/// | `POST /launches/{id}/deep-link` | answer a deep-linking request with the chosen activities |
/// | `GET /launches/{id}/grading` | an instructor launch: the essays pending in its context, a form each |
/// | `POST /launches/{id}/grading/{essay}` | post the instructor's grade (`score`) for a pending essay (303) |
/// | `POST /launches/{id}/due` | an instructor launch: set (`due`) or clear the due date of its link's line item |
/// | `GET /activities/{slug}` | a catalogue activity |
/// | `GET /.well-known/jwks.json` | the tool's public keys |
/// | `GET /.well-known/lti-tool-registration.json` | the tool's Dynamic-Registration JSON |
/// | `GET, POST /api/platforms` | list / register platforms (JSON) |
/// | `GET /api/launches/{id}` | a stored launch's report (JSON) |
/// | `POST /api/launches/{id}/services/{nrps,ags}` | run a service, answer its report (JSON) |
/// | `POST /platforms` | register a platform from the home page's form |
pub fn app(server: ToolServer) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/lti/login", get(login).post(login))
        .route("/lti/launch", post(launch))
        .route("/launches/{id}", get(show_launch))
        .route("/launches/{id}/services/{service}", post(run_service))
        .route("/launches/{id}/deep-link", post(answer_deep_link))
        .route("/launches/{id}/grading", get(grading_page))
        .route("/launches/{id}/grading/{essay}", post(grade_essay))
        .route("/launches/{id}/due", post(set_due))
        .route("/activities/{slug}", get(activity))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/lti-tool-registration.json", get(registration))
        .route(
            "/api/platforms",
            get(list_platforms).post(add_platform_json),
        )
        .route("/api/launches/{id}", get(launch_json))
        .route(
            "/api/launches/{id}/services/{service}",
            post(run_service_json),
        )
        .route("/platforms", post(add_platform_form))
        .layer(middleware::from_fn(log_request))
        .with_state(server)
}

/// One line per request: method, path (no query: it may carry login parameters), status, duration.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn home(State(server): State<ToolServer>) -> Response {
    match server.platforms().await {
        Ok(platforms) => pages::home(server.config(), &platforms),
        Err(e) => server_error_page(&e),
    }
}

async fn login(State(server): State<ToolServer>, request: Request) -> Response {
    match read(request).await {
        Ok(request) => into_axum(server.tool().login(request).await),
        Err(page) => page,
    }
}

async fn launch(State(server): State<ToolServer>, request: Request) -> Response {
    let request = match read(request).await {
        Ok(request) => request,
        Err(page) => return page,
    };
    let launch = match server.tool().launch(request).await {
        Ok(launch) => launch,
        Err(e) => {
            let status = e.status();
            if status.is_server_error() {
                tracing::error!(code = e.code(), error = %e, "launch failed");
            } else {
                tracing::warn!(code = e.code(), error = %e, "launch refused");
            }
            return pages::launch_failed(status, &LaunchReport::refused(&e));
        }
    };
    let id = match Launches::new_id() {
        Ok(id) => id,
        Err(e) => return server_error_page(&e),
    };
    let mut record = LaunchRecord {
        report: LaunchReport::accepted(&launch, &id),
        message: serde_json::to_value(launch.message()).unwrap_or_default(),
        id,
    };
    tracing::info!(
        issuer = %launch.registration().issuer(),
        message_type = record.report.message_type.as_deref().unwrap_or_default(),
        "launch accepted"
    );
    if launch.message().message_type == Some(MessageType::LtiDeepLinkingRequest) {
        let request = match lti_tool::deep_linking_request(&launch) {
            Ok(request) => request,
            Err(e) => return refused((e.status(), e.code(), e.to_string())),
        };
        if let Err(e) = server.launches().save(&record).await {
            return server_error_page(&e);
        }
        if server.config().auto_deep_link() {
            let first: Vec<&Activity> = ACTIVITIES.iter().take(1).collect();
            return deep_link::respond(&server, &request, &first).map_or_else(refused, into_axum);
        }
        let multiple = request.settings().accept_multiple == Some(true);
        return pages::picker(&record.report, multiple);
    }
    if let Err(e) = server.launches().save(&record).await {
        return server_error_page(&e);
    }
    if server.config().auto_services() {
        for service in SERVICES {
            if let Err(e) = services::run_and_record(&server, &mut record, service).await {
                return server_error_page(&e);
            }
        }
    }
    pages::launch(&record.report, launch.roles().is_instructor())
}

async fn show_launch(State(server): State<ToolServer>, Path(id): Path<String>) -> Response {
    match server.launches().find(&id).await {
        Ok(Some(record)) => {
            let instructor = record
                .message()
                .is_ok_and(|m| m.typed_roles().is_instructor());
            pages::launch(&record.report, instructor)
        }
        Ok(None) => unknown_launch(),
        Err(e) => server_error_page(&e),
    }
}

async fn run_service(
    State(server): State<ToolServer>,
    Path((id, service)): Path<(String, String)>,
) -> Response {
    let mut record = match server.launches().find(&id).await {
        Ok(Some(record)) => record,
        Ok(None) => return unknown_launch(),
        Err(e) => return server_error_page(&e),
    };
    match services::run_and_record(&server, &mut record, &service).await {
        Ok(Some(_)) => Redirect::to(&format!("/launches/{id}")).into_response(),
        Ok(None) => pages::failure(
            StatusCode::NOT_FOUND,
            "reference_tool.service.not_offered",
            "the launch does not offer this service (expected `nrps` or `ags`)",
        ),
        Err(e) => server_error_page(&e),
    }
}

async fn launch_json(State(server): State<ToolServer>, Path(id): Path<String>) -> Response {
    match server.launches().find(&id).await {
        Ok(Some(record)) => Json(record.report).into_response(),
        Ok(None) => json_refusal(
            StatusCode::NOT_FOUND,
            "reference_tool.launch.unknown",
            "no such launch here (launches are kept for an hour)",
        ),
        Err(e) => json_error(&e),
    }
}

async fn run_service_json(
    State(server): State<ToolServer>,
    Path((id, service)): Path<(String, String)>,
) -> Response {
    let mut record = match server.launches().find(&id).await {
        Ok(Some(record)) => record,
        Ok(None) => {
            return json_refusal(
                StatusCode::NOT_FOUND,
                "reference_tool.launch.unknown",
                "no such launch here (launches are kept for an hour)",
            );
        }
        Err(e) => return json_error(&e),
    };
    match services::run_and_record(&server, &mut record, &service).await {
        Ok(Some(report)) => Json(report).into_response(),
        Ok(None) => json_refusal(
            StatusCode::NOT_FOUND,
            "reference_tool.service.not_offered",
            "the launch does not offer this service (expected `nrps` or `ags`)",
        ),
        Err(e) => json_error(&e),
    }
}

async fn answer_deep_link(
    State(server): State<ToolServer>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let record = match server.launches().find(&id).await {
        Ok(Some(record)) => record,
        Ok(None) => return unknown_launch(),
        Err(e) => return server_error_page(&e),
    };
    let mut chosen: Vec<&Activity> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        if name != "activity" {
            continue;
        }
        match Activity::find(&value) {
            Some(activity) if !chosen.contains(&activity) => chosen.push(activity),
            Some(_) => {}
            None => {
                return pages::failure(
                    StatusCode::BAD_REQUEST,
                    "reference_tool.deep_link.unknown_activity",
                    &format!(
                        "field `activity`: expected one of the catalogue's slugs (found `{}`)",
                        value.chars().take(64).collect::<String>()
                    ),
                );
            }
        }
    }
    let message = match record.message() {
        Ok(message) => message,
        Err(e) => return server_error_page(&e),
    };
    let client_id = record.report.client_id.as_deref().unwrap_or_default();
    deep_link::request(&message, client_id)
        .and_then(|request| deep_link::respond(&server, &request, &chosen))
        .map_or_else(refused, into_axum)
}

/// The stored launch `id` when it is an instructor's: the capability for the grading and due-date pages.
async fn instructor_launch(
    server: &ToolServer,
    id: &str,
) -> Result<(LaunchRecord, LtiMessage), Response> {
    let record = match server.launches().find(id).await {
        Ok(Some(record)) => record,
        Ok(None) => return Err(unknown_launch()),
        Err(e) => return Err(server_error_page(&e)),
    };
    let message = record.message().map_err(|e| server_error_page(&e))?;
    if !message.typed_roles().is_instructor() {
        return Err(pages::failure(
            StatusCode::FORBIDDEN,
            "reference_tool.instructor_only",
            "this page needs an instructor's launch (the launch's roles have no Instructor)",
        ));
    }
    Ok((record, message))
}

/// The launch's platform registration, deployment and context, as the essays are filed.
fn scope_of(record: &LaunchRecord, message: &LtiMessage) -> Option<[String; 4]> {
    Some([
        message.iss.as_ref()?.as_str().to_owned(),
        record.report.client_id.clone()?,
        message.deployment_id.as_ref()?.as_str().to_owned(),
        message.context.as_ref()?.id.as_ref()?.as_str().to_owned(),
    ])
}

fn no_context() -> Response {
    pages::failure(
        StatusCode::BAD_REQUEST,
        "reference_tool.launch.no_context",
        "the launch has no context: essays are graded per course",
    )
}

async fn grading_page(State(server): State<ToolServer>, Path(id): Path<String>) -> Response {
    let (record, message) = match instructor_launch(&server, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Some([issuer, client_id, deployment, context]) = scope_of(&record, &message) else {
        return no_context();
    };
    match server
        .essays()
        .pending(&issuer, &client_id, &deployment, &context)
        .await
    {
        Ok(essays) => pages::grading(&record.id, &essays),
        Err(e) => server_error_page(&e),
    }
}

async fn grade_essay(
    State(server): State<ToolServer>,
    Path((id, essay_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (record, message) = match instructor_launch(&server, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Some([issuer, client_id, deployment, context]) = scope_of(&record, &message) else {
        return no_context();
    };
    let essay = match server.essays().find(&essay_id).await {
        Ok(Some(essay)) if essay.is_in(&issuer, &client_id, &deployment, &context) => essay,
        Ok(_) => {
            return pages::failure(
                StatusCode::NOT_FOUND,
                "reference_tool.essay.unknown",
                "no such essay waiting for a grade in this course",
            );
        }
        Err(e) => return server_error_page(&e),
    };
    let score = match parse_score(&body, essay.score_maximum) {
        Ok(score) => score,
        Err(message) => {
            return pages::failure(
                StatusCode::BAD_REQUEST,
                "reference_tool.essay.score",
                &message,
            );
        }
    };
    if let Err(detail) = services::grade_essay(&server, &essay, score, message.sub.as_ref()).await {
        return detail_failure(&detail);
    }
    if let Err(e) = server.essays().remove(&essay.id).await {
        return server_error_page(&e);
    }
    tracing::info!(user = %essay.user_id, score, "essay graded");
    Redirect::to(&format!("/launches/{}/grading", record.id)).into_response()
}

/// The form's `score`: one finite number in `0..=maximum`.
fn parse_score(body: &[u8], maximum: f64) -> Result<f64, String> {
    let mut values = url::form_urlencoded::parse(body).filter(|(name, _)| name == "score");
    let (Some((_, value)), None) = (values.next(), values.next()) else {
        return Err("field `score`: expected exactly one".to_owned());
    };
    let clipped: String = value.chars().take(32).collect();
    match value.trim().parse::<f64>() {
        Ok(score) if score.is_finite() && (0.0..=maximum).contains(&score) => Ok(score),
        _ => Err(format!(
            "field `score`: expected a number from 0 to {maximum} (found `{clipped}`)"
        )),
    }
}

/// The form's `due`: RFC 3339, or a `datetime-local` value (`YYYY-MM-DDTHH:MM`, read as UTC); empty clears it.
fn parse_due(body: &[u8]) -> Result<Option<Timestamp>, String> {
    let mut values = url::form_urlencoded::parse(body).filter(|(name, _)| name == "due");
    let (Some((_, value)), None) = (values.next(), values.next()) else {
        return Err("field `due`: expected exactly one".to_owned());
    };
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let clipped: String = value.chars().take(40).collect();
    Timestamp::parse(value)
        .or_else(|e| {
            if value.len() == 16 {
                Timestamp::parse(&format!("{value}:00Z"))
            } else {
                Err(e)
            }
        })
        .map(Some)
        .map_err(|_| {
            format!("field `due`: expected an RFC 3339 date-time such as 2030-01-31T23:59:00Z (found `{clipped}`)")
        })
}

async fn set_due(
    State(server): State<ToolServer>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (record, _) = match instructor_launch(&server, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let due = match parse_due(&body) {
        Ok(due) => due,
        Err(message) => {
            return pages::failure(StatusCode::BAD_REQUEST, "reference_tool.due", &message);
        }
    };
    match services::set_due(&server, &record, due).await {
        Ok(item) => pages::due_set(&serde_json::to_value(&item).unwrap_or_default()),
        Err(detail) => detail_failure(&detail),
    }
}

/// A service failure detail (`code`, `status`, `message`) as a page; a platform's 5xx is a 502 here.
fn detail_failure(detail: &serde_json::Value) -> Response {
    let status = detail
        .get("status")
        .and_then(serde_json::Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .map_or(StatusCode::BAD_GATEWAY, |s| {
            if s.is_server_error() {
                StatusCode::BAD_GATEWAY
            } else {
                s
            }
        });
    let code = detail
        .get("code")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("reference_tool.ags");
    let message = detail
        .get("message")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    tracing::warn!(code, %status, message, "AGS call failed");
    pages::failure(status, code, message)
}

async fn activity(Path(slug): Path<String>) -> Response {
    match Activity::find(&slug) {
        Some(activity) => pages::page(
            StatusCode::OK,
            activity.title,
            "<p>Launch this activity from your platform; the launch shows its diagnostics.</p>",
        ),
        None => pages::failure(
            StatusCode::NOT_FOUND,
            "reference_tool.activity.unknown",
            "no such activity",
        ),
    }
}

async fn jwks(State(server): State<ToolServer>) -> Response {
    into_axum(server.tool().jwks())
}

async fn registration(State(server): State<ToolServer>) -> Response {
    Json(server.registration()).into_response()
}

async fn list_platforms(State(server): State<ToolServer>) -> Response {
    match server.platforms().await {
        Ok(platforms) => Json(platforms).into_response(),
        Err(e) => json_error(&e),
    }
}

async fn add_platform_json(State(server): State<ToolServer>, body: Bytes) -> Response {
    let added = match PlatformSpec::from_json(&body) {
        Ok(spec) => server.add_platform(&spec).await.map(|_| spec),
        Err(e) => Err(e),
    };
    match added {
        Ok(spec) => (StatusCode::CREATED, Json(spec)).into_response(),
        Err(e) => json_error(&e),
    }
}

async fn add_platform_form(State(server): State<ToolServer>, body: Bytes) -> Response {
    let json = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "platform")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let added = match PlatformSpec::from_json(json.as_bytes()) {
        Ok(spec) => server.add_platform(&spec).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match added {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => {
            log(&e);
            pages::failure(e.status(), e.code(), &e.public_message())
        }
    }
}

/// The axum request as the facades' `http::Request<Bytes>`; a 413 page when the body is too large.
async fn read(request: Request) -> Result<http::Request<Bytes>, Response> {
    let (parts, body) = request.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => Ok(http::Request::from_parts(parts, bytes)),
        Err(_) => Err(pages::failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            "reference_tool.body_too_large",
            "the request body is larger than 256 KiB",
        )),
    }
}

fn into_axum(response: http::Response<Bytes>) -> Response {
    response.map(Body::from)
}

fn refused((status, code, message): Refusal) -> Response {
    tracing::warn!(code, %status, "deep linking refused");
    pages::failure(status, code, &message)
}

fn unknown_launch() -> Response {
    pages::failure(
        StatusCode::NOT_FOUND,
        "reference_tool.launch.unknown",
        "no such launch here (launches are kept for an hour)",
    )
}

fn log(e: &ToolServerError) {
    if e.status().is_server_error() {
        tracing::error!(code = e.code(), error = %e, "request failed");
    } else {
        tracing::warn!(code = e.code(), error = %e, "request refused");
    }
}

fn server_error_page(e: &ToolServerError) -> Response {
    log(e);
    pages::failure(e.status(), e.code(), &e.public_message())
}

fn json_error(e: &ToolServerError) -> Response {
    log(e);
    json_refusal(e.status(), e.code(), &e.public_message())
}

fn json_refusal(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c100_the_instructors_grade_is_one_number_within_the_maximum() {
        assert_eq!(parse_score(b"score=83", 100.0), Ok(83.0));
        assert_eq!(parse_score(b"score=+0.5", 100.0), Ok(0.5));
        assert_eq!(parse_score(b"score=100", 100.0), Ok(100.0));
        for hostile in [
            &b"score=100.01"[..],
            b"score=-1",
            b"score=NaN",
            b"score=inf",
            b"score=",
            b"score=1e400",
            b"score=83&score=12",
            b"grade=83",
            b"",
        ] {
            let refused = parse_score(hostile, 100.0);
            assert!(
                refused.as_ref().is_err_and(|m| m.contains("field `score`")),
                "{hostile:?}: {refused:?}"
            );
        }
        // what was sent is clipped in the message
        let long = format!("score={}", "9".repeat(500));
        assert!(parse_score(long.as_bytes(), 100.0).is_err_and(|m| m.len() < 200));
    }

    #[test]
    fn due_dates_are_rfc3339_or_datetime_local_and_empty_clears() {
        let due = parse_due(b"due=2030-01-31T23%3A59%3A00Z").ok().flatten();
        assert_eq!(
            due.map(|d| d.to_string()).as_deref(),
            Some("2030-01-31T23:59:00.000Z")
        );
        let local = parse_due(b"due=2030-01-31T23%3A59").ok().flatten();
        assert_eq!(local, due, "datetime-local is read as UTC");
        assert_eq!(parse_due(b"due="), Ok(None));
        for hostile in [
            &b"due=tomorrow"[..],
            b"due=2030-02-30T00%3A00%3A00Z",
            b"due=2030-01-31",
            b"due=%3Cscript%3E",
            b"due=1&due=2",
            b"",
        ] {
            assert!(
                parse_due(hostile).is_err_and(|m| m.contains("field `due`")),
                "{hostile:?}"
            );
        }
    }
}
