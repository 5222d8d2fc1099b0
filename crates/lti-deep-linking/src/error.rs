//! The crate's error type and its HTTP status.

use http::StatusCode;
use lti_core::{ClientId, DeploymentId};
use lti_security::Party;

/// How many characters of a found value an error keeps.
const CLIP: usize = 100;

/// Everything that can go wrong with a deep linking request or response, grouped by who must act.
///
/// Messages name the claim, member or item (`content_items[2]`), say what was expected and what was found
/// (clipped), and never contain a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- the peer sent a bad message (tool: the platform's request; platform: the tool's response) ---
    /// The request's claims break a deep linking rule (settings missing or malformed) (checklist I84).
    #[error("deep linking request: {0}")]
    Request(#[source] lti_core::Error),
    /// The message is not a deep linking request: the tool cannot answer it with a response.
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti/claim/message_type`: expected `LtiDeepLinkingRequest` (found `{found}`)"
    )]
    NotDeepLinkingRequest {
        /// The message type found.
        found: String,
    },
    /// The response was not sent with POST.
    #[error("deep linking response: method `{method}` not allowed: expected POST")]
    Method {
        /// The method received.
        method: String,
    },
    /// The response body is not `application/x-www-form-urlencoded`.
    #[error(
        "deep linking response: content type `{found}`: expected `application/x-www-form-urlencoded`"
    )]
    ContentType {
        /// The content type received (clipped).
        found: String,
    },
    /// The response form does not carry exactly one non-empty `JWT` field, or is too large.
    #[error("deep linking response form: {reason}")]
    Form {
        /// What is wrong.
        reason: &'static str,
    },
    /// The response JWT fails a JOSE or registered-claim check (signature, `kid`, `iss`, `aud`, `azp`, `exp`,
    /// `iat`, `nonce` present) [Sec §5.2.3] (checklist J91).
    #[error("deep linking response token: {0}")]
    Token(#[source] lti_security::Error),
    /// The response's `iss` is not the client id of a registered tool.
    #[error("claim `iss`: no tool is registered with client_id `{client_id}`")]
    UnknownClient {
        /// The `iss` sent (clipped).
        client_id: String,
    },
    /// The response's claims do not parse (a claim of the wrong JSON type, an unreadable content item).
    #[error("deep linking response: {reason}")]
    Malformed {
        /// What is wrong (names the claim or item).
        reason: String,
    },
    /// A required claim is absent.
    #[error("claim `{claim}` is missing")]
    MissingClaim {
        /// The claim name.
        claim: &'static str,
    },
    /// `message_type` is not `LtiDeepLinkingResponse` [DL §4.5.2] (checklist J93).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti/claim/message_type`: expected `LtiDeepLinkingResponse` (found `{found}`)"
    )]
    MessageTypeMismatch {
        /// What was sent (clipped).
        found: String,
    },
    /// `version` is not `1.3.0` [DL §4.5.3] (checklist J93).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti/claim/version`: expected `1.3.0` (found `{found}`)"
    )]
    VersionMismatch {
        /// What was sent (clipped).
        found: String,
    },
    /// The response has no `data` claim although the request sent one [DL §4.5.5] (checklist J93).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti-dl/claim/data` is missing: expected the request's `data`"
    )]
    DataMissing,
    /// The response's `data` is not a value this platform sent, or it expired, or it was already used
    /// [DL §4.5.5; Sec §7.3.1] (checklist J93).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti-dl/claim/data`: not the value sent with the request (unknown, expired or already used)"
    )]
    DataUnknown,
    /// The response comes from another tool than the one the request was sent to.
    #[error(
        "claim `iss`: expected `{expected}`, the client the request was sent to (found `{found}`)"
    )]
    ClientMismatch {
        /// The request's client.
        expected: ClientId,
        /// The response's `iss`.
        found: ClientId,
    },
    /// `deployment_id` is not the request's [DL §4.5.4] (checklist J93).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti/claim/deployment_id`: expected `{expected}` (found `{found}`)"
    )]
    DeploymentMismatch {
        /// The request's deployment.
        expected: DeploymentId,
        /// What was sent (clipped).
        found: String,
    },
    /// The response answers a request started for another user than the one whose session posts it.
    #[error(
        "deep linking response: the request was started for another user than the one posting the answer"
    )]
    UserMismatch,
    /// The response's `nonce` was already used [Sec §5.2.3 #9] (checklist J92).
    #[error("claim `nonce`: already used (replayed response)")]
    NonceReplayed,
    /// More content items than this crate reads at all.
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti-dl/claim/content_items`: {found} items, the limit is {max}"
    )]
    ItemLimit {
        /// The limit ([`MAX_CONTENT_ITEMS`](crate::MAX_CONTENT_ITEMS)).
        max: usize,
        /// How many were sent.
        found: usize,
    },
    /// Several items although `accept_multiple` is not `true` [DL §4.4.1] (checklist I88).
    #[error(
        "claim `https://purl.imsglobal.org/spec/lti-dl/claim/content_items`: {found} items, but the request accepts one at most (`accept_multiple` is not true)"
    )]
    MultipleNotAccepted {
        /// How many items there are.
        found: usize,
    },
    /// An item's type is not in `accept_types` [DL §4.4.1] (checklist I88).
    #[error("content_items[{index}]: type `{found}` is not accepted: expected one of {accepted:?}")]
    TypeNotAccepted {
        /// The item's position.
        index: usize,
        /// Its type (clipped).
        found: String,
        /// `accept_types`.
        accepted: Vec<String>,
    },
    /// An `ltiResourceLink` carries a `lineItem` although `accept_lineitem` is `false` [DL §4.4.1].
    #[error(
        "content_items[{index}]: has a `lineItem`, but the request says `accept_lineitem: false`"
    )]
    LineItemNotAccepted {
        /// The item's position.
        index: usize,
    },
    /// A presentation hint (`embed`, `iframe`, `window`) is not in `accept_presentation_document_targets`.
    #[error(
        "content_items[{index}]: presentation `{target}` is not accepted: expected one of {accepted:?}"
    )]
    PresentationNotAccepted {
        /// The item's position.
        index: usize,
        /// The hint.
        target: &'static str,
        /// `accept_presentation_document_targets`.
        accepted: Vec<String>,
    },
    /// A `file` item's `mediaType` is not within `accept_media_types` [DL §4.4.1].
    #[error(
        "content_items[{index}]: media type `{found}` is not accepted: expected one of `{accepted}`"
    )]
    MediaTypeNotAccepted {
        /// The item's position.
        index: usize,
        /// The item's media type (clipped).
        found: String,
        /// `accept_media_types`.
        accepted: String,
    },
    /// An item member breaks a rule of its type (a required URL missing or not absolute, `scoreMaximum` ≤ 0).
    #[error("content_items[{index}].{field}: {reason}")]
    InvalidItem {
        /// The item's position.
        index: usize,
        /// The member (e.g. `url`, `lineItem.scoreMaximum`).
        field: &'static str,
        /// What is wrong.
        reason: String,
    },

    // --- our configuration or API use ---
    /// Settings we are about to offer, or a response we are about to sign, break a rule.
    #[error("invalid deep linking settings: {0}")]
    InvalidSettings(#[source] lti_core::Error),

    // --- our side failed ---
    /// Signing, random generation or key lookup failed.
    #[error("cryptographic operation failed")]
    Crypto(#[source] lti_security::Error),
    /// A value did not serialize, or a stored record is unreadable.
    #[error("serialization failed: {what}")]
    Serialize {
        /// What was being (de)serialized.
        what: &'static str,
    },
    /// The store failed.
    #[error("storage failed")]
    Storage(#[source] lti_storage::Error),
    /// A registry or link store implementation failed.
    #[error("backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// Wraps an error of a [`ResourceLinkStore`](crate::ResourceLinkStore) or registry implementation.
    #[must_use]
    pub fn backend(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Backend(source.into())
    }

    /// The HTTP status this error maps to: 401 for an audience the platform is not in, 400 for every other
    /// peer mistake, 405/415 for a wrong method or body type, 502 when the tool's keys cannot be fetched, 500 for
    /// our own failures.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Token(e) => match e {
                lti_security::Error::AudienceMismatch { .. }
                | lti_security::Error::UntrustedAudience { .. }
                | lti_security::Error::AzpMissing { .. }
                | lti_security::Error::AzpMismatch { .. } => StatusCode::UNAUTHORIZED,
                e if e.party() == Party::Peer => StatusCode::BAD_REQUEST,
                lti_security::Error::Http(_)
                | lti_security::Error::JwksStatus { .. }
                | lti_security::Error::JwksMalformed { .. } => StatusCode::BAD_GATEWAY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::Method { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::ContentType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::UserMismatch => StatusCode::FORBIDDEN,
            Self::InvalidSettings(_)
            | Self::Crypto(_)
            | Self::Serialize { .. }
            | Self::Storage(_)
            | Self::Backend(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Whether this is our failure (log at `error`, show a generic message).
    pub fn is_internal(&self) -> bool {
        self.status().is_server_error()
    }

    /// A stable machine code, `lti.dl.*`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Request(_) => "lti.dl.request.invalid",
            Self::NotDeepLinkingRequest { .. } => "lti.dl.request.not_deep_linking",
            Self::Method { .. } => "lti.dl.response.method",
            Self::ContentType { .. } => "lti.dl.response.content_type",
            Self::Form { .. } => "lti.dl.response.form",
            Self::Token(_) => "lti.dl.response.token",
            Self::UnknownClient { .. } => "lti.dl.response.client_unknown",
            Self::Malformed { .. } => "lti.dl.response.malformed",
            Self::MissingClaim { .. } => "lti.dl.response.claim_missing",
            Self::MessageTypeMismatch { .. } => "lti.dl.response.message_type",
            Self::VersionMismatch { .. } => "lti.dl.response.version",
            Self::DataMissing => "lti.dl.response.data_missing",
            Self::DataUnknown => "lti.dl.response.data_unknown",
            Self::ClientMismatch { .. } => "lti.dl.response.client_mismatch",
            Self::DeploymentMismatch { .. } => "lti.dl.response.deployment_mismatch",
            Self::NonceReplayed => "lti.dl.response.nonce_replayed",
            Self::UserMismatch => "lti.dl.response.user_mismatch",
            Self::ItemLimit { .. } => "lti.dl.items.limit",
            Self::MultipleNotAccepted { .. } => "lti.dl.items.multiple_not_accepted",
            Self::TypeNotAccepted { .. } => "lti.dl.items.type_not_accepted",
            Self::LineItemNotAccepted { .. } => "lti.dl.items.line_item_not_accepted",
            Self::PresentationNotAccepted { .. } => "lti.dl.items.presentation_not_accepted",
            Self::MediaTypeNotAccepted { .. } => "lti.dl.items.media_type_not_accepted",
            Self::InvalidItem { .. } => "lti.dl.items.invalid",
            Self::InvalidSettings(_) => "lti.dl.settings.invalid",
            Self::Crypto(_) => "lti.dl.crypto",
            Self::Serialize { .. } => "lti.dl.serialize",
            Self::Storage(_) => "lti.dl.storage",
            Self::Backend(_) => "lti.dl.backend",
        }
    }
}

/// Cuts `value` to [`CLIP`] characters (on a char boundary), marking the cut with `…`.
pub(crate) fn clip(value: &str) -> String {
    match value.char_indices().nth(CLIP) {
        None => value.to_owned(),
        Some((at, _)) => {
            let mut s = value.get(..at).unwrap_or_default().to_owned();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_who_must_act() {
        assert_eq!(Error::DataUnknown.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            Error::Token(lti_security::Error::AudienceMismatch {
                expected: "a".into(),
                found: vec![]
            })
            .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            Error::Method {
                method: "GET".into()
            }
            .status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert!(Error::Serialize { what: "x" }.is_internal());
        assert_eq!(clip(&"é".repeat(150)).chars().count(), CLIP + 1);
    }
}
