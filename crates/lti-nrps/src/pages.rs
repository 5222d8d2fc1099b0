//! [`Pages`]: a roster read one page at a time, following `rel="next"` [NRPS §2.4.2, §2.4.3].

use url::Url;

use crate::error::clip;
use crate::uri::{REL_DIFFERENCES, REL_NEXT};
use crate::{Error, Member, MembershipContainer, NrpsClient, is_secure_service_url, shown_url};

/// One page of a membership answer, with its links.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The container: the context and this page's members.
    pub container: MembershipContainer,
    /// The `rel="next"` target, resolved against the page's URL; `None` on the last page.
    pub next: Option<Url>,
    /// The `rel="differences"` target, if the platform sent one: the changes since this answer.
    pub differences: Option<Url>,
}

impl Page {
    /// The members of this page.
    pub fn members(&self) -> &[Member] {
        &self.container.members
    }

    /// Reads the links of an answer to `url`; `origin_of` is the membership URL whose origin they must keep.
    pub(crate) fn from_answer(
        origin_of: &Url,
        url: &Url,
        container: MembershipContainer,
        headers: &http::HeaderMap,
    ) -> Result<Self, Error> {
        let links = lti_http::parse_link_headers(headers).map_err(|source| Error::LinkHeader {
            url: clip(&shown_url(url)),
            source,
        })?;
        let target = |rel: &'static str| -> Result<Option<Url>, Error> {
            let Some(link) = links.iter().find(|l| l.has_rel(rel)) else {
                return Ok(None);
            };
            let resolved = url
                .join(&link.target)
                .map_err(|_| Error::InvalidLinkTarget {
                    rel,
                    found: clip(&link.target),
                })?;
            check_target(origin_of, &resolved, rel)?;
            Ok(Some(resolved))
        };
        Ok(Self {
            next: target(REL_NEXT)?,
            differences: target(REL_DIFFERENCES)?,
            container,
        })
    }
}

/// A `next` or `differences` target must be https (or loopback http) on the membership URL's origin.
pub(crate) fn check_target(origin_of: &Url, target: &Url, rel: &'static str) -> Result<(), Error> {
    if !is_secure_service_url(target) {
        return Err(Error::InsecureUrl {
            what: if rel == REL_NEXT {
                "`Link` rel=\"next\""
            } else {
                "`Link` rel=\"differences\""
            },
            url: clip(&shown_url(target)),
        });
    }
    if target.origin() != origin_of.origin() {
        return Err(Error::ForeignLink {
            rel,
            expected: origin_of.origin().ascii_serialization(),
            found: clip(&shown_url(target)),
        });
    }
    Ok(())
}

/// A membership read page by page: only the current page is in memory, so a roster of any size can be walked
/// (checklist M122).
///
/// ```no_run
/// # async fn run(client: lti_nrps::NrpsClient, claim: lti_nrps::NrpsClaim) -> Result<(), lti_nrps::Error> {
/// use lti_nrps::MembershipQuery;
///
/// let mut pages = client.members(&claim, &MembershipQuery::new())?;
/// while let Some(page) = pages.next_page().await? {
///     for member in page.members() {
///         println!("{} {:?}", member.user_id, member.status);
///     }
/// }
/// // later: only what changed since this walk
/// if let Some(url) = pages.differences() {
///     let mut changes = client.differences(&claim, url)?;
///     while let Some(page) = changes.next_page().await? { /* ... */ }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Pages {
    client: NrpsClient,
    /// The membership URL whose origin every link must keep.
    origin_of: Url,
    next: Option<Url>,
    current: Option<Url>,
    read: usize,
    differences: Option<Url>,
}

impl Pages {
    pub(crate) fn new(client: NrpsClient, origin_of: &Url, first: Url) -> Self {
        Self {
            client,
            origin_of: origin_of.clone(),
            next: Some(first),
            current: None,
            read: 0,
            differences: None,
        }
    }

    /// The next page, or `None` after the last one (the page without `rel="next"`).
    ///
    /// # Errors
    /// The token or transport failure ([`Error::Token`]); the platform's answer: [`Error::Status`],
    /// [`Error::ContentType`], [`Error::Body`], [`Error::LinkHeader`], [`Error::InvalidLinkTarget`],
    /// [`Error::ForeignLink`], [`Error::InsecureUrl`]; [`Error::Paging`] for a `next` link that repeats the page
    /// or past the page cap. After an error the walk is over (`None` from then on).
    pub async fn next_page(&mut self) -> Result<Option<Page>, Error> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        if self.read >= self.client.max_pages() {
            return Err(Error::Paging {
                url: clip(&shown_url(&self.origin_of)),
                reason: format!("more than {} pages: stopped", self.client.max_pages()),
            });
        }
        if self.current.as_ref() == Some(&url) {
            return Err(Error::Paging {
                url: clip(&shown_url(&self.origin_of)),
                reason: "`next` link repeats the page just read".to_owned(),
            });
        }
        let (container, headers) = self.client.fetch(&url).await?;
        let page = Page::from_answer(&self.origin_of, &url, container, &headers)?;
        self.read = self.read.saturating_add(1);
        self.next.clone_from(&page.next);
        if page.differences.is_some() {
            self.differences.clone_from(&page.differences);
        }
        self.current = Some(url);
        Ok(Some(page))
    }

    /// The latest `rel="differences"` URL seen in this walk, to ask later for what changed.
    pub fn differences(&self) -> Option<&Url> {
        self.differences.as_ref()
    }

    /// How many pages have been read.
    pub fn pages_read(&self) -> usize {
        self.read
    }

    /// Whether the walk is over (the last page was read).
    pub fn is_done(&self) -> bool {
        self.next.is_none()
    }

    /// Reads every remaining page into one list, refusing to hold more than `max_members`. For small rosters
    /// and tests; walk [`next_page`](Self::next_page) for large ones.
    ///
    /// # Errors
    /// As [`next_page`](Self::next_page); [`Error::Paging`] past `max_members`.
    pub async fn collect_members(&mut self, max_members: usize) -> Result<Vec<Member>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            if all.len().saturating_add(page.container.members.len()) > max_members {
                return Err(Error::Paging {
                    url: clip(&shown_url(&self.origin_of)),
                    reason: format!("more than {max_members} members"),
                });
            }
            all.extend(page.container.members);
        }
        Ok(all)
    }
}
