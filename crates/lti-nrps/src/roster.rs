//! [`Roster`]: where the platform's membership comes from, one page at a time.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use lti_core::{ClientId, ContextId, ResourceLinkId, Role};
use serde::{Deserialize, Serialize};

use crate::error::clip;
use crate::{ContainerContext, Error, Member};

/// The longest [`Cursor`] or [`ChangeMark`], in bytes.
pub const MAX_CURSOR_LEN: usize = 1024;

macro_rules! opaque_position {
    ($(#[$meta:meta])* $name:ident, $param:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value the roster wrote: 1 to [`MAX_CURSOR_LEN`] bytes of ASCII letters, digits, `-`, `_`
            /// and `.` (it travels in a query string).
            ///
            /// # Errors
            #[doc = concat!("[`Error::InvalidCursor`] naming `", $param, "` when the value breaks that rule.")]
            pub fn new(value: impl Into<String>) -> Result<Self, Error> {
                let value = value.into();
                let ok = !value.is_empty()
                    && value.len() <= MAX_CURSOR_LEN
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                if ok {
                    Ok(Self(value))
                } else {
                    Err(Error::InvalidCursor {
                        param: $param,
                        found: clip(&value.escape_default().to_string()),
                    })
                }
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

opaque_position!(
    /// A position in a roster, opaque to everyone but the [`Roster`] that wrote it: the `after` parameter of a
    /// `rel="next"` link. A tool may change it; the roster must treat it as hostile (a position is harmless as
    /// long as it stays inside the context it was asked about).
    Cursor,
    "after"
);

opaque_position!(
    /// A moment in a roster's change history: the `since` parameter of a `rel="differences"` link. Opaque to
    /// everyone but the [`Roster`] that wrote it, and hostile when it comes back.
    ChangeMark,
    "since"
);

/// A resource link as the membership service needs it: which tool owns it, and the custom parameters its
/// launches carry (substituted per member in the `message` section of an `rlid` answer) [NRPS §3].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceLinkRecord {
    /// The resource link id.
    pub id: ResourceLinkId,
    /// The tool the link belongs to: another tool's `rlid` is refused (checklist N129).
    pub client_id: ClientId,
    /// The link's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The link's custom parameters, unsubstituted (`$User.id` stays a variable here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, String>,
}

impl ResourceLinkRecord {
    /// A link of `client_id`'s tool, with no title and no custom parameters.
    pub fn new(id: impl Into<ResourceLinkId>, client_id: impl Into<ClientId>) -> Self {
        Self {
            id: id.into(),
            client_id: client_id.into(),
            title: None,
            custom: BTreeMap::new(),
        }
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a custom parameter.
    #[must_use]
    pub fn with_custom(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.insert(name.into(), value.into());
        self
    }
}

/// What one page should hold.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PageRequest<'a> {
    /// Only members having this role (as in [`Member::has_role`]) [NRPS §2.4.1].
    pub role: Option<&'a Role>,
    /// At most this many members (≥ 1; the service has already capped it).
    pub limit: usize,
    /// Start strictly after this position (from the previous page's [`RosterPage::next`]).
    pub after: Option<&'a Cursor>,
    /// The membership of this resource link (already checked to be the caller's and in the context). A roster
    /// may leave out members who cannot access the link [NRPS §3.3]; the service adds the `message` section.
    pub link: Option<&'a ResourceLinkRecord>,
}

impl<'a> PageRequest<'a> {
    /// A page of at most `limit` members from the start, unfiltered.
    pub fn new(limit: usize) -> Self {
        Self {
            role: None,
            limit,
            after: None,
            link: None,
        }
    }

    /// Only members with `role`.
    #[must_use]
    pub fn with_role(mut self, role: &'a Role) -> Self {
        self.role = Some(role);
        self
    }

    /// Continue after `cursor`.
    #[must_use]
    pub fn after(mut self, cursor: &'a Cursor) -> Self {
        self.after = Some(cursor);
        self
    }
}

/// One page of a roster.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RosterPage {
    /// The members, in the roster's order (at most the requested limit).
    pub members: Vec<Member>,
    /// Where the next page starts; `None` on the last page (then no `rel="next"` link is sent, checklist N127).
    pub next: Option<Cursor>,
}

impl RosterPage {
    /// A page.
    pub fn new(members: Vec<Member>, next: Option<Cursor>) -> Self {
        Self { members, next }
    }
}

/// The platform's membership, as the NRPS endpoint reads it: implement it over the LMS's enrolment tables, or
/// use [`StoreRoster`](crate::StoreRoster) over any [`Store`](lti_storage::Store).
///
/// Every method reads one page at most: the service never asks for a whole roster, so a roster of 100,000
/// members is served in pages without being loaded. Context ownership (is the tool deployed here?) is checked
/// before the roster is asked, by `lti-core`'s shared service gate.
#[async_trait]
pub trait Roster: Send + Sync + fmt::Debug {
    /// The context's id, label and title; `None` when the platform does not know it (answered 404).
    ///
    /// # Errors
    /// A backend failure ([`Error::Storage`], [`Error::Backend`]).
    async fn context(&self, context: &ContextId) -> Result<Option<ContainerContext>, Error>;

    /// One page of the current membership: members with status `Active` or `Inactive`, never `Deleted`
    /// (checklist N128), filtered and positioned as `page` says.
    ///
    /// # Errors
    /// [`Error::InvalidCursor`] for a cursor this roster did not write; a backend failure.
    async fn members(
        &self,
        context: &ContextId,
        page: PageRequest<'_>,
    ) -> Result<RosterPage, Error>;

    /// A mark for "now", to hand out in a `rel="differences"` link; `None` when the roster keeps no change
    /// history (then no differences link is sent).
    ///
    /// # Errors
    /// A backend failure.
    async fn change_mark(&self, context: &ContextId) -> Result<Option<ChangeMark>, Error>;

    /// One page of the changes since `since`: each member added or changed since then, in their current state,
    /// and each member who left, with status `Deleted` [NRPS §2.4.3] (checklist N128). A diff against that
    /// moment, not a history: a member changed twice appears once.
    ///
    /// # Errors
    /// [`Error::InvalidCursor`] for a mark or cursor this roster did not write; a backend failure.
    async fn changes(
        &self,
        context: &ContextId,
        since: &ChangeMark,
        page: PageRequest<'_>,
    ) -> Result<RosterPage, Error>;

    /// The resource link `rlid` of `context`, or `None` when the context has no such link [NRPS §3.1].
    ///
    /// # Errors
    /// A backend failure.
    async fn resource_link(
        &self,
        context: &ContextId,
        rlid: &ResourceLinkId,
    ) -> Result<Option<ResourceLinkRecord>, Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_travel_safely_in_a_query_string() {
        assert!(Cursor::new("AAECAw-_").is_ok());
        assert!(ChangeMark::new("1800000000000000000").is_ok());
        for bad in [
            "",
            "a b",
            "a&b",
            "a%20",
            "é",
            &"a".repeat(MAX_CURSOR_LEN + 1),
        ] {
            assert!(
                matches!(
                    Cursor::new(bad),
                    Err(Error::InvalidCursor { param: "after", .. })
                ),
                "{bad}"
            );
            assert!(matches!(
                ChangeMark::new(bad),
                Err(Error::InvalidCursor { param: "since", .. })
            ));
        }
    }
}
