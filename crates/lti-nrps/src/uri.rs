//! Every NRPS protocol string, defined once [NRPS §2, §3.6].
//!
//! The claim URI itself is owned by `lti-core` ([`lti_core::uri::claim::NRPS`]) because launches carry it; it is
//! re-exported here as [`CLAIM`].

/// The launch claim that announces the service:
/// `https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice` [NRPS §3.6.1.1].
pub const CLAIM: &str = lti_core::uri::claim::NRPS;

/// The OAuth scope that allows `GET` on `context_memberships_url` [NRPS §3.6.1.2].
pub const SCOPE_CONTEXT_MEMBERSHIP_READONLY: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// The media type of a membership container, sent as `Accept` and answered as `Content-Type` [NRPS §2.1, §2.4].
pub const MEDIA_TYPE_MEMBERSHIP_CONTAINER: &str =
    "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

/// The service version this crate speaks, as listed in the claim's `service_versions` [NRPS §3.6.1.1].
pub const SERVICE_VERSION: &str = "2.0";

/// The `Link` relation of the next page [NRPS §2.4.2; RFC 8288].
pub const REL_NEXT: &str = "next";

/// The `Link` relation of the differences URL [NRPS §2.4.3; RFC 8288].
pub const REL_DIFFERENCES: &str = "differences";

/// Query parameters of a membership request [NRPS §2.4.1, §2.4.2, §3].
pub mod query {
    /// Only members with this role: a full role URI, or a short context role name [NRPS §2.4.1].
    pub const ROLE: &str = "role";
    /// The page size asked for [NRPS §2.4.2].
    pub const LIMIT: &str = "limit";
    /// A resource link id: the membership of that link, with a `message` section per member [NRPS §3].
    pub const RLID: &str = "rlid";
    /// Platform-written (this crate's service): the position a `rel="next"` page starts after.
    pub const AFTER: &str = "after";
    /// Platform-written: the moment a `rel="differences"` URL diffs against.
    pub const SINCE: &str = "since";
    /// Platform-written: on a continuation page, the moment of the first page, so that every page of one walk
    /// gives the same `rel="differences"` URL.
    pub const AS_OF: &str = "as_of";
}

/// The `message_type` every per-member message of an `rlid` answer carries [NRPS §3.6.2.1].
pub const MEMBER_MESSAGE_TYPE: &str = lti_core::uri::message_type::RESOURCE_LINK_REQUEST;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each constant compared with the table of `spec/nrps.md` (style rule 8).
    #[test]
    fn constants_match_the_spec_text() {
        assert_eq!(
            CLAIM,
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
        );
        assert_eq!(
            SCOPE_CONTEXT_MEMBERSHIP_READONLY,
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
        );
        assert_eq!(
            MEDIA_TYPE_MEMBERSHIP_CONTAINER,
            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        );
        assert_eq!(SERVICE_VERSION, "2.0");
        assert_eq!(MEMBER_MESSAGE_TYPE, "LtiResourceLinkRequest");
        assert_eq!(
            (query::ROLE, query::LIMIT, query::RLID),
            ("role", "limit", "rlid")
        );
    }
}
