//! The AGS OAuth 2 scopes [AGS §3.2, §3.3.2, §3.4.2], defined once.

/// Line items: read and write (`lineitems` GET/POST, line item GET/PUT/DELETE).
pub const LINE_ITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";

/// Line items: read only (`lineitems` GET, line item GET).
pub const LINE_ITEM_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";

/// Results: read (`{lineitem}/results` GET).
pub const RESULT_READONLY: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";

/// Scores: publish (`{lineitem}/scores` POST).
pub const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

/// Every AGS scope.
pub const ALL: [&str; 4] = [LINE_ITEM, LINE_ITEM_READONLY, RESULT_READONLY, SCORE];

#[cfg(test)]
mod tests {
    use super::*;

    /// The strings of `spec/ags.md` §2 and `spec/core.md` §6.6, letter for letter (anti-pattern 7).
    #[test]
    fn scopes_match_the_spec_table() {
        assert_eq!(
            ALL,
            [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ]
        );
        for s in ALL {
            assert!(s.bytes().all(|b| b.is_ascii_graphic()), "{s:?}");
        }
    }
}
