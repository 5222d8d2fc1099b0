//! Reading a key set's lifetime from `Cache-Control` (and `Age`) [RFC 9111 §5.2.2, §5.1].

use std::time::Duration;

use http::HeaderMap;
use http::header::{AGE, CACHE_CONTROL};

/// The lifetime the response asks for, before the cache's floor and ceiling are applied.
///
/// - `no-cache` or `no-store` anywhere: zero (the floor applies).
/// - otherwise the first `max-age` whose value is a plain non-negative integer (`max-age=600`), minus the `Age`
///   header when present; a quoted (`max-age="600"`), signed, fractional or empty value is ignored, as is a
///   directive that is not well formed. Values too large for a `u64` saturate.
/// - otherwise `None` (the cache's default lifetime applies).
///
/// Directives are comma-separated across all `Cache-Control` lines, names are case-insensitive, and commas inside
/// quoted strings do not separate directives.
pub(super) fn max_age(headers: &HeaderMap) -> Option<Duration> {
    let mut no_cache = false;
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else {
            continue; // not visible ASCII: not a directive list we can read
        };
        for directive in split_directives(value) {
            let (name, argument) = match directive.split_once('=') {
                Some((name, argument)) => (name.trim(), Some(argument.trim())),
                None => (directive.trim(), None),
            };
            if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
                no_cache = true;
            } else if name.eq_ignore_ascii_case("max-age") && max_age.is_none() {
                max_age = argument.and_then(delta_seconds);
            }
        }
    }
    if no_cache {
        return Some(Duration::ZERO);
    }
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| delta_seconds(v.trim()))
        .unwrap_or(0);
    max_age.map(|seconds| Duration::from_secs(seconds.saturating_sub(age)))
}

/// A `delta-seconds` value: one or more ASCII digits, saturating at `u64::MAX` [RFC 9111 §1.2.2].
fn delta_seconds(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX)) // all digits: only overflow can fail
}

/// `value` split at the commas that are outside quoted strings.
fn split_directives(value: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(value.get(start..at).unwrap_or_default());
                start = at + 1; // ',' is one byte
            }
            _ => {}
        }
    }
    parts.push(value.get(start..).unwrap_or_default());
    parts.into_iter().filter(|p| !p.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in lines {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn cc(value: &str) -> Option<Duration> {
        max_age(&headers(&[("cache-control", value)]))
    }

    #[test]
    fn max_age_is_read_case_insensitively_among_other_directives() {
        assert_eq!(cc("max-age=600"), Some(Duration::from_secs(600)));
        assert_eq!(
            cc("public, MAX-AGE=600, must-revalidate"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(cc(" Max-Age = 42 "), Some(Duration::from_secs(42)));
        assert_eq!(cc("max-age=0"), Some(Duration::ZERO));
        assert_eq!(cc("public"), None);
        assert_eq!(max_age(&HeaderMap::new()), None);
    }

    #[test]
    fn junk_and_quoted_values_are_ignored() {
        for junk in [
            "max-age=\"600\"",
            "max-age=-1",
            "max-age=+5",
            "max-age=1.5",
            "max-age=",
            "max-age",
            "max-age=60s",
            "max-age=6 0",
        ] {
            assert_eq!(cc(junk), None, "{junk}");
        }
    }

    #[test]
    fn no_cache_and_no_store_win() {
        assert_eq!(cc("max-age=600, no-cache"), Some(Duration::ZERO));
        assert_eq!(cc("No-Store"), Some(Duration::ZERO));
        assert_eq!(
            cc("no-cache=\"set-cookie\", max-age=600"),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn commas_inside_quotes_do_not_split() {
        assert_eq!(
            cc("private=\"a, max-age=999999\", max-age=60"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            cc("x=\"a\\\", max-age=1\", max-age=7"),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn first_max_age_wins_across_lines_and_huge_values_saturate() {
        let map = headers(&[
            ("cache-control", "max-age=100"),
            ("cache-control", "max-age=5"),
        ]);
        assert_eq!(max_age(&map), Some(Duration::from_secs(100)));
        assert_eq!(
            cc("max-age=99999999999999999999999"),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn age_is_subtracted() {
        let map = headers(&[("cache-control", "max-age=600"), ("age", "100")]);
        assert_eq!(max_age(&map), Some(Duration::from_secs(500)));
        let map = headers(&[("cache-control", "max-age=600"), ("age", "9000")]);
        assert_eq!(max_age(&map), Some(Duration::ZERO));
        let map = headers(&[("cache-control", "max-age=600"), ("age", "junk")]);
        assert_eq!(max_age(&map), Some(Duration::from_secs(600)));
    }
}
