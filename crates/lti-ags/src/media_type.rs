//! The AGS media types [AGS §3.2.1, §3.3.4, §3.4.3], defined once, and the checks of `Content-Type` and
//! `Accept` against them.

/// One line item (GET/PUT a line item; POST to the container and its answer).
pub const LINE_ITEM: &str = "application/vnd.ims.lis.v2.lineitem+json";

/// A JSON array of line items (GET the container).
pub const LINE_ITEM_CONTAINER: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";

/// A JSON array of results (GET `{lineitem}/results`).
pub const RESULT_CONTAINER: &str = "application/vnd.ims.lis.v2.resultcontainer+json";

/// One score (POST `{lineitem}/scores`); note the **v1**.
pub const SCORE: &str = "application/vnd.ims.lis.v1.score+json";

/// The essence of a `Content-Type` value: the type without parameters, trimmed and lower-cased.
pub(crate) fn essence(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether an `Accept` header value admits `media_type`: absent, `*/*`, `application/*`, the type itself, or
/// `application/json` (which every AGS body also is); `q=0` excludes.
pub(crate) fn accepts(accept: Option<&str>, media_type: &str) -> bool {
    let Some(accept) = accept else {
        return true;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let kind = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=")
                .or_else(|| p.strip_prefix("Q="))
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        !refused
            && (kind == media_type
                || kind == "*/*"
                || kind == "application/*"
                || kind == "application/json")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strings of `spec/ags.md` §3, letter for letter (note the score's v1).
    #[test]
    fn media_types_match_the_spec_table() {
        assert_eq!(LINE_ITEM, "application/vnd.ims.lis.v2.lineitem+json");
        assert_eq!(
            LINE_ITEM_CONTAINER,
            "application/vnd.ims.lis.v2.lineitemcontainer+json"
        );
        assert_eq!(
            RESULT_CONTAINER,
            "application/vnd.ims.lis.v2.resultcontainer+json"
        );
        assert_eq!(SCORE, "application/vnd.ims.lis.v1.score+json");
    }

    #[test]
    fn essence_ignores_case_and_parameters() {
        assert_eq!(
            essence("Application/VND.IMS.LIS.V1.Score+JSON; charset=utf-8"),
            SCORE
        );
        assert_eq!(essence(""), "");
    }

    #[test]
    fn accept_ranges() {
        assert!(accepts(None, LINE_ITEM));
        assert!(accepts(Some("*/*"), LINE_ITEM));
        assert!(accepts(
            Some("text/html, application/vnd.ims.lis.v2.lineitem+json;q=0.9"),
            LINE_ITEM
        ));
        assert!(accepts(Some("application/json"), RESULT_CONTAINER));
        assert!(!accepts(Some("text/html"), LINE_ITEM));
        assert!(!accepts(Some(LINE_ITEM), LINE_ITEM_CONTAINER));
        assert!(!accepts(
            Some("application/vnd.ims.lis.v2.lineitem+json;q=0"),
            LINE_ITEM
        ));
    }
}
