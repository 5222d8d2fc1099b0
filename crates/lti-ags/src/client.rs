//! [`AgsClient`]: the tool side of AGS: line items, scores and results over a [`TokenSource`] [AGS §3.2–§3.4].

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{Method, StatusCode};
use lti_core::{ResourceLinkId, UserId};
use lti_http::{RequestOptions, find_link, redacted_url};
use lti_security::oauth::{Scopes, TokenEndpoint, TokenSource};
use lti_storage::Clock;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::clip;
use crate::{
    AgsEndpointClaim, Error, LineItem, LineItemId, LineItemResult, Score, Timestamp, media_type,
    scope,
};

/// The most pages a listing follows before it gives up.
pub const MAX_PAGES: usize = 100;

/// The largest answer body read, in bytes (4 MiB).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Filters for [`AgsClient::line_items`] [AGS §3.2.4].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineItemQuery {
    /// Only items bound to this resource link.
    pub resource_link_id: Option<ResourceLinkId>,
    /// Only items with this `resourceId`.
    pub resource_id: Option<String>,
    /// Only items with this `tag`.
    pub tag: Option<String>,
    /// Page size hint.
    pub limit: Option<usize>,
}

impl LineItemQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Filters for [`AgsClient::results`] [AGS §3.3].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResultQuery {
    /// Only this learner's result (at most one comes back).
    pub user_id: Option<UserId>,
    /// Page size hint.
    pub limit: Option<usize>,
}

impl ResultQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A tool's client for one context's AGS endpoints.
///
/// Built from what a tool stores, not from a live launch: the platform's [`TokenEndpoint`] (from the
/// registration) and the [`AgsEndpointClaim`] of the latest launch in the context. Every call goes through
/// [`TokenSource::send`] with exactly the scope it needs (checklist 72): reads of line items use
/// `lineitem.readonly` when offered (else `lineitem`), writes `lineitem`, scores `score`, results
/// `result.readonly`; a scope the claim does not offer is [`Error::ScopeNotOffered`] before anything is sent.
///
/// URLs: `/scores` and `/results` are appended to the line item URL's *path*, keeping its query (Moodle's
/// `?type_id=`) [AGS §3.3.1, §3.4.1]; `next` links are followed verbatim (checklist 102), resolved against the
/// page they came from, up to [`MAX_PAGES`].
///
/// The bearer token is only sent to the origin of the claim's URLs, and `next` links must stay on the origin
/// of their page.
///
/// Answers are hostile input: status, `Content-Type` essence, size ([`MAX_RESPONSE_BYTES`]) and JSON shape are
/// checked, with errors naming the URL (without query) and what was wrong.
pub struct AgsClient {
    tokens: TokenSource,
    endpoint: TokenEndpoint,
    claim: AgsEndpointClaim,
    clock: Arc<dyn Clock>,
    last_timestamp: Mutex<Option<Timestamp>>,
}

impl AgsClient {
    /// A client for the endpoints of `claim`, authorized at `endpoint` through `tokens`; `clock` stamps scores.
    pub fn new(
        tokens: TokenSource,
        endpoint: TokenEndpoint,
        claim: AgsEndpointClaim,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            tokens,
            endpoint,
            claim,
            clock,
            last_timestamp: Mutex::new(None),
        }
    }

    /// The endpoint claim in use.
    pub fn claim(&self) -> &AgsEndpointClaim {
        &self.claim
    }

    /// Now, by the client's clock, but always later than every timestamp this client handed out before, so
    /// two scores never share one (checklist 99).
    pub fn next_timestamp(&self) -> Timestamp {
        let now = Timestamp::from_system_time(self.clock.now());
        let mut last = self
            .last_timestamp
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let next = match *last {
            Some(previous) if !now.instant_cmp(&previous).is_gt() => previous.plus_micro(),
            _ => now,
        };
        *last = Some(next);
        next
    }

    /// Every line item of the container matching `query`, following `next` links.
    ///
    /// # Errors
    /// [`Error::EndpointMissing`] without `lineitems`; [`Error::ScopeNotOffered`]; the platform's refusal or an
    /// unusable answer ([`Error::Status`], [`Error::UnexpectedContentType`], [`Error::MalformedResponse`],
    /// [`Error::Link`], [`Error::Paging`]); [`Error::Token`].
    pub async fn line_items(&self, query: &LineItemQuery) -> Result<Vec<LineItem>, Error> {
        let mut url = parse_url(self.container()?)?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(id) = &query.resource_link_id {
                pairs.append_pair("resource_link_id", id.as_str());
            }
            if let Some(id) = &query.resource_id {
                pairs.append_pair("resource_id", id);
            }
            if let Some(tag) = &query.tag {
                pairs.append_pair("tag", tag);
            }
            if let Some(limit) = query.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
        }
        let url = strip_empty_query(url);
        self.all_pages(
            url,
            self.read_scope()?,
            media_type::LINE_ITEM_CONTAINER,
            "line item container",
        )
        .await
    }

    /// One line item.
    ///
    /// # Errors
    /// As [`line_items`](Self::line_items).
    pub async fn line_item(&self, id: &LineItemId) -> Result<LineItem, Error> {
        let url = parse_url(id.as_str())?;
        let response = self
            .send(
                Method::GET,
                &url,
                self.read_scope()?,
                None,
                media_type::LINE_ITEM,
            )
            .await?;
        parse(&url, &response, media_type::LINE_ITEM, "line item")
    }

    /// Creates `item` in the container; returns it as created (with its `id`).
    ///
    /// # Errors
    /// [`Error::InvalidField`] when `item` breaks a rule (blank `label`, `scoreMaximum` ≤ 0: checklist 101),
    /// before anything is sent; otherwise as [`line_items`](Self::line_items).
    pub async fn create_line_item(&self, item: &LineItem) -> Result<LineItem, Error> {
        item.check()
            .map_err(|(field, expected)| Error::InvalidField { field, expected })?;
        let url = parse_url(self.container()?)?;
        let mut body = item.clone();
        body.id = None;
        let response = self
            .send(
                Method::POST,
                &url,
                self.scope(scope::LINE_ITEM)?,
                Some((media_type::LINE_ITEM, to_json(&body)?)),
                media_type::LINE_ITEM,
            )
            .await?;
        parse(&url, &response, media_type::LINE_ITEM, "line item")
    }

    /// Replaces the line item `item.id` with `item` (GET it first: PUT is a full replace); returns it as the
    /// platform applied it.
    ///
    /// # Errors
    /// [`Error::InvalidField`] without `id` or when `item` breaks a rule; otherwise as
    /// [`line_items`](Self::line_items).
    pub async fn update_line_item(&self, item: &LineItem) -> Result<LineItem, Error> {
        let id = item.id.as_ref().ok_or(Error::InvalidField {
            field: "id",
            expected: "the URL of the line item to update",
        })?;
        item.check()
            .map_err(|(field, expected)| Error::InvalidField { field, expected })?;
        let url = parse_url(id.as_str())?;
        let response = self
            .send(
                Method::PUT,
                &url,
                self.scope(scope::LINE_ITEM)?,
                Some((media_type::LINE_ITEM, to_json(item)?)),
                media_type::LINE_ITEM,
            )
            .await?;
        parse(&url, &response, media_type::LINE_ITEM, "line item")
    }

    /// Deletes a line item.
    ///
    /// # Errors
    /// As [`line_items`](Self::line_items).
    pub async fn delete_line_item(&self, id: &LineItemId) -> Result<(), Error> {
        let url = parse_url(id.as_str())?;
        self.send(
            Method::DELETE,
            &url,
            self.scope(scope::LINE_ITEM)?,
            None,
            "",
        )
        .await?;
        Ok(())
    }

    /// The line item with the same `resourceLinkId`, `resourceId` and `tag` as `template`, created from
    /// `template` if there is none: how a tool binds to its items again after a course copy instead of
    /// creating duplicates (checklist 104).
    ///
    /// # Errors
    /// As [`line_items`](Self::line_items) and [`create_line_item`](Self::create_line_item).
    pub async fn find_or_create(&self, template: &LineItem) -> Result<LineItem, Error> {
        let query = LineItemQuery {
            resource_link_id: template.resource_link_id.clone(),
            resource_id: template.resource_id.clone(),
            tag: template.tag.clone(),
            limit: None,
        };
        let existing = self.line_items(&query).await?;
        // filter again: a platform may ignore a filter
        if let Some(found) = existing.into_iter().find(|item| {
            item.resource_link_id == template.resource_link_id
                && item.resource_id == template.resource_id
                && item.tag == template.tag
        }) {
            return Ok(found);
        }
        self.create_line_item(template).await
    }

    /// Posts `score` to the line item `id` (`{id path}/scores`, `application/vnd.ims.lis.v1.score+json`;
    /// checklist 97). Any 2xx is success.
    ///
    /// # Errors
    /// [`Error::InvalidField`] when `score` breaks a rule (checklist 98), before anything is sent; otherwise as
    /// [`line_items`](Self::line_items).
    pub async fn post_score(&self, id: &LineItemId, score: &Score) -> Result<(), Error> {
        score
            .check()
            .map_err(|(field, expected)| Error::InvalidField { field, expected })?;
        let url = child_url(id, "scores")?;
        self.send(
            Method::POST,
            &url,
            self.scope(scope::SCORE)?,
            Some((media_type::SCORE, to_json(score)?)),
            "",
        )
        .await?;
        Ok(())
    }

    /// The results of line item `id` (`{id path}/results`), following `next` links.
    ///
    /// # Errors
    /// As [`line_items`](Self::line_items).
    pub async fn results(
        &self,
        id: &LineItemId,
        query: &ResultQuery,
    ) -> Result<Vec<LineItemResult>, Error> {
        let mut url = child_url(id, "results")?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(user) = &query.user_id {
                pairs.append_pair("user_id", user.as_str());
            }
            if let Some(limit) = query.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
        }
        let url = strip_empty_query(url);
        self.all_pages(
            url,
            self.scope(scope::RESULT_READONLY)?,
            media_type::RESULT_CONTAINER,
            "result container",
        )
        .await
    }

    fn container(&self) -> Result<&str, Error> {
        self.claim
            .lineitems
            .as_deref()
            .ok_or(Error::EndpointMissing {
                member: "lineitems",
            })
    }

    fn scope(&self, scope: &'static str) -> Result<Scopes, Error> {
        if self.claim.offers(scope) {
            Ok(Scopes::parse(scope))
        } else {
            Err(Error::ScopeNotOffered { scope })
        }
    }

    fn read_scope(&self) -> Result<Scopes, Error> {
        self.scope(scope::LINE_ITEM_READONLY)
            .or_else(|_| self.scope(scope::LINE_ITEM))
    }

    /// The bearer token goes only to the origins of the claim's URLs (when it has any): a line item `id` or a
    /// link elsewhere is refused, not sent a token.
    fn check_origin(&self, url: &Url) -> Result<(), Error> {
        let origins: Vec<url::Origin> = [
            self.claim.lineitems.as_deref(),
            self.claim.lineitem.as_ref().map(LineItemId::as_str),
        ]
        .into_iter()
        .flatten()
        .filter_map(|u| Url::parse(u).ok())
        .map(|u| u.origin())
        .collect();
        if origins.is_empty() || origins.contains(&url.origin()) {
            Ok(())
        } else {
            Err(Error::InvalidUrl {
                expected: "a URL on the origin of the AGS endpoint claim",
                found: shown(url),
            })
        }
    }

    async fn all_pages<T: DeserializeOwned>(
        &self,
        first: Url,
        scopes: Scopes,
        accept: &'static str,
        what: &'static str,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut next = Some(first.clone());
        while let Some(url) = next.take() {
            if seen.len() >= MAX_PAGES || seen.iter().any(|s| s == url.as_str()) {
                return Err(Error::Paging {
                    url: shown(&first),
                    pages: seen.len(),
                });
            }
            seen.push(url.as_str().to_owned());
            let response = self
                .send(Method::GET, &url, scopes.clone(), None, accept)
                .await?;
            let page: Vec<T> = parse(&url, &response, accept, what)?;
            out.extend(page);
            let link = find_link(response.headers(), "next").map_err(|source| Error::Link {
                url: shown(&url),
                source,
            })?;
            next = match link {
                None => None,
                Some(target) => {
                    let next = url.join(&target).map_err(|_| Error::InvalidUrl {
                        expected: "a `next` link that is a URL",
                        found: clip(&target, 100),
                    })?;
                    // the bearer token goes with the request: never to another origin
                    if next.origin() != url.origin() {
                        return Err(Error::InvalidUrl {
                            expected: "a `next` link on the origin of the page it came from",
                            found: shown(&next),
                        });
                    }
                    Some(next)
                }
            };
        }
        Ok(out)
    }

    /// Sends one request with a token for `scopes`; a non-2xx answer is [`Error::Status`].
    async fn send(
        &self,
        method: Method,
        url: &Url,
        scopes: Scopes,
        body: Option<(&'static str, Vec<u8>)>,
        accept: &'static str,
    ) -> Result<http::Response<Bytes>, Error> {
        self.check_origin(url)?;
        let uri: http::Uri = url.as_str().parse().map_err(|_| Error::InvalidUrl {
            expected: "a URL an HTTP request can carry",
            found: shown(url),
        })?;
        let mut builder = http::Request::builder().method(method).uri(uri);
        if !accept.is_empty() {
            builder = builder.header(ACCEPT, accept);
        }
        let bytes = match body {
            Some((content_type, bytes)) => {
                builder = builder.header(CONTENT_TYPE, content_type);
                Bytes::from(bytes)
            }
            None => Bytes::new(),
        };
        let mut request = builder.body(bytes).map_err(|_| Error::InvalidUrl {
            expected: "a URL an HTTP request can carry",
            found: shown(url),
        })?;
        RequestOptions::default()
            .with_max_body_bytes(MAX_RESPONSE_BYTES)
            .apply(&mut request);
        let response = self.tokens.send(&self.endpoint, &scopes, request).await?;
        if !response.status().is_success() {
            return Err(Error::Status {
                url: shown(url),
                status: response.status().as_u16(),
                body: clip(&String::from_utf8_lossy(response.body()), 300),
            });
        }
        Ok(response)
    }
}

impl fmt::Debug for AgsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgsClient")
            .field("endpoint", &self.endpoint)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

/// `id` with `tail` appended to its path, its query kept [AGS §3.3.1, §3.4.1].
fn child_url(id: &LineItemId, tail: &str) -> Result<Url, Error> {
    let mut url = parse_url(id.as_str())?;
    url.path_segments_mut()
        .map_err(|()| Error::InvalidUrl {
            expected: "a line item URL with a path",
            found: clip(id.as_str(), 100),
        })?
        .pop_if_empty()
        .push(tail);
    Ok(url)
}

fn parse_url(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text).map_err(|_| Error::InvalidUrl {
        expected: "an absolute URL",
        found: clip(text, 100),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidUrl {
            expected: "an http(s) URL",
            found: clip(text, 100),
        });
    }
    Ok(url)
}

fn strip_empty_query(mut url: Url) -> Url {
    if url.query() == Some("") {
        url.set_query(None);
    }
    url
}

fn shown(url: &Url) -> String {
    url.as_str()
        .parse::<http::Uri>()
        .map_or_else(|_| clip(url.as_str(), 100), |uri| redacted_url(&uri))
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::InvalidField {
        field: "body",
        expected: if e.is_data() {
            "finite numbers"
        } else {
            "a value that serializes to JSON"
        },
    })
}

/// Checks `Content-Type` (essence `expected` or `application/json`), then parses the JSON body.
fn parse<T: DeserializeOwned>(
    url: &Url,
    response: &http::Response<Bytes>,
    expected: &'static str,
    what: &'static str,
) -> Result<T, Error> {
    let found = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"))
        .unwrap_or_default();
    let essence = media_type::essence(found);
    if essence != expected && essence != "application/json" {
        return Err(Error::UnexpectedContentType {
            url: shown(url),
            expected,
            found: clip(found, 100),
        });
    }
    if response.status() == StatusCode::NO_CONTENT || response.body().is_empty() {
        return Err(Error::MalformedResponse {
            url: shown(url),
            what,
            reason: "empty body".to_owned(),
        });
    }
    serde_json::from_slice(response.body()).map_err(|e| Error::MalformedResponse {
        url: shown(url),
        what,
        reason: clip(&e.to_string(), 200),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c97_scores_and_results_go_on_the_path_before_the_query() {
        let moodle = LineItemId::from(
            "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3",
        );
        assert_eq!(
            child_url(&moodle, "scores").unwrap().as_str(),
            "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"
        );
        let slash = LineItemId::from("https://lms.example/ctx/1/lineitems/7/");
        assert_eq!(
            child_url(&slash, "results").unwrap().as_str(),
            "https://lms.example/ctx/1/lineitems/7/results"
        );
        assert!(child_url(&LineItemId::from("mailto:a@b"), "scores").is_err());
        assert!(child_url(&LineItemId::from("/relative"), "scores").is_err());
    }
}
