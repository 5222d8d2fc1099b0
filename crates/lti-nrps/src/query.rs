//! The query of a membership request: `role`, `limit`, `rlid` [NRPS §2.4.1, §2.4.2, §3].

use std::num::NonZeroU32;

use lti_core::{MAX_ID_LEN, ResourceLinkId, Role};
use url::Url;

use crate::Error;
use crate::error::clip;
use crate::uri::query;

/// The longest `role` value accepted (a role URI is well under 200 bytes).
pub const MAX_ROLE_LEN: usize = 512;

/// What a tool asks for: only members with a role, a page size, the membership of one resource link.
///
/// The tool appends it to `context_memberships_url` (keeping any query the URL already has, never by string
/// concatenation); the platform reads it back with [`from_query`](Self::from_query), which refuses junk with a
/// 400 rather than guessing (anti-pattern 11).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MembershipQuery {
    /// Only members having this role [NRPS §2.4.1]. Sent as the role's raw string (a full URI, or a short
    /// context role name).
    pub role: Option<Role>,
    /// The page size asked for; the platform may answer with more or fewer [NRPS §2.4.2].
    pub limit: Option<NonZeroU32>,
    /// The resource link whose membership is wanted [NRPS §3].
    pub rlid: Option<ResourceLinkId>,
}

impl MembershipQuery {
    /// No filter, the platform's page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only members with `role`.
    #[must_use]
    pub fn with_role(mut self, role: impl Into<Role>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Pages of (about) `limit` members.
    #[must_use]
    pub fn with_limit(mut self, limit: NonZeroU32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The membership of resource link `rlid`, with each member's `message` section.
    #[must_use]
    pub fn with_rlid(mut self, rlid: impl Into<ResourceLinkId>) -> Self {
        self.rlid = Some(rlid.into());
        self
    }

    /// Appends the parameters to `url`'s query, keeping what is already there [NRPS §2.4].
    pub fn apply_to(&self, url: &mut Url) {
        if self.role.is_none() && self.limit.is_none() && self.rlid.is_none() {
            return;
        }
        let mut pairs = url.query_pairs_mut();
        if let Some(role) = &self.role {
            pairs.append_pair(query::ROLE, role.raw());
        }
        if let Some(limit) = self.limit {
            pairs.append_pair(query::LIMIT, &limit.to_string());
        }
        if let Some(rlid) = &self.rlid {
            pairs.append_pair(query::RLID, rlid.as_str());
        }
    }

    /// Reads `role`, `limit` and `rlid` from a request's query string; other parameters are left to the caller.
    ///
    /// # Errors
    /// [`Error::InvalidQuery`] naming the parameter when it is repeated, empty, too long, or (`limit`) not a whole
    /// number from 1 to 2³²−1.
    pub fn from_query(query: Option<&str>) -> Result<Self, Error> {
        let mut out = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                query::ROLE => set_once(&mut out.role, query::ROLE, parse_role(&value)?)?,
                query::LIMIT => set_once(&mut out.limit, query::LIMIT, parse_limit(&value)?)?,
                query::RLID => set_once(&mut out.rlid, query::RLID, parse_rlid(&value)?)?,
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Stores `value` in `slot` unless the parameter was already given.
fn set_once<T>(slot: &mut Option<T>, param: &'static str, value: T) -> Result<(), Error> {
    if slot.replace(value).is_some() {
        return Err(invalid(param, "a single value", "the parameter repeated"));
    }
    Ok(())
}

fn invalid(param: &'static str, expected: &'static str, found: &str) -> Error {
    Error::InvalidQuery {
        param,
        expected,
        found: clip(&found.escape_default().to_string()),
    }
}

fn parse_role(value: &str) -> Result<Role, Error> {
    if value.is_empty() || value.len() > MAX_ROLE_LEN {
        return Err(invalid(
            query::ROLE,
            "a role URI or a short context role name (1-512 bytes)",
            value,
        ));
    }
    Ok(Role::parse(value))
}

fn parse_limit(value: &str) -> Result<NonZeroU32, Error> {
    let digits =
        !value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| value.parse::<NonZeroU32>().ok())
        .flatten()
        .ok_or_else(|| invalid(query::LIMIT, "a whole number from 1 to 4294967295", value))
}

fn parse_rlid(value: &str) -> Result<ResourceLinkId, Error> {
    if value.is_empty() || value.len() > MAX_ID_LEN {
        return Err(invalid(
            query::RLID,
            "a resource link id (1-255 bytes)",
            value,
        ));
    }
    Ok(ResourceLinkId::new(value))
}

#[cfg(test)]
mod tests {
    use lti_core::role::ContextRole;

    use super::*;

    #[test]
    fn parameters_are_appended_to_an_existing_query() {
        let mut url = Url::parse("https://lms.example/nrps/c1?sig=abc&x=1").unwrap();
        MembershipQuery::new()
            .with_role(Role::context(ContextRole::Learner))
            .with_limit(NonZeroU32::new(100).unwrap())
            .with_rlid("rl 1&x")
            .apply_to(&mut url);
        assert_eq!(
            url.as_str(),
            "https://lms.example/nrps/c1?sig=abc&x=1&role=http%3A%2F%2Fpurl.imsglobal.org%2Fvocab%2Flis%2Fv2%2Fmembership%23Learner&limit=100&rlid=rl+1%26x"
        );
        let back = MembershipQuery::from_query(url.query()).unwrap();
        assert_eq!(back.role, Some(Role::context(ContextRole::Learner)));
        assert_eq!(back.limit.map(NonZeroU32::get), Some(100));
        assert_eq!(back.rlid.unwrap(), "rl 1&x");
        let mut bare = Url::parse("https://lms.example/nrps/c1").unwrap();
        MembershipQuery::new().apply_to(&mut bare);
        assert_eq!(bare.query(), None);
    }

    #[test]
    fn c126_short_context_role_names_read_as_the_full_uri() {
        let q = MembershipQuery::from_query(Some("role=Learner")).unwrap();
        assert_eq!(q.role, Some(Role::context(ContextRole::Learner)));
    }

    #[test]
    fn bad_limit_and_repeated_or_empty_parameters_are_refused() {
        for bad in [
            "limit=0",
            "limit=-1",
            "limit=abc",
            "limit=",
            "limit=1.5",
            "limit=99999999999",
            "limit=+5",
            "limit=%205",
            "limit=1&limit=2",
            "role=",
            "role=a&role=b",
            "rlid=",
            "rlid=a&rlid=b",
        ] {
            let err = MembershipQuery::from_query(Some(bad)).unwrap_err();
            assert!(matches!(err, Error::InvalidQuery { .. }), "{bad}");
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{bad}");
        }
        let long = format!("rlid={}", "r".repeat(256));
        assert!(MembershipQuery::from_query(Some(&long)).is_err());
        let err = MembershipQuery::from_query(Some("limit=ten"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`limit`") && err.contains("ten"), "{err}");
    }

    #[test]
    fn other_parameters_are_left_alone() {
        let q = MembershipQuery::from_query(Some("sig=x&after=abc&limit=5")).unwrap();
        assert_eq!(q.limit.map(NonZeroU32::get), Some(5));
        assert!(MembershipQuery::from_query(None).unwrap().role.is_none());
    }
}
