//! The JSON API: tool registration (`POST /api/tools`), the registered tools, and a course's links and
//! gradebook, for scripts and other implementations.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, AppError};
use super::routes::buffered;
use super::state::PlatformState;
use lti_ags::gradebook::LineItemOwner;
use lti_nrps::ContainerContext;

async fn course(state: &PlatformState, id: &str) -> Result<ContainerContext, AppError> {
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
    let links = state.courses().links(course.id.as_str()).await?;
    Ok(Json(json!({ "context_id": course.id.as_str(), "links": links })).into_response())
}

/// `GET /api/contexts/{id}/gradebook`: the course's line items (AGS JSON, `id` being the service URL), each
/// with its results (`userId`, `resultScore`, `resultMaximum`, progress, `timestamp`).
///
/// # Errors
/// 404 `unknown_context`; a store or gradebook failure.
pub async fn gradebook(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let course = course(&state, &id).await?;
    let mut items = Vec::new();
    for column in state.courses().columns(course.id.as_str()).await? {
        let owner = LineItemOwner::new(course.id.clone(), column.client_id.clone());
        let mut item = column.line_item.item.clone();
        item.id = Some(state.ags().line_item_url(&owner, &column.line_item.key));
        let maximum = item.score_maximum.unwrap_or_default();
        let mut value = serde_json::to_value(&item).map_err(|e| AppError::internal(&e))?;
        let results: Vec<Value> = column
            .grades
            .iter()
            .map(|g| {
                json!({
                    "userId": g.user_id.as_str(),
                    "resultScore": g.result_score(maximum),
                    "resultMaximum": maximum,
                    "activityProgress": g.activity_progress,
                    "gradingProgress": g.grading_progress,
                    "timestamp": g.timestamp,
                    "comment": g.comment,
                })
            })
            .collect();
        if let Some(map) = value.as_object_mut() {
            map.insert("key".to_owned(), json!(column.line_item.key.as_str()));
            map.insert("clientId".to_owned(), json!(column.client_id.as_str()));
            map.insert("results".to_owned(), Value::Array(results));
        }
        items.push(value);
    }
    Ok(Json(json!({ "context_id": course.id.as_str(), "line_items": items })).into_response())
}
