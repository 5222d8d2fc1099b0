//! The crate's one error type.
//!
//! Variants are grouped by who must act: the peer sent a bad token or key set (`Token`-side variants), the
//! caller's configuration or key material is wrong, or a transport/storage dependency failed. Messages say
//! which claim or header, what was expected and what came; they never contain a token, key or signature.

use std::time::Duration;

use crate::Algorithm;

/// Everything that can go wrong in lti-security.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- the token (peer input) -----
    /// The compact JWS is longer than the configured limit.
    #[error("token is {len} bytes; the limit is {limit}")]
    TokenTooLarge {
        /// The token's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The compact JWS is not three base64url parts, or a part does not decode.
    #[error("malformed token: {reason}")]
    MalformedToken {
        /// What is wrong.
        reason: &'static str,
    },
    /// The JOSE header is not the JSON object expected.
    #[error("malformed JOSE header: {reason}")]
    MalformedHeader {
        /// What is wrong (serde's message, with the field).
        reason: String,
    },
    /// The payload is not a JSON object, or a registered claim has the wrong type.
    #[error("malformed claims: {reason}")]
    MalformedClaims {
        /// What is wrong (the JSON path and serde's message).
        reason: String,
    },
    /// The header says `alg: none`: unsigned tokens are never accepted [Sec §5.4].
    #[error("header `alg` is `none`: unsigned tokens are never accepted")]
    AlgorithmNone,
    /// The header names an HMAC algorithm: symmetric algorithms are never accepted (algorithm confusion).
    #[error("header `alg` is `{alg}`: symmetric (HMAC) algorithms are never accepted")]
    SymmetricAlgorithm {
        /// The algorithm named.
        alg: String,
    },
    /// The header names an algorithm this crate does not implement.
    #[error(
        "header `alg` is `{alg}`, which is not supported (supported: RS256, RS384, RS512, ES256, ES384)"
    )]
    UnsupportedAlgorithm {
        /// The algorithm named.
        alg: String,
    },
    /// The algorithm is supported but not in the verifier's allow-list.
    #[error(
        "header `alg` is `{found}`, which this verifier does not allow (expected one of: {allowed})"
    )]
    AlgorithmNotAllowed {
        /// The algorithm in the token.
        found: Algorithm,
        /// The allow-list, for the message.
        allowed: String,
    },
    /// The header carries `crit`: no JWS extensions are understood, so RFC 7515 §4.1.11 requires rejection.
    #[error("header has `crit` ({names}): no critical JWS extensions are supported")]
    CriticalHeader {
        /// The `crit` value, clipped.
        names: String,
    },
    /// The header has no `kid` [Sec §6.3].
    #[error("header has no `kid`: the signing key cannot be selected [Sec §6.3]")]
    MissingKid,
    /// No key with the token's `kid` is known (after one refetch where the keys are remote).
    #[error("no key with kid `{kid}` in the key set{}", source_hint(.jwks_url))]
    KidNotFound {
        /// The `kid` asked for.
        kid: String,
        /// The key set's URL, when remote.
        jwks_url: Option<String>,
    },
    /// The key found for `kid` cannot be used with the token's `alg` (type, curve or declared `alg` differ).
    #[error("key `{kid}` is {key} but the token's `alg` is `{alg}`")]
    KeyAlgorithmMismatch {
        /// The key's id.
        kid: String,
        /// What the key is (`RSA`, `EC P-256`, `RSA alg RS512`).
        key: String,
        /// The token's algorithm.
        alg: Algorithm,
    },
    /// The signature does not verify. Deliberately says nothing more.
    #[error("signature does not verify")]
    InvalidSignature,

    // ----- the claims (peer input) -----
    /// A required claim is absent.
    #[error("claim `{claim}` is missing")]
    MissingClaim {
        /// The claim's name.
        claim: &'static str,
    },
    /// A claim has a value that is not allowed (wrong type, empty, too long).
    #[error("claim `{claim}` is invalid: {reason}")]
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// `iss` differs from the expected issuer (exact, case-sensitive comparison) [Sec §5.1.3 #2].
    #[error("claim `iss`: expected `{expected}` (found `{found}`)")]
    IssuerMismatch {
        /// The expected issuer.
        expected: String,
        /// The issuer in the token (clipped).
        found: String,
    },
    /// `aud` does not contain the expected audience [Sec §5.1.3 #3].
    #[error("claim `aud`: expected it to contain `{expected}` (found {found:?})")]
    AudienceMismatch {
        /// The audience that must be present.
        expected: String,
        /// The audiences in the token (clipped).
        found: Vec<String>,
    },
    /// `aud` contains an audience that is neither ours nor trusted [Sec §5.1.3 #3].
    #[error("claim `aud` contains untrusted audience `{audience}`")]
    UntrustedAudience {
        /// The untrusted audience (clipped).
        audience: String,
    },
    /// Several audiences but no `azp` [Sec §5.1.3 #4].
    #[error("claim `azp` is missing although `aud` has {count} values [Sec §5.1.3 #4]")]
    AzpMissing {
        /// How many audiences the token has.
        count: usize,
    },
    /// `azp` is not the expected party [Sec §5.1.3 #5].
    #[error("claim `azp`: expected `{expected}` (found `{found}`)")]
    AzpMismatch {
        /// The expected authorized party.
        expected: String,
        /// The value in the token (clipped).
        found: String,
    },
    /// `exp` has passed, beyond the leeway [Sec §5.1.3 #7].
    #[error("token expired: `exp` is {exp}, now is {now} (leeway {}s)", .leeway.as_secs())]
    Expired {
        /// The token's `exp`.
        exp: u64,
        /// The verifier's time.
        now: u64,
        /// The leeway allowed.
        leeway: Duration,
    },
    /// `nbf` is in the future, beyond the leeway.
    #[error("token not valid yet: `nbf` is {nbf}, now is {now} (leeway {}s)", .leeway.as_secs())]
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
        /// The verifier's time.
        now: u64,
        /// The leeway allowed.
        leeway: Duration,
    },
    /// `iat` is in the future, beyond the leeway [Sec §5.1.3 #8].
    #[error("claim `iat` is in the future: {iat}, now is {now} (leeway {}s)", .leeway.as_secs())]
    IssuedInFuture {
        /// The token's `iat`.
        iat: u64,
        /// The verifier's time.
        now: u64,
        /// The leeway allowed.
        leeway: Duration,
    },
    /// `iat` is older than the maximum age [Sec §5.1.3 #8].
    #[error("token too old: `iat` is {iat}, now is {now}, maximum age {}s", .max_age.as_secs())]
    TooOld {
        /// The token's `iat`.
        iat: u64,
        /// The verifier's time.
        now: u64,
        /// The maximum age allowed.
        max_age: Duration,
    },

    // ----- key sets from the network (peer input) -----
    /// The JWKS endpoint answered with a non-success status.
    #[error("JWKS endpoint {url} answered HTTP {status}")]
    JwksStatus {
        /// The URL (no query).
        url: String,
        /// The status code.
        status: u16,
    },
    /// The JWKS body is not a JWK Set.
    #[error("JWKS from {url} is not a JWK Set: {reason}")]
    JwksMalformed {
        /// The URL (no query).
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The JWK cannot be used as a verification key.
    #[error("unusable JWK{}: {reason}", kid_hint(.kid))]
    UnusableJwk {
        /// The key's id, when it has one.
        kid: Option<String>,
        /// Why.
        reason: String,
    },
    /// A `kid` miss could not trigger a refetch because the key set was refetched too recently.
    #[error("no key with kid `{kid}` and the key set at {jwks_url} was refreshed less than {}s ago", .min_interval.as_secs())]
    RefetchRateLimited {
        /// The `kid` asked for.
        kid: String,
        /// The key set's URL.
        jwks_url: String,
        /// The minimum interval between refetches.
        min_interval: Duration,
    },

    // ----- our keys and configuration -----
    /// An RSA key is smaller than 2048 bits [RFC 7518 §3.3].
    #[error("RSA key is {bits} bits; at least {min} are required [RFC 7518 §3.3]")]
    WeakKey {
        /// The key's size.
        bits: usize,
        /// The minimum.
        min: usize,
    },
    /// Key material could not be parsed or is inconsistent.
    #[error("key rejected: {reason}")]
    KeyRejected {
        /// What is wrong.
        reason: String,
    },
    /// A PEM document is malformed or has the wrong label.
    #[error("PEM: {reason}")]
    Pem {
        /// What is wrong.
        reason: String,
    },
    /// A private key stored encrypted could not be decrypted (wrong key-encryption key, or tampered record).
    #[error("stored private key does not decrypt: wrong key-encryption key or damaged record")]
    KeyDecryption,
    /// The key-encryption key is missing or malformed.
    #[error("key-encryption key: {reason}")]
    KeyEncryptionKey {
        /// What is wrong.
        reason: String,
    },
    /// A key ring record in storage is unreadable.
    #[error("key ring record is corrupt: {reason}")]
    KeyRingCorrupt {
        /// What is wrong.
        reason: String,
    },
    /// The crypto library failed where it should not (key generation, signing, randomness).
    #[error("cryptographic operation failed: {operation}")]
    Crypto {
        /// Which operation.
        operation: &'static str,
    },
    /// A value could not be serialized to JSON (a claims type whose `Serialize` fails).
    #[error("could not serialize {what} to JSON")]
    Serialize {
        /// What was being serialized.
        what: &'static str,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },

    // ----- dependencies -----
    /// An outbound HTTP request failed.
    #[error(transparent)]
    Http(#[from] lti_http::HttpError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] lti_storage::Error),
}

impl Error {
    /// Who must act on this error.
    pub fn party(&self) -> Party {
        match self {
            Self::WeakKey { .. }
            | Self::KeyRejected { .. }
            | Self::Pem { .. }
            | Self::KeyDecryption
            | Self::KeyEncryptionKey { .. }
            | Self::KeyRingCorrupt { .. }
            | Self::Serialize { .. } => Party::Configuration,
            Self::Crypto { .. } | Self::Http(_) | Self::Storage(_) => Party::Internal,
            _ => Party::Peer,
        }
    }
}

/// Who must act on an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Party {
    /// The other side sent something invalid (a 4xx for them).
    Peer,
    /// Our configuration or key material is wrong (fix the deployment).
    Configuration,
    /// A dependency failed (retry, or look at the logs).
    Internal,
}

/// The longest input value quoted in an error message.
pub(crate) const CLIP: usize = 100;

/// `value`, cut to [`CLIP`] characters (on a char boundary) with an ellipsis when cut.
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

fn source_hint(url: &Option<String>) -> String {
    url.as_ref()
        .map(|u| format!(" at {u} (refetched once)"))
        .unwrap_or_default()
}

fn kid_hint(kid: &Option<String>) -> String {
    kid.as_ref().map(|k| format!(" `{k}`")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_long_values_on_char_boundaries() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(150);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), CLIP + 1);
        assert!(clipped.ends_with('…'));
    }

    #[test]
    fn messages_say_expected_and_found() {
        let e = Error::IssuerMismatch {
            expected: "https://lms.example".into(),
            found: "https://lms.example/".into(),
        };
        assert_eq!(
            e.to_string(),
            "claim `iss`: expected `https://lms.example` (found `https://lms.example/`)"
        );
        assert_eq!(e.party(), Party::Peer);
    }
}
