//! [`StoreRoster`]: a [`Roster`] over any [`Store`], paged by key and with a change log keyed by time.

use std::fmt;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use async_trait::async_trait;
use lti_core::{ContextId, MAX_ID_LEN, ResourceLinkId, UserId};
use lti_storage::{Clock, MAX_SCAN_LIMIT, Namespace, Store};

use crate::error::clip;
use crate::roster::{ChangeMark, Cursor, PageRequest, ResourceLinkRecord, Roster, RosterPage};
use crate::{ContainerContext, Error, Member, MemberStatus};

/// Contexts: `context id` → [`ContainerContext`] JSON.
const CONTEXTS: Namespace = Namespace::new("lti.nrps.contexts");
/// Members: `ctx(context) user id` → [`Member`] JSON. One context's members are one key range, in user id
/// order, so [`Store::scan_prefix`] pages through them.
const MEMBERS: Namespace = Namespace::new("lti.nrps.members");
/// The change log: `ctx(context) time(8 bytes, big-endian ns) user id` → the member as of that change
/// ([`MemberStatus::Deleted`] for one who left). One context's changes are one key range, in time order.
const CHANGES: Namespace = Namespace::new("lti.nrps.changes");
/// `ctx(context) user id` → the time of the member's entry in [`CHANGES`], so that each member has one entry
/// (its latest change): a differences answer is a diff, not a history.
const LAST_CHANGE: Namespace = Namespace::new("lti.nrps.last_change");
/// Resource links: `ctx(context) resource link id` → [`ResourceLinkRecord`] JSON.
const LINKS: Namespace = Namespace::new("lti.nrps.links");

/// The most entries one page reads to find its members when a `role` filter skips most of them; past it the
/// page is answered shorter, with a `next` link (the spec lets a page hold fewer members than asked).
pub const MAX_SCAN_PER_PAGE: usize = 10_000;

/// A [`Roster`] kept in any [`Store`] (sled, memory, or a shared backend).
///
/// - **Paging without loading.** Members are keyed by (context, user id), so a page is one
///   [`scan_prefix`](Store::scan_prefix) of `limit + 1` entries from the cursor (the extra one only tells whether
///   a next page exists). With a `role` filter the scan goes on in bounded batches until the page is full, at
///   most [`MAX_SCAN_PER_PAGE`] entries. Memory per request is bounded by the page, never by the roster.
/// - **Differences.** Every write also records the member's new state in a change log keyed by (context, time,
///   user); the member's previous entry is dropped, so the log holds each member's latest change once. A
///   [`ChangeMark`] is a time; the changes since it are one scan from that time. A member who left is logged with
///   status `Deleted`; one who was made `Inactive` with that status.
/// - **Time** comes from the injected [`Clock`]; marks are nanoseconds. A change at the very nanosecond of a
///   mark is included (a repeat is harmless, a miss is not).
///
/// Writes to one member should not race (the platform serialises its enrolment changes, as an LMS does);
/// concurrent writes stay consistent but may log a member twice. Writes are durable after
/// [`flush`](Self::flush).
#[derive(Clone)]
pub struct StoreRoster {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl StoreRoster {
    /// A roster kept in `store`, with time from `clock`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Creates or updates a context's label and title.
    ///
    /// # Errors
    /// [`Error::InvalidRecord`] for an empty or over-long id; [`Error::Storage`].
    pub async fn put_context(&self, context: &ContainerContext) -> Result<(), Error> {
        check_id("context.id", context.id.as_str())?;
        let value =
            serde_json::to_vec(context).map_err(|_| Error::Serialize { what: "context" })?;
        self.store
            .put(CONTEXTS, context.id.as_str().as_bytes(), &value, None)
            .await
            .map_err(Error::Storage)
    }

    /// Adds `member` to `context`, or replaces its record (roles, status, personal fields), and logs the change.
    /// A `message` section is not stored (the service builds it per request).
    ///
    /// # Errors
    /// [`Error::InvalidRecord`] for an empty or over-long id, or status `Deleted` (use
    /// [`remove_member`](Self::remove_member)); [`Error::Storage`].
    pub async fn put_member(&self, context: &ContextId, member: &Member) -> Result<(), Error> {
        check_id("context id", context.as_str())?;
        check_id("user_id", member.user_id.as_str())?;
        if member.is_deleted() {
            return Err(Error::InvalidRecord {
                field: "status",
                reason: "`Deleted` is not a stored status: remove the member instead",
            });
        }
        let mut stored = member.clone();
        stored.message = None;
        let value = serde_json::to_vec(&stored).map_err(|_| Error::Serialize { what: "member" })?;
        let key = member_key(context, &member.user_id);
        self.store
            .put(MEMBERS, &key, &value, None)
            .await
            .map_err(Error::Storage)?;
        self.log_change(context, &member.user_id, &value).await
    }

    /// Removes `user` from `context` and logs it as `Deleted`; returns whether it was a member.
    ///
    /// # Errors
    /// [`Error::Storage`]; [`Error::Corrupt`] if the stored member cannot be read.
    pub async fn remove_member(&self, context: &ContextId, user: &UserId) -> Result<bool, Error> {
        let key = member_key(context, user);
        let Some(current) = self
            .store
            .get(MEMBERS, &key)
            .await
            .map_err(Error::Storage)?
        else {
            return Ok(false);
        };
        let current = decode_member(&current)?;
        let gone = Member::new(current.user_id, current.roles).with_status(MemberStatus::Deleted);
        let value = serde_json::to_vec(&gone).map_err(|_| Error::Serialize { what: "member" })?;
        self.store
            .delete(MEMBERS, &key)
            .await
            .map_err(Error::Storage)?;
        self.log_change(context, user, &value).await?;
        Ok(true)
    }

    /// The member `user` of `context`, if any.
    ///
    /// # Errors
    /// [`Error::Storage`]; [`Error::Corrupt`].
    pub async fn member(
        &self,
        context: &ContextId,
        user: &UserId,
    ) -> Result<Option<Member>, Error> {
        let value = self
            .store
            .get(MEMBERS, &member_key(context, user))
            .await
            .map_err(Error::Storage)?;
        value.as_deref().map(decode_member).transpose()
    }

    /// Creates or replaces a resource link of `context`.
    ///
    /// # Errors
    /// [`Error::InvalidRecord`] for an empty or over-long id; [`Error::Storage`].
    pub async fn put_resource_link(
        &self,
        context: &ContextId,
        link: &ResourceLinkRecord,
    ) -> Result<(), Error> {
        check_id("context id", context.as_str())?;
        check_id("resource link id", link.id.as_str())?;
        let value = serde_json::to_vec(link).map_err(|_| Error::Serialize {
            what: "resource link",
        })?;
        let mut key = context_prefix(context);
        key.extend_from_slice(link.id.as_str().as_bytes());
        self.store
            .put(LINKS, &key, &value, None)
            .await
            .map_err(Error::Storage)
    }

    /// Makes every write so far durable.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn flush(&self) -> Result<(), Error> {
        self.store.flush().await.map_err(Error::Storage)
    }

    fn now_nanos(&self) -> u64 {
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Logs `user`'s new state `value`, dropping its previous log entry.
    async fn log_change(
        &self,
        context: &ContextId,
        user: &UserId,
        value: &[u8],
    ) -> Result<(), Error> {
        let now = self.now_nanos().to_be_bytes();
        let last_key = member_key(context, user);
        let previous = self
            .store
            .get(LAST_CHANGE, &last_key)
            .await
            .map_err(Error::Storage)?;
        if let Some(previous) = previous.filter(|p| p.len() == 8 && p.as_slice() != now) {
            self.store
                .delete(CHANGES, &change_key(context, &previous, user))
                .await
                .map_err(Error::Storage)?;
        }
        self.store
            .put(CHANGES, &change_key(context, &now, user), value, None)
            .await
            .map_err(Error::Storage)?;
        self.store
            .put(LAST_CHANGE, &last_key, &now, None)
            .await
            .map_err(Error::Storage)
    }

    /// One page of `ns` under `prefix`, starting strictly after `start_after`.
    async fn scan_page(
        &self,
        ns: Namespace,
        prefix: &[u8],
        start_after: Option<Vec<u8>>,
        page: PageRequest<'_>,
    ) -> Result<RosterPage, Error> {
        let limit = page.limit.clamp(1, MAX_SCAN_LIMIT - 1);
        let mut members = Vec::with_capacity(limit.min(1024));
        let mut after = start_after;
        let mut last_key: Option<Vec<u8>> = None;
        let mut scanned = 0_usize;
        loop {
            let want = limit.saturating_sub(members.len());
            let batch = match page.role {
                // enough to fill the page when about one in four matches; bounded by the store's cap
                Some(_) => want.saturating_mul(4).clamp(64, 1000),
                // one more than needed: it only tells whether a next page exists
                None => want.saturating_add(1),
            }
            .min(MAX_SCAN_LIMIT);
            let entries = self
                .store
                .scan_prefix(ns, prefix, after.as_deref(), batch)
                .await
                .map_err(Error::Storage)?;
            let exhausted = entries.len() < batch;
            for entry in entries {
                let member = decode_member(&entry.value)?;
                let keep = page.role.is_none_or(|role| member.has_role(role));
                if keep && members.len() >= limit {
                    // a further match: the page ends at the entry before it
                    let next = last_key.as_deref().map(|k| cursor(prefix, k)).transpose()?;
                    return Ok(RosterPage::new(members, next));
                }
                last_key = Some(entry.key);
                scanned = scanned.saturating_add(1);
                if keep {
                    members.push(member);
                }
            }
            if exhausted {
                return Ok(RosterPage::new(members, None));
            }
            if scanned >= MAX_SCAN_PER_PAGE {
                let next = last_key.as_deref().map(|k| cursor(prefix, k)).transpose()?;
                return Ok(RosterPage::new(members, next));
            }
            after.clone_from(&last_key);
        }
    }
}

#[async_trait]
impl Roster for StoreRoster {
    async fn context(&self, context: &ContextId) -> Result<Option<ContainerContext>, Error> {
        let value = self
            .store
            .get(CONTEXTS, context.as_str().as_bytes())
            .await
            .map_err(Error::Storage)?;
        value
            .map(|v| {
                serde_json::from_slice(&v).map_err(|e| Error::Corrupt {
                    what: "lti.nrps.contexts",
                    reason: clip(&e.to_string()),
                })
            })
            .transpose()
    }

    async fn members(
        &self,
        context: &ContextId,
        page: PageRequest<'_>,
    ) -> Result<RosterPage, Error> {
        let prefix = context_prefix(context);
        let start = match page.after {
            Some(after) => {
                let suffix = decode_cursor(after, "after")?;
                if suffix.is_empty() || suffix.len() > MAX_ID_LEN {
                    return Err(bad_cursor("after", after));
                }
                Some([prefix.as_slice(), &suffix].concat())
            }
            None => None,
        };
        self.scan_page(MEMBERS, &prefix, start, page).await
    }

    async fn change_mark(&self, _context: &ContextId) -> Result<Option<ChangeMark>, Error> {
        ChangeMark::new(self.now_nanos().to_string()).map(Some)
    }

    async fn changes(
        &self,
        context: &ContextId,
        since: &ChangeMark,
        page: PageRequest<'_>,
    ) -> Result<RosterPage, Error> {
        let digits =
            since.as_str().len() <= 20 && since.as_str().bytes().all(|b| b.is_ascii_digit());
        let since_nanos = digits
            .then(|| since.as_str().parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| Error::InvalidCursor {
                param: "since",
                found: clip(since.as_str()),
            })?;
        let prefix = context_prefix(context);
        // every entry at `since` or later sorts after `prefix time(since)` (a key is longer than that)
        let mut start = since_nanos.to_be_bytes().to_vec();
        if let Some(after) = page.after {
            let suffix = decode_cursor(after, "after")?;
            if suffix.len() < 8 || suffix.len() > 8 + MAX_ID_LEN {
                return Err(bad_cursor("after", after));
            }
            // a cursor never goes back before the mark
            start = start.max(suffix);
        }
        let start = [prefix.as_slice(), &start].concat();
        self.scan_page(CHANGES, &prefix, Some(start), page).await
    }

    async fn resource_link(
        &self,
        context: &ContextId,
        rlid: &ResourceLinkId,
    ) -> Result<Option<ResourceLinkRecord>, Error> {
        let mut key = context_prefix(context);
        key.extend_from_slice(rlid.as_str().as_bytes());
        let value = self.store.get(LINKS, &key).await.map_err(Error::Storage)?;
        value
            .map(|v| {
                serde_json::from_slice(&v).map_err(|e| Error::Corrupt {
                    what: "lti.nrps.links",
                    reason: clip(&e.to_string()),
                })
            })
            .transpose()
    }
}

impl fmt::Debug for StoreRoster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreRoster")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

fn check_id(field: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() || value.len() > MAX_ID_LEN {
        return Err(Error::InvalidRecord {
            field,
            reason: "expected 1 to 255 bytes",
        });
    }
    Ok(())
}

/// `len(context) context`, the length as u16 big-endian: one context's keys never run into another's.
fn context_prefix(context: &ContextId) -> Vec<u8> {
    let bytes = context.as_str().as_bytes();
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    let mut key = Vec::with_capacity(bytes.len().saturating_add(2 + 8 + MAX_ID_LEN));
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(bytes);
    key
}

fn member_key(context: &ContextId, user: &UserId) -> Vec<u8> {
    let mut key = context_prefix(context);
    key.extend_from_slice(user.as_str().as_bytes());
    key
}

fn change_key(context: &ContextId, time: &[u8], user: &UserId) -> Vec<u8> {
    let mut key = context_prefix(context);
    key.extend_from_slice(time);
    key.extend_from_slice(user.as_str().as_bytes());
    key
}

fn decode_member(value: &[u8]) -> Result<Member, Error> {
    serde_json::from_slice(value).map_err(|e| Error::Corrupt {
        what: "lti.nrps.members",
        reason: clip(&e.to_string()),
    })
}

/// The cursor of `key`: its part after the context prefix, in lower-case hex (a client that changes the case of
/// a URL changes nothing).
fn cursor(prefix: &[u8], key: &[u8]) -> Result<Cursor, Error> {
    let suffix = key.get(prefix.len()..).unwrap_or_default();
    let mut text = String::with_capacity(suffix.len().saturating_mul(2));
    for byte in suffix {
        text.push(hex_digit(byte >> 4));
        text.push(hex_digit(byte & 0x0f));
    }
    Cursor::new(text)
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

/// Decodes [`cursor`]'s hex, in either case.
fn decode_cursor(cursor: &Cursor, param: &'static str) -> Result<Vec<u8>, Error> {
    let text = cursor.as_str().as_bytes();
    if !text.len().is_multiple_of(2) {
        return Err(bad_cursor(param, cursor));
    }
    text.chunks_exact(2)
        .map(|pair| {
            let digit = |b: &u8| char::from(*b).to_digit(16);
            match pair {
                [hi, lo] => digit(hi)
                    .zip(digit(lo))
                    .and_then(|(h, l)| u8::try_from(h * 16 + l).ok()),
                _ => None,
            }
            .ok_or_else(|| bad_cursor(param, cursor))
        })
        .collect()
}

fn bad_cursor(param: &'static str, cursor: &Cursor) -> Error {
    Error::InvalidCursor {
        param,
        found: clip(cursor.as_str()),
    }
}
