//! Every LTI protocol string of the core message model, defined once [Core §5, §6; Migr; SR; AGS; NRPS; DL].
//!
//! Claim names live in [`claim`], message type names in [`message_type`], the version in [`LTI_VERSION`]. The
//! typed claims in [`crate::claims`] carry the same strings through [`Claim::URI`](crate::claims::Claim::URI).
//! `tests/uri.rs` compares each constant with the spec digest, so a stray space or a typo fails the build.

/// The only LTI version this crate speaks: the value of [`claim::VERSION`] [Core §5.3.2].
pub const LTI_VERSION: &str = "1.3.0";

/// Claim names of the `id_token` payload (JSON object keys).
pub mod claim {
    /// The prefix shared by the core LTI claims [Core §5.3].
    pub const LTI_PREFIX: &str = "https://purl.imsglobal.org/spec/lti/claim/";

    /// `message_type`: which LTI message this is [Core §5.3.1].
    pub const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
    /// `version`: the LTI version, [`LTI_VERSION`](super::LTI_VERSION) [Core §5.3.2].
    pub const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
    /// `deployment_id`: the installation of the tool in the platform [Core §5.3.3].
    pub const DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
    /// `target_link_uri`: where the tool shows the launch (the signed value) [Core §5.3.4].
    pub const TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
    /// `resource_link`: the link launched [Core §5.3.5].
    pub const RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
    /// `roles`: the user's roles, possibly empty [Core §5.3.7].
    pub const ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
    /// `role_scope_mentor`: user ids the (mentor) user mentors [Core §5.4.3].
    pub const ROLE_SCOPE_MENTOR: &str =
        "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor";
    /// `context`: the course, section or group of the launch [Core §5.4.1].
    pub const CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
    /// `tool_platform`: the platform instance [Core §5.4.2].
    pub const TOOL_PLATFORM: &str = "https://purl.imsglobal.org/spec/lti/claim/tool_platform";
    /// `launch_presentation`: how the platform shows the tool [Core §5.4.4].
    pub const LAUNCH_PRESENTATION: &str =
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation";
    /// `lis`: LIS sourcedids and Basic Outcomes ids [Core §5.4.5, App. D].
    pub const LIS: &str = "https://purl.imsglobal.org/spec/lti/claim/lis";
    /// `custom`: custom properties, string to string [Core §5.4.6].
    pub const CUSTOM: &str = "https://purl.imsglobal.org/spec/lti/claim/custom";
    /// `lti1p1`: LTI 1.1 migration data (Migr `#lti-1-1-migration-claim`).
    pub const LTI1P1: &str = "https://purl.imsglobal.org/spec/lti/claim/lti1p1";
    /// `lti11_legacy_user_id`: legacy LTI 1.1 user id (Canvas, reference implementation; not in Core).
    pub const LTI11_LEGACY_USER_ID: &str =
        "https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id";
    /// `for_user`: the user whose submission is reviewed (SR `#for-user-claim`).
    pub const FOR_USER: &str = "https://purl.imsglobal.org/spec/lti/claim/for_user";

    /// Assignment and Grade Services endpoint claim [AGS §3.1].
    pub const AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
    /// Names and Role Provisioning Services claim [NRPS §3.6.1.1].
    pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
    /// Deep Linking settings claim (deep linking requests) [DL §4.4.1].
    pub const DEEP_LINKING_SETTINGS: &str =
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
    /// Basic Outcomes 1.1 claim in LTI 1.3 launches [BO "Integration with LTI 1.3"].
    pub const BASIC_OUTCOME: &str = "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome";
}

/// Values of the [`claim::MESSAGE_TYPE`] claim [Core §5.3.1; DL §4.4, §4.5; SR].
pub mod message_type {
    /// A resource link launch [Core §5].
    pub const RESOURCE_LINK_REQUEST: &str = "LtiResourceLinkRequest";
    /// A deep linking request, platform to tool [DL §4.4].
    pub const DEEP_LINKING_REQUEST: &str = "LtiDeepLinkingRequest";
    /// A deep linking response, tool to platform [DL §4.5].
    pub const DEEP_LINKING_RESPONSE: &str = "LtiDeepLinkingResponse";
    /// A submission review launch (SR `#ltisubmissionreviewrequest-claims`).
    pub const SUBMISSION_REVIEW_REQUEST: &str = "LtiSubmissionReviewRequest";
}

/// Whether `name` may be used as a vendor extension claim: it must be a fully-qualified URL [Core §5.4.7]
/// (an absolute `http`/`https` URL with a host, such as `http://www.ExamplePlatformVendor.com/session`).
///
/// Receivers keep and ignore unknown claims whatever their name [Core §4.3]; this check is for senders that add
/// their own claims, and for diagnostics.
pub fn is_vendor_claim_name(name: &str) -> bool {
    if name.trim() != name {
        return false;
    }
    match url::Url::parse(name) {
        Ok(url) => matches!(url.scheme(), "http" | "https") && url.host().is_some(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_claims_share_the_prefix() {
        for c in [
            claim::MESSAGE_TYPE,
            claim::VERSION,
            claim::CUSTOM,
            claim::FOR_USER,
        ] {
            assert!(c.starts_with(claim::LTI_PREFIX));
        }
    }

    #[test]
    fn vendor_claim_names_are_urls() {
        assert!(is_vendor_claim_name(
            "http://www.ExamplePlatformVendor.com/session"
        ));
        assert!(is_vendor_claim_name(claim::CUSTOM));
        assert!(!is_vendor_claim_name("session"));
        assert!(!is_vendor_claim_name(" https://x.example/a"));
        assert!(!is_vendor_claim_name("urn:example:claim"));
    }
}
