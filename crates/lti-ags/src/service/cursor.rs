//! Container query parameters and the paging cursor carried in `next` links.
//!
//! A `next` link holds one parameter, `page`: the filters, the last key served and the page size as JSON in
//! lower-case base32, so the link keeps the original filters (checklist 107) and survives clients that
//! lower-case URLs (filter values may have any case).

use lti_core::UserId;
use lti_core::service_access::{base32_decode, base32_encode};
use serde::{Deserialize, Serialize};

use super::AgsServiceConfig;
use crate::Error;
use crate::error::clip;
use crate::gradebook::LineItemFilter;

/// The longest `page` value read.
const MAX_PAGE_LEN: usize = 4096;

/// What one listing request asks for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cursor {
    pub(super) filter: LineItemFilter,
    pub(super) user_id: Option<UserId>,
    pub(super) after: Option<String>,
    pub(super) limit: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Token {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a: Option<String>,
    l: usize,
}

impl Cursor {
    /// Reads `query`: the filters named in `filters` (`resource_link_id`, `resource_id`, `tag`, `user_id`),
    /// `limit` and `page`; other parameters are ignored. With `page`, the cursor's filters apply.
    pub(super) fn from_query(
        query: Option<&str>,
        filters: &[&str],
        config: &AgsServiceConfig,
    ) -> Result<Self, Error> {
        let mut cursor = Self {
            filter: LineItemFilter::default(),
            user_id: None,
            after: None,
            limit: config.default_limit,
        };
        let mut seen: Vec<String> = Vec::new();
        let mut limit = None;
        let mut page = None;
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            // names in any case: clients lower-case (and some upper-case) whole URLs
            let parameter: &'static str = match name.to_ascii_lowercase().as_str() {
                "limit" => "limit",
                "page" => "page",
                "resource_link_id" => "resource_link_id",
                "resource_id" => "resource_id",
                "tag" => "tag",
                "user_id" => "user_id",
                _ => continue,
            };
            if parameter != "limit" && parameter != "page" && !filters.contains(&parameter) {
                continue;
            }
            if seen.iter().any(|s| s == parameter) {
                return Err(Error::InvalidQuery {
                    parameter,
                    expected: "the parameter once",
                    found: clip(&value, 100),
                });
            }
            seen.push(parameter.to_owned());
            let value = value.into_owned();
            let set = (!value.is_empty()).then_some(value.clone());
            match parameter {
                "limit" => limit = Some(parse_limit(&value, config)?),
                "page" => page = Some(value),
                "resource_link_id" => cursor.filter.resource_link_id = set.map(Into::into),
                "resource_id" => cursor.filter.resource_id = set,
                "tag" => cursor.filter.tag = set,
                _ => cursor.user_id = set.map(UserId::new),
            }
        }
        if let Some(page) = page {
            let token = decode(&page)?;
            cursor.filter = LineItemFilter {
                resource_link_id: token.rl.map(Into::into),
                resource_id: token.ri,
                tag: token.t,
            };
            cursor.after = token.a;
            cursor.limit = token.l.clamp(1, config.max_limit);
        }
        if let Some(limit) = limit {
            cursor.limit = limit;
        }
        Ok(cursor)
    }

    /// The cursor of the next page: same filters and size, after `after`.
    pub(super) fn next(&self, after: Option<String>) -> Self {
        Self {
            after,
            ..self.clone()
        }
    }

    /// `page=<cursor>` for a `next` link.
    pub(super) fn to_query(&self) -> String {
        let token = Token {
            rl: self
                .filter
                .resource_link_id
                .as_ref()
                .map(|r| r.as_str().to_owned()),
            ri: self.filter.resource_id.clone(),
            t: self.filter.tag.clone(),
            a: self.after.clone(),
            l: self.limit,
        };
        let json = serde_json::to_vec(&token).unwrap_or_default();
        format!("page={}", base32_encode(&json))
    }
}

fn parse_limit(value: &str, config: &AgsServiceConfig) -> Result<usize, Error> {
    match value.parse::<usize>() {
        Ok(0) | Err(_) => Err(Error::InvalidQuery {
            parameter: "limit",
            expected: "a positive integer",
            found: clip(value, 100),
        }),
        Ok(n) => Ok(n.min(config.max_limit)),
    }
}

fn decode(page: &str) -> Result<Token, Error> {
    let invalid = || Error::InvalidQuery {
        parameter: "page",
        expected: "a page cursor from a `next` link",
        found: clip(page, 100),
    };
    if page.len() > MAX_PAGE_LEN {
        return Err(invalid());
    }
    let bytes = base32_decode(page).ok_or_else(invalid)?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &["resource_link_id", "resource_id", "tag"];

    #[test]
    fn c106_c107_filters_survive_the_cursor_and_lower_casing() {
        let config = AgsServiceConfig::default();
        let c = Cursor::from_query(
            Some("resource_link_id=RL-1&tag=Grade&limit=2&other=x"),
            ALL,
            &config,
        )
        .unwrap();
        assert_eq!(c.filter.tag.as_deref(), Some("Grade"));
        assert_eq!(c.limit, 2);
        let next = c.next(Some("abc".into())).to_query();
        assert_eq!(next, next.to_lowercase());
        let back = Cursor::from_query(Some(&next.to_uppercase()), ALL, &config).unwrap();
        assert_eq!(back.filter, c.filter);
        assert_eq!(back.after.as_deref(), Some("abc"));
        assert_eq!(back.limit, 2);
    }

    #[test]
    fn junk_is_a_400() {
        let config = AgsServiceConfig::default();
        for bad in [
            "limit=0",
            "limit=-1",
            "limit=ten",
            "limit=1&limit=2",
            "tag=a&tag=b",
            "page=!!",
            "page=mzxw6",
            &format!("page={}", "a".repeat(5000)),
        ] {
            let e = Cursor::from_query(Some(bad), ALL, &config).unwrap_err();
            assert_eq!(e.status(), 400, "{bad}");
        }
        let c = Cursor::from_query(Some("limit=999999"), ALL, &config).unwrap();
        assert_eq!(c.limit, config.max_limit);
        let c = Cursor::from_query(Some("user_id=u1"), ALL, &config).unwrap();
        assert_eq!(c.user_id, None, "not a filter of this route");
    }
}
