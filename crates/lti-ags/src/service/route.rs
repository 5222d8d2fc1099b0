//! Which AGS resource a request path names, and the scopes each method on it needs.

use http::Method;

use crate::error::clip;
use crate::gradebook::LineItemKey;
use crate::{Error, scope};

/// An AGS resource under the service's base path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    /// `{scope}/lineitems`
    Container,
    /// `{scope}/lineitems/{key}`
    Item(LineItemKey),
    /// `{scope}/lineitems/{key}/scores`
    Scores(LineItemKey),
    /// `{scope}/lineitems/{key}/results`
    Results(LineItemKey),
}

const READ: &[&str] = &[scope::LINE_ITEM, scope::LINE_ITEM_READONLY];
const WRITE: &[&str] = &[scope::LINE_ITEM];
const SCORE: &[&str] = &[scope::SCORE];
const RESULTS: &[&str] = &[scope::RESULT_READONLY];

impl Route {
    /// The scoped segment and the resource of `path` under `base_path`; literal segments and keys are read in
    /// any letter case (clients lower- or upper-case URLs).
    pub(super) fn parse<'a>(base_path: &str, path: &'a str) -> Result<(&'a str, Self), Error> {
        let not_found = || Error::NotFound {
            what: "AGS resource",
        };
        let prefix = path.get(..base_path.len()).ok_or_else(not_found)?;
        if !prefix.eq_ignore_ascii_case(base_path) {
            return Err(not_found());
        }
        let rest = path
            .get(base_path.len()..)
            .and_then(|r| r.strip_prefix('/'))
            .ok_or_else(not_found)?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let parts: Vec<&str> = rest.splitn(6, '/').collect();
        let key = |k: &str| {
            LineItemKey::parse(&k.to_ascii_lowercase())
                .ok_or_else(|| Error::NotFound { what: "line item" })
        };
        let is = |part: &str, literal: &str| part.eq_ignore_ascii_case(literal);
        match parts.as_slice() {
            [segment, container] if is(container, "lineitems") => Ok((segment, Self::Container)),
            [segment, container, item] if is(container, "lineitems") => {
                Ok((segment, Self::Item(key(item)?)))
            }
            [segment, container, item, tail] if is(container, "lineitems") => {
                if is(tail, "scores") {
                    Ok((segment, Self::Scores(key(item)?)))
                } else if is(tail, "results") {
                    Ok((segment, Self::Results(key(item)?)))
                } else {
                    Err(not_found())
                }
            }
            _ => {
                tracing::debug!(path = %clip(path, 200), "no AGS route");
                Err(not_found())
            }
        }
    }

    /// The scopes that open `method` on this resource (one of them is needed) [AGS §3.2, §3.3.2, §3.4.2].
    ///
    /// # Errors
    /// [`Error::MethodNotAllowed`] for a method the resource does not support (GET on scores: checklist 119).
    pub(super) fn accepted_scopes(
        &self,
        method: &Method,
    ) -> Result<&'static [&'static str], Error> {
        let (scopes, allowed, resource) = match (self, method) {
            (Self::Container, &Method::GET) | (Self::Item(_), &Method::GET) => (Some(READ), "", ""),
            (Self::Container, &Method::POST)
            | (Self::Item(_), &Method::PUT)
            | (Self::Item(_), &Method::DELETE) => (Some(WRITE), "", ""),
            (Self::Scores(_), &Method::POST) => (Some(SCORE), "", ""),
            (Self::Results(_), &Method::GET) => (Some(RESULTS), "", ""),
            (Self::Container, _) => (None, "GET, POST", "line item container"),
            (Self::Item(_), _) => (None, "GET, PUT, DELETE", "line item"),
            (Self::Scores(_), _) => (None, "POST", "scores"),
            (Self::Results(_), _) => (None, "GET", "results"),
        };
        scopes.ok_or_else(|| Error::MethodNotAllowed {
            method: clip(method.as_str(), 20),
            resource,
            allowed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_in_any_case() {
        let key = LineItemKey::parse("abc").unwrap();
        assert_eq!(
            Route::parse("/ags", "/ags/seg/lineitems").unwrap(),
            ("seg", Route::Container)
        );
        assert_eq!(
            Route::parse("/ags", "/AGS/SEG/LineItems/").unwrap(),
            ("SEG", Route::Container)
        );
        assert_eq!(
            Route::parse("/ags", "/ags/s/lineitems/ABC").unwrap().1,
            Route::Item(key.clone())
        );
        assert_eq!(
            Route::parse("/ags", "/ags/s/lineitems/abc/scores")
                .unwrap()
                .1,
            Route::Scores(key.clone())
        );
        assert_eq!(
            Route::parse("/ags", "/ags/s/lineitems/abc/RESULTS")
                .unwrap()
                .1,
            Route::Results(key)
        );
        for bad in [
            "/",
            "/ag",
            "/agsx/s/lineitems",
            "/ags",
            "/ags/s",
            "/ags/s/items",
            "/ags/s/lineitems/a%20b",
            "/ags/s/lineitems/abc/other",
            "/ags/s/lineitems/abc/scores/x/y/z",
            "/ags/é/lineitems/é",
        ] {
            assert!(Route::parse("/ags", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn c118_c119_methods_and_scopes() {
        let key = LineItemKey::parse("k").unwrap();
        assert_eq!(
            Route::Container.accepted_scopes(&Method::GET).unwrap(),
            READ
        );
        assert_eq!(
            Route::Container.accepted_scopes(&Method::POST).unwrap(),
            WRITE
        );
        assert_eq!(
            Route::Item(key.clone())
                .accepted_scopes(&Method::DELETE)
                .unwrap(),
            WRITE
        );
        assert_eq!(
            Route::Scores(key.clone())
                .accepted_scopes(&Method::POST)
                .unwrap(),
            SCORE
        );
        assert_eq!(
            Route::Results(key.clone())
                .accepted_scopes(&Method::GET)
                .unwrap(),
            RESULTS
        );
        let e = Route::Scores(key)
            .accepted_scopes(&Method::GET)
            .unwrap_err();
        assert_eq!(e.status(), 405);
    }
}
