//! [`AgsService`]: the platform side of AGS as one [`Handler`]: the line item container, line items, scores
//! and results [AGS §3.2–§3.4].

mod cursor;
mod route;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_TYPE, LINK, LOCATION};
use http::{HeaderValue, Method, StatusCode};
use lti_core::service_access::{ServiceGate, base32_encode};
use lti_core::{ClientId, ContextId, UserId};
use lti_http::{Handler, Link};
use serde::Serialize;
use url::Url;

use self::cursor::Cursor;
use self::route::Route;
use crate::error::clip;
use crate::gradebook::{GradeRecord, Gradebook, LineItemKey, LineItemOwner, ScoreOutcome};
use crate::{AgsEndpointClaim, Error, LineItem, LineItemId, LineItemResult, Score, media_type};

/// The purpose the scoped URL segments of AGS are signed for.
pub const AGS_PURPOSE: &str = "ags";

/// Limits of an [`AgsService`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgsServiceConfig {
    /// Page size when the tool sends no `limit` (100).
    pub default_limit: usize,
    /// The largest page (1000); a larger `limit` is lowered to it (the platform may return fewer).
    pub max_limit: usize,
    /// The largest request body accepted (64 KiB).
    pub max_body_bytes: usize,
}

impl Default for AgsServiceConfig {
    fn default() -> Self {
        Self {
            default_limit: 100,
            max_limit: 1000,
            max_body_bytes: 64 * 1024,
        }
    }
}

/// The platform's AGS endpoints, mounted under one base URL:
///
/// | URL | methods | scope |
/// |---|---|---|
/// | `{base}/{scope}/lineitems` | GET, POST | `lineitem` (GET also `lineitem.readonly`) |
/// | `{base}/{scope}/lineitems/{key}` | GET, PUT, DELETE | `lineitem` (GET also `lineitem.readonly`) |
/// | `{base}/{scope}/lineitems/{key}/scores` | POST | `score` |
/// | `{base}/{scope}/lineitems/{key}/results` | GET | `result.readonly` |
///
/// `{scope}` is the [`ScopedUrlKey`](lti_core::service_access::ScopedUrlKey) segment of (context, client id):
/// the [`ServiceGate`] admits a request only with a bearer token holding the route's scope, of the tool the
/// URL was issued to, adopted in that context. Everything in these URLs is lower case (base path, segment,
/// keys, paging cursors), so they survive clients that lower-case URLs.
///
/// Every rejection is a typed [`Error`] answered with its status and a JSON body naming what was wrong: 400
/// malformed JSON or a broken rule, 401/403 token, scope, URL or adoption, 404 unknown item or resource link,
/// 405 method, 406 `Accept`, 413 body size, 415 `Content-Type`.
pub struct AgsService {
    base: Url,
    gate: ServiceGate,
    gradebook: Arc<dyn Gradebook>,
    config: AgsServiceConfig,
}

impl AgsService {
    /// The service at `base_url` (an absolute http(s) URL without query; its path lower case).
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for another URL.
    pub fn new(
        base_url: &str,
        gate: ServiceGate,
        gradebook: Arc<dyn Gradebook>,
    ) -> Result<Self, Error> {
        let invalid = |expected| Error::InvalidUrl {
            expected,
            found: clip(base_url, 100),
        };
        let mut base = Url::parse(base_url).map_err(|_| invalid("an absolute URL"))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(invalid("an http(s) URL"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("a URL without query or fragment"));
        }
        if base.path().bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "a lower-case path (clients lower-case service URLs)",
            ));
        }
        let trimmed = base.path().trim_end_matches('/').to_owned();
        base.set_path(&trimmed);
        Ok(Self {
            base,
            gate,
            gradebook,
            config: AgsServiceConfig::default(),
        })
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_config(mut self, config: AgsServiceConfig) -> Self {
        self.config = config;
        self
    }

    /// The gradebook.
    pub fn gradebook(&self) -> &Arc<dyn Gradebook> {
        &self.gradebook
    }

    /// The line item container URL of `context_id` for `client_id`.
    pub fn line_items_url(&self, context_id: &ContextId, client_id: &ClientId) -> String {
        let segment = self.gate.urls().segment(AGS_PURPOSE, context_id, client_id);
        format!("{}/{segment}/lineitems", self.base)
    }

    /// The URL (`id`) of line item `key` of `owner`.
    pub fn line_item_url(&self, owner: &LineItemOwner, key: &LineItemKey) -> LineItemId {
        LineItemId::new(format!(
            "{}/{key}",
            self.line_items_url(&owner.context_id, &owner.client_id)
        ))
    }

    /// The AGS claim for a launch of `client_id` in `context_id` offering `scopes`, with `lineitem` when the
    /// launched link is bound to exactly the line item `line_item` (checklist 105).
    pub fn endpoint_claim(
        &self,
        context_id: &ContextId,
        client_id: &ClientId,
        scopes: &[&str],
        line_item: Option<&LineItemKey>,
    ) -> AgsEndpointClaim {
        let owner = LineItemOwner::new(context_id.clone(), client_id.clone());
        let mut claim = AgsEndpointClaim::new(scopes.iter().copied());
        claim.lineitems = Some(self.line_items_url(context_id, client_id));
        claim.lineitem = line_item.map(|key| self.line_item_url(&owner, key));
        claim
    }

    /// Answers one AGS request. Never fails: errors are answered as responses.
    pub async fn serve(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        match self.dispatch(request).await {
            Ok(response) => response,
            Err(error) => error_response(&error),
        }
    }

    async fn dispatch(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        let (parts, body) = request.into_parts();
        let (segment, route) = Route::parse(self.base.path(), parts.uri.path())?;
        let accepted = route.accepted_scopes(&parts.method)?;
        let access = self
            .gate
            .admit(&parts, AGS_PURPOSE, segment, accepted)
            .await?;
        let owner = LineItemOwner::new(access.context_id().clone(), access.client_id().clone());
        if body.len() > self.config.max_body_bytes {
            return Err(Error::BodyTooLarge {
                len: body.len(),
                max: self.config.max_body_bytes,
            });
        }
        let query = parts.uri.query();
        match (route, parts.method.clone()) {
            (Route::Container, Method::GET) => {
                accept(&parts, media_type::LINE_ITEM_CONTAINER)?;
                self.list_line_items(&owner, query).await
            }
            (Route::Container, _) => {
                content_type(&parts, media_type::LINE_ITEM)?;
                accept(&parts, media_type::LINE_ITEM)?;
                self.create_line_item(&owner, &body).await
            }
            (Route::Item(key), Method::GET) => {
                accept(&parts, media_type::LINE_ITEM)?;
                let item = self.existing_item(&owner, &key).await?;
                Ok(self.item_response(StatusCode::OK, &owner, &key, item))
            }
            (Route::Item(key), Method::PUT) => {
                content_type(&parts, media_type::LINE_ITEM)?;
                accept(&parts, media_type::LINE_ITEM)?;
                self.update_line_item(&owner, &key, &body).await
            }
            (Route::Item(key), _) => {
                if !self.gradebook.delete_line_item(&owner, &key).await? {
                    return Err(Error::NotFound { what: "line item" });
                }
                Ok(empty(StatusCode::NO_CONTENT))
            }
            (Route::Scores(key), _) => {
                content_type(&parts, media_type::SCORE)?;
                self.post_score(&owner, &key, &body).await
            }
            (Route::Results(key), _) => {
                accept(&parts, media_type::RESULT_CONTAINER)?;
                self.list_results(&owner, &key, query).await
            }
        }
    }

    async fn list_line_items(
        &self,
        owner: &LineItemOwner,
        query: Option<&str>,
    ) -> Result<http::Response<Bytes>, Error> {
        let cursor = Cursor::from_query(
            query,
            &["resource_link_id", "resource_id", "tag"],
            &self.config,
        )?;
        let after = cursor
            .after
            .as_deref()
            .map(|a| {
                LineItemKey::parse(a).ok_or_else(|| Error::InvalidQuery {
                    parameter: "page",
                    expected: "a page cursor from a `next` link",
                    found: clip(a, 100),
                })
            })
            .transpose()?;
        let filter = cursor.filter.clone();
        let mut items = self
            .gradebook
            .line_items(
                owner,
                &filter,
                after.as_ref(),
                cursor.limit.saturating_add(1),
            )
            .await?;
        let more = items.len() > cursor.limit;
        items.truncate(cursor.limit);
        let next = match (more, items.last()) {
            (true, Some(last)) => Some(cursor.next(Some(last.key.as_str().to_owned()))),
            _ => None,
        };
        let body: Vec<LineItem> = items
            .into_iter()
            .map(|stored| self.with_id(owner, &stored.key, stored.item))
            .collect();
        let mut response = json(StatusCode::OK, media_type::LINE_ITEM_CONTAINER, &body);
        if let Some(next) = next {
            let url = format!(
                "{}?{}",
                self.line_items_url(&owner.context_id, &owner.client_id),
                next.to_query()
            );
            add_next_link(&mut response, &url);
        }
        Ok(response)
    }

    async fn create_line_item(
        &self,
        owner: &LineItemOwner,
        body: &[u8],
    ) -> Result<http::Response<Bytes>, Error> {
        let item = parse_line_item(body)?;
        if let Some(link) = &item.resource_link_id
            && !self.gradebook.resource_link_exists(owner, link).await?
        {
            return Err(Error::UnknownResourceLink {
                found: clip(link.as_str(), 100),
            });
        }
        let stored = self.gradebook.create_line_item(owner, item).await?;
        let mut response = self.item_response(StatusCode::CREATED, owner, &stored.key, stored.item);
        let location = self.line_item_url(owner, &stored.key);
        if let Ok(value) = HeaderValue::from_str(location.as_str()) {
            response.headers_mut().insert(LOCATION, value);
        }
        Ok(response)
    }

    async fn update_line_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        body: &[u8],
    ) -> Result<http::Response<Bytes>, Error> {
        let mut item = parse_line_item(body)?;
        let current = self.existing_item(owner, key).await?;
        // `id` and `resourceLinkId` never change on PUT (checklist 111): the stored values are kept
        item.resource_link_id = current.resource_link_id;
        let applied = self
            .gradebook
            .replace_line_item(owner, key, item)
            .await?
            .ok_or(Error::NotFound { what: "line item" })?;
        Ok(self.item_response(StatusCode::OK, owner, key, applied))
    }

    async fn post_score(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        body: &[u8],
    ) -> Result<http::Response<Bytes>, Error> {
        let score: Score = serde_json::from_slice(body).map_err(|e| Error::MalformedBody {
            what: "score",
            reason: clip(&e.to_string(), 200),
        })?;
        score
            .check()
            .map_err(|(field, expected)| Error::InvalidField { field, expected })?;
        match self.gradebook.record_score(owner, key, &score).await? {
            None => Err(Error::NotFound { what: "line item" }),
            Some(ScoreOutcome::Stale) => {
                tracing::debug!(
                    client_id = owner.client_id.as_str(),
                    line_item = key.as_str(),
                    "score ignored: its timestamp is not later than the stored one"
                );
                Ok(empty(StatusCode::NO_CONTENT))
            }
            Some(_) => Ok(empty(StatusCode::NO_CONTENT)),
        }
    }

    async fn list_results(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        query: Option<&str>,
    ) -> Result<http::Response<Bytes>, Error> {
        let item = self.existing_item(owner, key).await?;
        let maximum = item.score_maximum.unwrap_or(1.0);
        let cursor = Cursor::from_query(query, &["user_id"], &self.config)?;
        if let Some(user) = &cursor.user_id {
            let found = self.gradebook.grade(owner, key, user).await?;
            let body: Vec<LineItemResult> = found
                .iter()
                .map(|record| self.result(owner, key, maximum, record))
                .collect();
            return Ok(json(StatusCode::OK, media_type::RESULT_CONTAINER, &body));
        }
        let after = cursor.after.clone().map(UserId::new);
        let mut records = self
            .gradebook
            .grades(owner, key, after.as_ref(), cursor.limit.saturating_add(1))
            .await?;
        let more = records.len() > cursor.limit;
        records.truncate(cursor.limit);
        let body: Vec<LineItemResult> = records
            .iter()
            .map(|record| self.result(owner, key, maximum, record))
            .collect();
        let mut response = json(StatusCode::OK, media_type::RESULT_CONTAINER, &body);
        if let (true, Some(last)) = (more, records.last()) {
            let next = cursor.next(Some(last.user_id.as_str().to_owned()));
            let url = format!(
                "{}/results?{}",
                self.line_item_url(owner, key),
                next.to_query()
            );
            add_next_link(&mut response, &url);
        }
        Ok(response)
    }

    async fn existing_item(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
    ) -> Result<LineItem, Error> {
        self.gradebook
            .line_item(owner, key)
            .await?
            .ok_or(Error::NotFound { what: "line item" })
    }

    fn with_id(&self, owner: &LineItemOwner, key: &LineItemKey, mut item: LineItem) -> LineItem {
        item.id = Some(self.line_item_url(owner, key));
        item
    }

    fn item_response(
        &self,
        status: StatusCode,
        owner: &LineItemOwner,
        key: &LineItemKey,
        item: LineItem,
    ) -> http::Response<Bytes> {
        json(
            status,
            media_type::LINE_ITEM,
            &self.with_id(owner, key, item),
        )
    }

    fn result(
        &self,
        owner: &LineItemOwner,
        key: &LineItemKey,
        maximum: f64,
        record: &GradeRecord,
    ) -> LineItemResult {
        let item_url = self.line_item_url(owner, key);
        let mut result = LineItemResult::new(record.user_id.clone());
        result.id = Some(format!(
            "{item_url}/results/{}",
            base32_encode(record.user_id.as_str().as_bytes())
        ));
        result.score_of = Some(item_url);
        result.result_score = record.result_score(maximum);
        result.result_maximum = Some(maximum);
        result.scoring_user_id = record.scoring_user_id.clone();
        result.comment = record.comment.clone();
        result
    }
}

impl fmt::Debug for AgsService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgsService")
            .field("base", &self.base.as_str())
            .field("gate", &self.gate)
            .field("gradebook", &self.gradebook)
            .field("config", &self.config)
            .finish()
    }
}

#[async_trait]
impl Handler for AgsService {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        self.serve(request).await
    }
}

/// The error as the tool sees it: status, `Allow` on a 405, the RFC 6750 challenge on 401/403, and a JSON
/// body `{"error", "error_description"}`; internal failures are logged and answered generically.
fn error_response(error: &Error) -> http::Response<Bytes> {
    if let Error::Access(access) = error {
        if access.status().is_server_error() {
            tracing::error!(error = %access, "AGS service access check failed");
        }
        return access.response();
    }
    let status = error.status();
    let description = if status.is_server_error() {
        tracing::error!(error = %error, "AGS service failed");
        "internal error".to_owned()
    } else {
        error.to_string()
    };
    let body = serde_json::json!({ "error": error.code(), "error_description": description });
    let mut response = http::Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Error::MethodNotAllowed { allowed, .. } = error {
        headers.insert(ALLOW, HeaderValue::from_static(allowed));
    }
    response
}

fn parse_line_item(body: &[u8]) -> Result<LineItem, Error> {
    let item: LineItem = serde_json::from_slice(body).map_err(|e| Error::MalformedBody {
        what: "line item",
        reason: clip(&e.to_string(), 200),
    })?;
    item.check()
        .map_err(|(field, expected)| Error::InvalidField { field, expected })?;
    Ok(item)
}

fn header(parts: &http::request::Parts, name: http::HeaderName) -> Option<&str> {
    parts
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap_or("(not text)"))
}

fn content_type(parts: &http::request::Parts, expected: &'static str) -> Result<(), Error> {
    let found = header(parts, CONTENT_TYPE).unwrap_or_default();
    if media_type::essence(found) == expected {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType {
            expected,
            found: clip(found, 100),
        })
    }
}

fn accept(parts: &http::request::Parts, offered: &'static str) -> Result<(), Error> {
    let found = header(parts, ACCEPT);
    if media_type::accepts(found, offered) {
        Ok(())
    } else {
        Err(Error::NotAcceptable {
            offered,
            found: clip(found.unwrap_or_default(), 100),
        })
    }
}

fn json<T: Serialize>(
    status: StatusCode,
    media_type: &'static str,
    body: &T,
) -> http::Response<Bytes> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = http::Response::new(Bytes::from(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
    response
}

fn empty(status: StatusCode) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    response
}

fn add_next_link(response: &mut http::Response<Bytes>, url: &str) {
    let link = Link::new(url).with_rel("next").to_string();
    if let Ok(value) = HeaderValue::from_str(&link) {
        response.headers_mut().append(LINK, value);
    }
}
