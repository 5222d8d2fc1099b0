//! Registrations: what each side knows about the other before the first launch [Core §3.1.3; Sec §5.1.1].
//!
//! * Tool side, [`PlatformRegistration`]: one per (issuer, client_id) ([`PlatformKey`]); one issuer can hold
//!   many client ids (Canvas uses one issuer for all its customers), and one client id many deployments
//!   [Core §3.1.3].
//! * Platform side, [`ToolRegistration`]: one per client_id, with its redirect URIs, login URL, keys, deployments
//!   and allowed scopes.
//!
//! Both are built through a builder that checks every URL (see "URL rules" below) and returns
//! [`RegistrationWarning`]s for doubtful but legal settings. Both serialize with serde (they are stored as JSON);
//! a value read back from storage can be re-checked with `validate()`.
//!
//! # URL rules
//! * Every URL must be absolute and `https`, except `http` to a loopback host (`localhost`, `127.0.0.0/8`, `::1`)
//!   for local development [Core §3.5; Sec §3]. Any other scheme is an error.
//! * The issuer has no query and no fragment [Sec §5.1.2]; redirect URIs have no fragment [RFC 6749 §3.1.2].
//! * Warning, not error: a platform JWKS URL whose host is not under the issuer's domain [Impl §3.2.3.1]. See
//!   [`RegistrationWarning::JwksOutsideIssuerDomain`] for the exact test.

use std::fmt;

pub mod dynamic;
mod platform;
mod tool;
pub(crate) mod url_rules;

pub use platform::{PlatformKey, PlatformRegistration, PlatformRegistrationBuilder};
pub use tool::{ToolKeys, ToolRegistration, ToolRegistrationBuilder};

/// The longest excerpt of a bad value an error or warning carries.
const MAX_EXCERPT: usize = 100;

/// Cuts `value` to [`MAX_EXCERPT`] characters (on a char boundary), marking the cut with `…`.
pub(crate) fn clip(value: &str) -> String {
    match value.char_indices().nth(MAX_EXCERPT) {
        Some((at, _)) => format!("{}…", value.get(..at).unwrap_or_default()),
        None => value.to_owned(),
    }
}

/// A registration setting that is wrong; the builder refuses it. Each variant names the field and the bad value
/// (clipped to 100 characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// A required field was not set.
    #[error("registration field `{field}` is required")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A required field is the empty string.
    #[error("registration field `{field}` must not be empty")]
    EmptyField {
        /// The field.
        field: &'static str,
    },
    /// A URL does not parse as an absolute URL.
    #[error("registration field `{field}`: expected an absolute URL (found `{value}`: {reason})")]
    InvalidUrl {
        /// The field.
        field: &'static str,
        /// The value, clipped.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A URL uses `http` to a host that is not loopback [Core §3.5; Sec §3].
    #[error(
        "registration field `{field}`: expected an https URL (http only for localhost, 127.0.0.0/8 or ::1) \
         (found `{value}`)"
    )]
    InsecureUrl {
        /// The field.
        field: &'static str,
        /// The value, clipped.
        value: String,
    },
    /// A URL uses a scheme other than `https`/`http`, or has no host.
    #[error("registration field `{field}`: expected an https URL with a host (found `{value}`)")]
    UnsupportedUrl {
        /// The field.
        field: &'static str,
        /// The value, clipped.
        value: String,
    },
    /// The issuer has a query or a fragment [Sec §5.1.2].
    #[error(
        "registration field `issuer`: expected scheme, host, port and path only, no query or fragment (found `{value}`) [Sec §5.1.2]"
    )]
    IssuerQueryOrFragment {
        /// The issuer, clipped.
        value: String,
    },
    /// A redirect URI has a fragment [RFC 6749 §3.1.2].
    #[error(
        "registration field `redirect_uris`: expected a URI without fragment (found `{value}`) [RFC 6749 §3.1.2]"
    )]
    RedirectUriFragment {
        /// The URI, clipped.
        value: String,
    },
    /// A Dynamic Registration request member has a value DR does not allow [DR §3.5.2].
    #[error("registration field `{field}`: expected {expected}")]
    InvalidDynamicField {
        /// The member.
        field: &'static str,
        /// What DR requires.
        expected: &'static str,
    },
    /// The tool registration lists no redirect URI.
    #[error("registration field `redirect_uris`: expected at least one redirect URI (found none)")]
    NoRedirectUri,
    /// The algorithm allow-list is empty.
    #[error("registration field `algorithms`: expected at least one algorithm (found none)")]
    NoAlgorithm,
    /// A static tool key does not parse as a public JWK or PEM.
    #[error("registration field `keys`: expected a public JWK (JSON) or PEM public key ({reason})")]
    InvalidStaticKey {
        /// Why the key was refused (no key material).
        reason: String,
    },
}

impl RegistrationError {
    /// A stable machine code for the rule that was broken (for logs and docs).
    pub const fn code(&self) -> &'static str {
        match self {
            Self::MissingField { .. } => "registration.missing_field",
            Self::EmptyField { .. } => "registration.empty_field",
            Self::InvalidUrl { .. } => "registration.invalid_url",
            Self::InsecureUrl { .. } => "registration.insecure_url",
            Self::UnsupportedUrl { .. } => "registration.unsupported_url",
            Self::IssuerQueryOrFragment { .. } => "registration.issuer_query_or_fragment",
            Self::RedirectUriFragment { .. } => "registration.redirect_uri_fragment",
            Self::NoRedirectUri => "registration.no_redirect_uri",
            Self::InvalidDynamicField { .. } => "registration.invalid_dynamic_field",
            Self::NoAlgorithm => "registration.no_algorithm",
            Self::InvalidStaticKey { .. } => "registration.invalid_static_key",
        }
    }
}

/// A registration setting that is legal but doubtful; the builder accepts it, returns the warning and logs it at
/// `warn`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationWarning {
    /// The platform JWKS URL's host is not under the issuer's domain [Impl §3.2.3.1].
    ///
    /// The test is a suffix check on host labels, not a Public Suffix List lookup: the issuer's *domain* is its
    /// host without the first label when the host has three labels or more (`canvas.instructure.com` →
    /// `instructure.com`), else the host itself; the JWKS host must equal that domain or end with `.` + domain.
    /// IP addresses must be equal. Known false alarm: Canvas cloud (`canvas.instructure.com` issuer, JWKS at
    /// `sso.canvaslms.com`). Known miss: a two-label issuer under a public suffix (`example.co.uk`) accepts any
    /// `*.co.uk`.
    JwksOutsideIssuerDomain {
        /// The issuer host.
        issuer_host: String,
        /// The JWKS URL host.
        jwks_host: String,
    },
}

impl fmt::Display for RegistrationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::JwksOutsideIssuerDomain {
                issuer_host,
                jwks_host,
            } => write!(
                f,
                "platform JWKS host `{jwks_host}` is not under the issuer domain of `{issuer_host}`: check that the \
                 key set really belongs to this platform [Impl §3.2.3.1]"
            ),
        }
    }
}
