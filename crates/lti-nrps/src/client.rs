//! [`NrpsClient`]: the tool side, reading a roster page by page [NRPS §2.4].

use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use lti_http::RequestOptions;
use lti_security::oauth::{Scopes, TokenEndpoint, TokenSource};
use url::Url;

use crate::error::clip;
use crate::pages::{Page, Pages};
use crate::uri::{MEDIA_TYPE_MEMBERSHIP_CONTAINER, SCOPE_CONTEXT_MEMBERSHIP_READONLY};
use crate::{Error, MembershipContainer, MembershipQuery, NrpsClaim, shown_url};

/// The largest page body read by default: 8 MiB (a page of 1,000 members with every personal field is well
/// under 1 MiB).
pub const DEFAULT_MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The most pages one walk reads by default (a platform that never stops sending `next` is cut off).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// How much of an error body is kept.
const ERROR_BODY_BYTES: usize = 1024;

/// Reads the membership of a launch's context (or of one resource link) for a tool [NRPS §2.4, §3].
///
/// - Every request is `GET` with `Accept: application/vnd.ims.lti-nrps.v2.membershipcontainer+json` and a
///   bearer token for `…/scope/contextmembership.readonly` from the tool's [`TokenSource`] (which retries once
///   on a 401) (checklist M121).
/// - [`members`](Self::members) returns [`Pages`]: one page in memory at a time, `rel="next"` followed as sent
///   until it is absent (checklist M122), the `rel="differences"` URL kept for later
///   ([`Pages::differences`], [`differences`](Self::differences)).
/// - The answer is hostile input: status, `Content-Type`, body size, JSON shape and the `Link` header are
///   checked, each failure a typed [`Error`]. `next`/`differences` targets must stay on the membership URL's
///   origin over https, so the bearer token never goes elsewhere; a `next` link that repeats the current page,
///   or more than [`DEFAULT_MAX_PAGES`] pages, stops the walk with an error.
///
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct NrpsClient {
    tokens: TokenSource,
    endpoint: TokenEndpoint,
    scopes: Scopes,
    max_page_bytes: usize,
    max_pages: usize,
    timeout: Option<Duration>,
}

impl NrpsClient {
    /// A client getting its tokens from `tokens` at the platform's `endpoint`.
    pub fn new(tokens: TokenSource, endpoint: TokenEndpoint) -> Self {
        Self {
            tokens,
            endpoint,
            scopes: Scopes::parse(SCOPE_CONTEXT_MEMBERSHIP_READONLY),
            max_page_bytes: DEFAULT_MAX_PAGE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            timeout: None,
        }
    }

    /// Sets the largest page body read.
    #[must_use]
    pub fn with_max_page_bytes(mut self, max: usize) -> Self {
        self.max_page_bytes = max;
        self
    }

    /// Sets the most pages one walk reads.
    #[must_use]
    pub fn with_max_pages(mut self, max: usize) -> Self {
        self.max_pages = max.max(1);
        self
    }

    /// Sets the timeout of each page request (the HTTP client's default otherwise).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The membership of the claim's context, filtered by `query` (appended to the claim's URL, whose own query
    /// is kept), as [`Pages`]. Nothing is fetched until [`Pages::next_page`].
    ///
    /// # Errors
    /// The claim's checks ([`NrpsClaim::check`]).
    pub fn members(&self, claim: &NrpsClaim, query: &MembershipQuery) -> Result<Pages, Error> {
        claim.check()?;
        let mut url = claim.context_memberships_url.clone();
        query.apply_to(&mut url);
        Ok(Pages::new(
            self.clone(),
            &claim.context_memberships_url,
            url,
        ))
    }

    /// The changes since a `differences` URL was issued (from [`Pages::differences`]), as [`Pages`]: members
    /// added or changed in their current state, members who left with status `Deleted` [NRPS §2.4.3]. The URL is
    /// used as is, and must be on the claim's origin.
    ///
    /// # Errors
    /// The claim's checks; [`Error::ForeignLink`] / [`Error::InsecureUrl`] for a URL elsewhere.
    pub fn differences(&self, claim: &NrpsClaim, differences: &Url) -> Result<Pages, Error> {
        claim.check()?;
        crate::pages::check_target(&claim.context_memberships_url, differences, "differences")?;
        Ok(Pages::new(
            self.clone(),
            &claim.context_memberships_url,
            differences.clone(),
        ))
    }

    pub(crate) fn max_pages(&self) -> usize {
        self.max_pages
    }

    /// GETs one page at `url` and checks the answer: status, then `Content-Type`, then an empty body, then
    /// JSON [style rule 14]. Returns the container and the response headers.
    pub(crate) async fn fetch(
        &self,
        url: &Url,
    ) -> Result<(MembershipContainer, http::HeaderMap), Error> {
        let shown = clip(&shown_url(url));
        let mut request = http::Request::get(url.as_str())
            .header(ACCEPT, MEDIA_TYPE_MEMBERSHIP_CONTAINER)
            .body(Bytes::new())
            .map_err(|_| Error::InvalidLinkTarget {
                rel: "next",
                found: shown.clone(),
            })?;
        let mut options = RequestOptions::default().with_max_body_bytes(self.max_page_bytes);
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        options.apply(&mut request);
        let response = self
            .tokens
            .send(&self.endpoint, &self.scopes, request)
            .await
            .map_err(Error::Token)?;
        let (parts, body) = response.into_parts();
        if parts.status != http::StatusCode::OK {
            let head = body
                .get(..ERROR_BODY_BYTES.min(body.len()))
                .unwrap_or_default();
            return Err(Error::Status {
                url: shown,
                status: parts.status.as_u16(),
                body: clip(&String::from_utf8_lossy(head)),
            });
        }
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let essence = content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        let accepted = essence.eq_ignore_ascii_case(MEDIA_TYPE_MEMBERSHIP_CONTAINER)
            || essence.eq_ignore_ascii_case("application/json");
        if !accepted {
            return Err(Error::ContentType {
                url: shown,
                found: clip(content_type.as_deref().unwrap_or("(none)")),
            });
        }
        if body.is_empty() {
            return Err(Error::Body {
                url: shown,
                reason: "empty body".to_owned(),
            });
        }
        let container = serde_json::from_slice(&body).map_err(|e| Error::Body {
            url: shown,
            reason: clip(&e.to_string()),
        })?;
        Ok((container, parts.headers))
    }

    /// Reads one page at `url` (a `next` link followed by hand, for example).
    ///
    /// # Errors
    /// As [`Pages::next_page`].
    pub async fn page(&self, claim: &NrpsClaim, url: &Url) -> Result<Page, Error> {
        claim.check()?;
        crate::pages::check_target(&claim.context_memberships_url, url, "next")?;
        let (container, headers) = self.fetch(url).await?;
        Page::from_answer(&claim.context_memberships_url, url, container, &headers)
    }
}
