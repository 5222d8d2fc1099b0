//! The JSON API: tool registration (`POST /api/tools`), the registered tools, and a course's links and
//! gradebook, for scripts and other implementations.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::course::Course;
use super::error::{ApiError, AppError};
use super::routes::buffered;
use super::state::PlatformState;

async fn course(state: &PlatformState, id: &str) -> Result<Course, AppError> {
    state.courses().course(id).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "unknown_context",
            format!("no course `{id}`"),
        )
    })
}

/// `POST /api/tools`: the body is the Dynamic Registration client-registration JSON; the answer (201) is the
/// [`Registered`](super::registry::Registered) JSON.
///
/// # Errors
/// 400 naming the failing member; 413 for a body over 64 KiB.
pub async fn register_tool(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, ApiError> {
    let request = buffered(request).await?;
    let registered = state
        .tools()
        .register(request.body(), state.endpoints(), state.courses())
        .await?;
    Ok((StatusCode::CREATED, Json(registered)).into_response())
}

/// `GET /api/tools`: the registered tools (client id, name, login URL, deployments, scopes).
///
/// # Errors
/// A store failure.
pub async fn list_tools(State(state): State<PlatformState>) -> Result<Response, ApiError> {
    let tools: Vec<Value> = state
        .tools()
        .list()
        .await?
        .iter()
        .map(|t| {
            json!({
                "client_id": t.client_id().as_str(),
                "name": t.name(),
                "initiate_login_uri": t.initiate_login_uri().as_str(),
                "deployments": t.deployments().map(|d| d.as_str()).collect::<Vec<_>>(),
                "scope": t.scopes().collect::<Vec<_>>().join(" "),
            })
        })
        .collect();
    Ok(Json(json!({ "tools": tools })).into_response())
}

/// `GET /api/contexts/{id}/links`: the course's resource links.
///
/// # Errors
/// 404 `unknown_context`; a store failure.
pub async fn links(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let course = course(&state, &id).await?;
    let links = state.courses().links(&course.id).await?;
    Ok(Json(json!({ "context_id": course.id, "links": links })).into_response())
}

/// `GET /api/contexts/{id}/gradebook`: the course's line items, each with its results.
///
/// # Errors
/// 404 `unknown_context`; a store failure.
pub async fn gradebook(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let course = course(&state, &id).await?;
    let items: Vec<Value> = state
        .courses()
        .line_items(&course.id)
        .await?
        .into_iter()
        .map(|item| {
            let mut value = json!(item);
            if let Some(map) = value.as_object_mut() {
                map.insert("results".to_owned(), json!([]));
            }
            value
        })
        .collect();
    Ok(Json(json!({ "context_id": course.id, "line_items": items })).into_response())
}
