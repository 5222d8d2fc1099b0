//! [`NrpsService`]: the platform's membership endpoint [NRPS §2, §3].

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, LINK};
use http::{HeaderValue, Method, StatusCode};
use lti_core::claims::Custom;
use lti_core::service_access::{ServiceAccess, ServiceCaller, ServiceGate};
use lti_core::variables::substitute;
use lti_core::{ClientId, ContextId};
use lti_http::{Link, format_links};
use serde_json::{Map, Value};
use tracing::Instrument as _;
use url::Url;

use crate::error::clip;
use crate::roster::{ChangeMark, Cursor, PageRequest, ResourceLinkRecord, Roster};
use crate::uri::{
    MEDIA_TYPE_MEMBERSHIP_CONTAINER, MEMBER_MESSAGE_TYPE, REL_DIFFERENCES, REL_NEXT,
    SCOPE_CONTEXT_MEMBERSHIP_READONLY, query,
};
use crate::{
    ContainerContext, Error, Member, MemberVariables, MembershipContainer, MembershipQuery,
    NrpsClaim, Privacy, is_secure_service_url,
};

/// The purpose the membership URLs are scoped to (`lti-core`'s [`ScopedUrlKey`] segments).
///
/// [`ScopedUrlKey`]: lti_core::service_access::ScopedUrlKey
pub const NRPS_PURPOSE: &str = "nrps";

/// The page size when the tool sends no `limit`.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The largest page served, whatever `limit` asks (the spec lets a platform answer with fewer) [NRPS §2.4.2].
pub const MAX_PAGE_SIZE: usize = 1000;

/// The membership endpoint: `GET {base}/{scoped segment}[?role=…&limit=…&rlid=…]` [NRPS §2.4, §3].
///
/// Each request goes through, in order:
/// 1. method `GET` (else 405);
/// 2. `lti-core`'s shared [`ServiceGate`], exactly as AGS uses it: the bearer token (401), the NRPS scope
///    `contextmembership.readonly` (403), the scoped URL segment, which must have been issued to this very
///    tool for NRPS (403: another tool's URL, a changed context, a forged tag), and the tool's adoption in the
///    context (403);
/// 3. `Accept` (406 when it excludes the membership media type), the query (`role`, `limit`, `rlid`, and the
///    service's own `after`, `since`, `as_of`; 400 on junk), the context (404), the resource link of `rlid`
///    (404 when not in the context, 403 when another tool's: checklist N129);
/// 4. one page from the [`Roster`]: `limit` members at most (default [`DEFAULT_PAGE_SIZE`], capped at
///    [`MAX_PAGE_SIZE`]), with `Link: <…>; rel="next"` while more remain (checklist N127) and
///    `Link: <…>; rel="differences"` when the roster keeps a change log (checklist N128);
/// 5. personal fields only as the tool's [`Privacy`] allows; with `rlid`, a `message` section per member
///    carrying `message_type` `LtiResourceLinkRequest` and the link's custom parameters substituted for that
///    member (checklist N129).
///
/// Nothing depends on the whole roster: memory per request is one page.
#[derive(Clone)]
pub struct NrpsService {
    gate: ServiceGate,
    roster: Arc<dyn Roster>,
    base: Url,
    default_page: usize,
    max_page: usize,
}

impl NrpsService {
    /// The endpoint serving `{base_url}/{segment}`, checking access with `gate` and reading `roster`.
    ///
    /// # Errors
    /// [`Error::InvalidBaseUrl`] when `base_url` is not https (http only to a loopback host), or has a query or
    /// fragment.
    pub fn new(gate: ServiceGate, roster: Arc<dyn Roster>, base_url: Url) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidBaseUrl {
            url: clip(base_url.as_str()),
            reason,
        };
        if !is_secure_service_url(&base_url) {
            return Err(invalid("expected https (http only for a loopback host)"));
        }
        if base_url.query().is_some()
            || base_url.fragment().is_some()
            || base_url.cannot_be_a_base()
        {
            return Err(invalid("expected a URL without query or fragment"));
        }
        let mut base = base_url.clone();
        let trimmed = base.path().trim_end_matches('/').to_owned();
        base.set_path(&trimmed);
        Ok(Self {
            gate,
            roster,
            base,
            default_page: DEFAULT_PAGE_SIZE,
            max_page: MAX_PAGE_SIZE,
        })
    }

    /// Sets the page size used without `limit` and the largest page served (both at least 1).
    #[must_use]
    pub fn with_page_sizes(mut self, default: usize, max: usize) -> Self {
        self.max_page = max.max(1);
        self.default_page = default.clamp(1, self.max_page);
        self
    }

    /// The membership URL of `context` for the tool `client_id`: what a launch's NRPS claim carries.
    pub fn membership_url(&self, context: &ContextId, client_id: &ClientId) -> Url {
        let segment = self.gate.urls().segment(NRPS_PURPOSE, context, client_id);
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(&segment);
        }
        url
    }

    /// The launch claim for `context` and the tool `client_id` (checklist N124).
    pub fn claim(&self, context: &ContextId, client_id: &ClientId) -> NrpsClaim {
        NrpsClaim::new(self.membership_url(context, client_id))
    }

    /// Checks method, token, scope, scoped URL and adoption; the [`ServiceAccess`] it returns says who calls
    /// and which context they may read. A facade calls this, looks up the caller's registration for its
    /// privacy flags, then calls [`serve`](Self::serve).
    ///
    /// # Errors
    /// [`Error::Method`] (405), [`Error::UnknownPath`] (404), [`Error::Access`] (401/403, or 500 when storage
    /// fails).
    pub async fn admit(&self, parts: &http::request::Parts) -> Result<ServiceAccess, Error> {
        if parts.method != Method::GET {
            return Err(Error::Method {
                method: clip(parts.method.as_str()),
            });
        }
        let segment = self.segment_of(parts.uri.path())?;
        self.gate
            .admit(
                parts,
                NRPS_PURPOSE,
                segment,
                &[SCOPE_CONTEXT_MEMBERSHIP_READONLY],
            )
            .await
            .map_err(Error::Access)
    }

    /// Answers an admitted request with one page of the membership, showing personal fields as `privacy`
    /// allows (the calling tool's registration flags).
    ///
    /// # Errors
    /// [`Error::NotAcceptable`] (406), [`Error::InvalidQuery`] and [`Error::InvalidCursor`] (400),
    /// [`Error::UnknownContext`] and [`Error::UnknownResourceLink`] (404), [`Error::ForeignResourceLink`] (403);
    /// the roster's failures (500).
    pub async fn serve(
        &self,
        access: &ServiceAccess,
        parts: &http::request::Parts,
        privacy: Privacy,
    ) -> Result<http::Response<Bytes>, Error> {
        check_accept(&parts.headers)?;
        let filters = MembershipQuery::from_query(parts.uri.query())?;
        let own = OwnParams::from_query(parts.uri.query())?;
        let context_id = access.context_id();
        let context =
            self.roster
                .context(context_id)
                .await?
                .ok_or_else(|| Error::UnknownContext {
                    context: clip(context_id.as_str()),
                })?;
        let link = match &filters.rlid {
            Some(rlid) => Some(self.resource_link(access, rlid).await?),
            None => None,
        };
        let limit = filters
            .limit
            .map_or(self.default_page, |l| {
                usize::try_from(l.get()).unwrap_or(usize::MAX)
            })
            .clamp(1, self.max_page);
        let page = PageRequest {
            role: filters.role.as_ref(),
            limit,
            after: own.after.as_ref(),
            link: link.as_ref(),
        };
        let rows = match &own.since {
            Some(since) => self.roster.changes(context_id, since, page).await?,
            None => self.roster.members(context_id, page).await?,
        };
        let mark = match own.as_of {
            Some(mark) => Some(mark),
            None => self.roster.change_mark(context_id).await?,
        };

        let members = rows
            .members
            .into_iter()
            // a normal answer lists current members only (checklist N128)
            .filter(|m| own.since.is_some() || !m.is_deleted())
            .map(|mut member| {
                if let Some(link) = &link {
                    add_message(&mut member, &context, link, privacy);
                }
                member.redact(privacy.include_name, privacy.include_email);
                member
            })
            .collect();

        let here = self.url_of(parts);
        let scoped = self.scoped_url(parts);
        let mut links = Vec::with_capacity(2);
        if let Some(after) = &rows.next {
            let mut next = with_filters(&scoped, &filters);
            {
                let mut q = next.query_pairs_mut();
                if let Some(since) = &own.since {
                    q.append_pair(query::SINCE, since.as_str());
                }
                if let Some(mark) = &mark {
                    q.append_pair(query::AS_OF, mark.as_str());
                }
                q.append_pair(query::AFTER, after.as_str());
            }
            links.push(Link::new(next.as_str()).with_rel(REL_NEXT));
        }
        if let Some(mark) = &mark {
            let mut differences = with_filters(&scoped, &filters);
            differences
                .query_pairs_mut()
                .append_pair(query::SINCE, mark.as_str());
            links.push(Link::new(differences.as_str()).with_rel(REL_DIFFERENCES));
        }

        let container = MembershipContainer::new(here.as_str(), context, members);
        let body = serde_json::to_vec(&container).map_err(|_| Error::Serialize {
            what: "membership container",
        })?;
        let mut response = http::Response::new(Bytes::from(body));
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(MEDIA_TYPE_MEMBERSHIP_CONTAINER),
        );
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if !links.is_empty() {
            let value =
                HeaderValue::from_str(&format_links(&links)).map_err(|_| Error::Serialize {
                    what: "Link header",
                })?;
            headers.insert(LINK, value);
        }
        Ok(response)
    }

    /// [`admit`](Self::admit), then [`serve`](Self::serve) with the privacy `privacy` gives for the caller;
    /// every error answered by [`error_response`]. Mount it where `{base}/…` is served.
    pub async fn handle(
        &self,
        request: http::Request<Bytes>,
        privacy: impl FnOnce(&ServiceCaller) -> Privacy + Send,
    ) -> http::Response<Bytes> {
        let span = tracing::debug_span!(
            "lti.nrps.membership",
            url.path = request.uri().path(),
            client_id = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        async move {
            let (parts, _body) = request.into_parts();
            let result = async {
                let access = self.admit(&parts).await?;
                tracing::Span::current().record("client_id", access.client_id().as_str());
                let privacy = privacy(access.caller());
                self.serve(&access, &parts, privacy).await
            }
            .await;
            let response = result.unwrap_or_else(|e| error_response(&e));
            tracing::Span::current().record("status", response.status().as_u16());
            response
        }
        .instrument(span)
        .await
    }

    /// The scoped segment of `path`: the one segment after the base path.
    fn segment_of<'p>(&self, path: &'p str) -> Result<&'p str, Error> {
        let base = self.base.path().trim_end_matches('/');
        path.strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('/'))
            .filter(|segment| !segment.is_empty() && !segment.contains('/'))
            .ok_or_else(|| Error::UnknownPath { path: clip(path) })
    }

    async fn resource_link(
        &self,
        access: &ServiceAccess,
        rlid: &lti_core::ResourceLinkId,
    ) -> Result<ResourceLinkRecord, Error> {
        let record = self
            .roster
            .resource_link(access.context_id(), rlid)
            .await?
            .ok_or_else(|| Error::UnknownResourceLink {
                rlid: clip(rlid.as_str()),
                context: clip(access.context_id().as_str()),
            })?;
        if &record.client_id != access.client_id() {
            return Err(Error::ForeignResourceLink {
                rlid: clip(rlid.as_str()),
                client_id: clip(access.client_id().as_str()),
            });
        }
        Ok(record)
    }

    /// The public URL of the request (its path and query on the base URL's origin): the container's `id`.
    fn url_of(&self, parts: &http::request::Parts) -> Url {
        let mut url = self.scoped_url(parts);
        url.set_query(parts.uri.query());
        url
    }

    /// The membership URL the request was made to, without query.
    fn scoped_url(&self, parts: &http::request::Parts) -> Url {
        let mut url = self.base.clone();
        url.set_path(parts.uri.path());
        url
    }
}

impl fmt::Debug for NrpsService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NrpsService")
            .field("base", &self.base.as_str())
            .field("roster", &self.roster)
            .field("default_page", &self.default_page)
            .field("max_page", &self.max_page)
            .finish_non_exhaustive()
    }
}

/// The answer for an error: the shared service-access rendering for token, scope and scoped-URL failures
/// (`401` with `WWW-Authenticate`, `403`), otherwise the error's status with a JSON body
/// `{"error": …, "error_description": …}`; internal failures get a generic description and are logged.
pub fn error_response(error: &Error) -> http::Response<Bytes> {
    if let Error::Access(access) = error {
        if access.status().is_server_error() {
            tracing::error!(error = %access, "nrps: service access failed");
        } else {
            tracing::debug!(error = %access, "nrps: request refused");
        }
        return access.response();
    }
    let status = error.status();
    let (code, description) = if error.is_internal() {
        tracing::error!(error = %error, "nrps: internal failure");
        ("server_error", "internal error".to_owned())
    } else {
        tracing::debug!(error = %error, "nrps: request refused");
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::NOT_ACCEPTABLE => "not_acceptable",
            _ => "invalid_request",
        };
        (code, error.to_string())
    };
    let body = serde_json::json!({ "error": code, "error_description": description });
    let mut response = http::Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(http::header::ALLOW, HeaderValue::from_static("GET"));
    }
    response
}

/// The service's own parameters (`after`, `since`, `as_of`), each at most once.
#[derive(Debug, Default)]
struct OwnParams {
    after: Option<Cursor>,
    since: Option<ChangeMark>,
    as_of: Option<ChangeMark>,
}

impl OwnParams {
    fn from_query(q: Option<&str>) -> Result<Self, Error> {
        let mut out = Self::default();
        for (name, value) in url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                query::AFTER => {
                    set_once(&mut out.after, query::AFTER, Cursor::new(value.as_ref())?)?
                }
                query::SINCE => set_once(
                    &mut out.since,
                    query::SINCE,
                    ChangeMark::new(value.as_ref())?,
                )?,
                query::AS_OF => {
                    let mark =
                        ChangeMark::new(value.as_ref()).map_err(|_| Error::InvalidCursor {
                            param: query::AS_OF,
                            found: clip(&value),
                        })?;
                    set_once(&mut out.as_of, query::AS_OF, mark)?;
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

fn set_once<T>(slot: &mut Option<T>, param: &'static str, value: T) -> Result<(), Error> {
    if slot.replace(value).is_some() {
        return Err(Error::InvalidCursor {
            param,
            found: "the parameter repeated".to_owned(),
        });
    }
    Ok(())
}

/// `url` with the request's filters written back from their parsed form (junk is never reflected).
fn with_filters(url: &Url, filters: &MembershipQuery) -> Url {
    let mut out = url.clone();
    filters.apply_to(&mut out);
    out
}

/// Refuses an `Accept` header that names media ranges none of which covers the membership container.
fn check_accept(headers: &http::HeaderMap) -> Result<(), Error> {
    let mut any = false;
    for value in headers.get_all(ACCEPT) {
        let text = value.to_str().map_err(|_| Error::NotAcceptable {
            found: "a header that is not visible ASCII".to_owned(),
        })?;
        for range in text.split(',') {
            let essence = range.split(';').next().unwrap_or_default().trim();
            if essence.is_empty() {
                continue;
            }
            any = true;
            let ok = [
                MEDIA_TYPE_MEMBERSHIP_CONTAINER,
                "application/json",
                "application/*",
                "*/*",
            ]
            .iter()
            .any(|accepted| essence.eq_ignore_ascii_case(accepted));
            if ok {
                return Ok(());
            }
        }
    }
    if any {
        let found = headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        return Err(Error::NotAcceptable { found: clip(found) });
    }
    Ok(())
}

/// Adds the `message` section of an `rlid` answer: every message object carries `message_type`
/// `LtiResourceLinkRequest`, and the link's custom parameters as this member's launch would [NRPS §3.2, §3.5,
/// §3.6.2.1].
fn add_message(
    member: &mut Member,
    context: &ContainerContext,
    link: &ResourceLinkRecord,
    privacy: Privacy,
) {
    let mut custom = Custom(link.custom.clone());
    substitute(
        &mut custom,
        &MemberVariables::new(member, context, link, privacy),
    );
    let custom = (!custom.0.is_empty())
        .then(|| serde_json::to_value(&custom.0).ok())
        .flatten();
    let mut messages = member.message.take().unwrap_or_default();
    if messages.is_empty() {
        messages.push(Map::new());
    }
    for message in &mut messages {
        message.insert(
            lti_core::uri::claim::MESSAGE_TYPE.to_owned(),
            Value::String(MEMBER_MESSAGE_TYPE.to_owned()),
        );
        if let Some(custom) = &custom {
            message
                .entry(lti_core::uri::claim::CUSTOM.to_owned())
                .or_insert_with(|| custom.clone());
        }
    }
    member.message = Some(messages);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &[&str]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for a in accept {
            h.append(ACCEPT, HeaderValue::from_str(a).unwrap());
        }
        h
    }

    #[test]
    fn accept_must_cover_the_membership_media_type_when_present() {
        for ok in [
            &[][..],
            &["application/vnd.ims.lti-nrps.v2.membershipcontainer+json"],
            &["application/json;q=0.9"],
            &["text/html, */*;q=0.1"],
            &["APPLICATION/VND.IMS.LTI-NRPS.V2.MEMBERSHIPCONTAINER+JSON"],
        ] {
            assert!(check_accept(&headers(ok)).is_ok(), "{ok:?}");
        }
        for bad in [
            &["text/html"][..],
            &["application/vnd.ims.lis.v2.lineitemcontainer+json"],
        ] {
            let e = check_accept(&headers(bad)).unwrap_err();
            assert_eq!(e.status(), StatusCode::NOT_ACCEPTABLE, "{bad:?}");
        }
    }

    #[test]
    fn own_parameters_are_validated_and_single() {
        assert!(OwnParams::from_query(Some("after=abc&since=123&as_of=123")).is_ok());
        for bad in ["after=a%20b", "since=", "after=a&after=b", "as_of=%00"] {
            assert!(
                matches!(
                    OwnParams::from_query(Some(bad)),
                    Err(Error::InvalidCursor { .. })
                ),
                "{bad}"
            );
        }
    }
}
