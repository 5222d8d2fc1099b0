//! The JSON API: tool registration (`POST /api/tools`), the registered tools, a course's links and gradebook,
//! and the instructor's edit of a line item's due date, for scripts and other implementations.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, AppError};
use super::routes::buffered;
use super::state::PlatformState;
use lti_ags::Timestamp;
use lti_ags::gradebook::{LineItemKey, LineItemOwner};
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

/// `POST /api/contexts/{id}/lineitems/{key}` with `{"endDateTime": "2030-01-31T23:59:00Z"}` (or `null` to
/// clear): the instructor edits a column's due date in the platform; the tool reads it at its next launch
/// (guide 2.3.5). Answers the line item as the AGS service serves it (`id` being its service URL).
///
/// # Errors
/// 404 `unknown_context` / `unknown_line_item`; 400 `invalid_json` or `invalid_field` naming the member; 413
/// for a body over 64 KiB; a store failure.
pub async fn edit_line_item(
    State(state): State<PlatformState>,
    Path((id, key)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let request = buffered(request).await?;
    let due = due_from_json(request.body())?;
    let item = set_due(&state, &id, &key, due).await?;
    Ok(Json(item).into_response())
}

/// The `endDateTime` of an edit: the body must be a JSON object with exactly that member, a string or `null`.
///
/// # Errors
/// 400 `invalid_json` or `invalid_field`.
pub fn due_from_json(body: &[u8]) -> Result<Option<Timestamp>, AppError> {
    let invalid =
        |message: String| AppError::new(StatusCode::BAD_REQUEST, "invalid_field", message);
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("body: expected a JSON object ({e})"),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(invalid("body: expected a JSON object".to_owned()));
    };
    if let Some(other) = map.keys().find(|k| k.as_str() != "endDateTime") {
        let other: String = other.chars().take(64).collect();
        return Err(invalid(format!(
            "member `{other}`: only `endDateTime` can be edited here"
        )));
    }
    match map.get("endDateTime") {
        None => Err(invalid("member `endDateTime`: required".to_owned())),
        Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => parse_due(text).map(Some).map_err(invalid),
        Some(_) => Err(invalid(
            "member `endDateTime`: expected an RFC 3339 date-time string or null".to_owned(),
        )),
    }
}

/// A due date as typed: RFC 3339, or an HTML `datetime-local` value (`YYYY-MM-DDTHH:MM`, read as UTC).
///
/// # Errors
/// The message naming `endDateTime`, what is expected and (clipped) what was found.
pub fn parse_due(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    Timestamp::parse(text)
        .or_else(|e| {
            if text.len() == 16 {
                Timestamp::parse(&format!("{text}:00Z"))
            } else {
                Err(e)
            }
        })
        .map_err(|_| {
            format!(
                "member `endDateTime`: expected an RFC 3339 date-time such as 2030-01-31T23:59:00Z (found `{}`)",
                text.chars().take(40).collect::<String>()
            )
        })
}

/// Sets (or clears) the due date of line item `key` of course `context`; returns it as AGS JSON.
///
/// # Errors
/// 404 `unknown_context` / `unknown_line_item`; 400 `invalid_field` when the item would end before it starts;
/// a store failure.
pub async fn set_due(
    state: &PlatformState,
    context: &str,
    key: &str,
    due: Option<Timestamp>,
) -> Result<Value, AppError> {
    let course = course(state, context).await?;
    let unknown = || {
        AppError::new(
            StatusCode::NOT_FOUND,
            "unknown_line_item",
            format!(
                "no line item `{}` in course `{}`",
                key.chars().take(64).collect::<String>(),
                course.id.as_str()
            ),
        )
    };
    let key = LineItemKey::parse(key).ok_or_else(unknown)?;
    let (owner, mut item) = state
        .courses()
        .line_item(course.id.as_str(), &key)
        .await?
        .ok_or_else(unknown)?;
    item.end_date_time = due;
    item.check().map_err(|(field, expected)| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            format!("member `{field}`: expected {expected}"),
        )
    })?;
    let mut item = state
        .courses()
        .replace_line_item(&owner, &key, item)
        .await?
        .ok_or_else(unknown)?;
    tracing::info!(context = course.id.as_str(), key = key.as_str(), due = ?due.map(|d| d.to_string()), "due date edited");
    item.id = Some(state.ags().line_item_url(&owner, &key));
    serde_json::to_value(&item).map_err(|e| AppError::internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_end_date_time_is_edited_and_it_must_be_a_date_or_null() {
        let due = due_from_json(br#"{"endDateTime": "2030-02-15T13:00:00+01:00"}"#);
        assert_eq!(
            due.ok().flatten().map(|d| d.unix().0),
            Timestamp::parse("2030-02-15T12:00:00Z")
                .ok()
                .map(|d| d.unix().0)
        );
        assert!(matches!(
            due_from_json(br#"{"endDateTime": null}"#),
            Ok(None)
        ));
        for (body, code, names) in [
            (
                &br#"{"endDateTime": "soon"}"#[..],
                "invalid_field",
                "endDateTime",
            ),
            (br#"{"endDateTime": 1}"#, "invalid_field", "endDateTime"),
            (br#"{}"#, "invalid_field", "endDateTime"),
            (
                br#"{"endDateTime": null, "label": "x"}"#,
                "invalid_field",
                "label",
            ),
            (br#"["endDateTime"]"#, "invalid_field", "object"),
            (b"{", "invalid_json", "object"),
        ] {
            let refused = due_from_json(body).err();
            assert_eq!(refused.as_ref().map(|e| e.code), Some(code), "{body:?}");
            assert!(
                refused.is_some_and(
                    |e| e.status == StatusCode::BAD_REQUEST && e.message.contains(names)
                ),
                "{body:?}"
            );
        }
    }
}
