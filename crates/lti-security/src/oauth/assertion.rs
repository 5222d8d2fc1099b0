//! Platform side: verifying a tool's JWT client assertion [Sec §4.1.1; RFC 7523 §3; Core §6.2].
//!
//! The steps are described on [`ClientAssertionVerifier`].

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;
use lti_storage::{Clock, Namespace, Store};
use serde::Deserialize;

use super::{DEPLOYMENT_ID_CLAIM, OAuthErrorCode};
use crate::claims::DEFAULT_LEEWAY;
use crate::error::clip;
use crate::jws::{DEFAULT_MAX_TOKEN_BYTES, UnverifiedJws, check_allowed, parse_claims};
use crate::{AlgorithmSet, Audience, Error, KeyResolver, MAX_LEEWAY, NumericDate, Party};

/// The default oldest `iat` accepted: 1 hour (tools sign a fresh assertion per token request).
pub const DEFAULT_ASSERTION_MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// The default longest lifetime (`exp - iat`) accepted: 1 hour (tools use about 5 minutes).
pub const DEFAULT_ASSERTION_MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The largest client assertion accepted by default: 16 KiB (an RS256 assertion is under 1 KiB).
pub const DEFAULT_MAX_ASSERTION_BYTES: usize = 16 * 1024;
/// The longest `jti` accepted, in bytes.
pub const MAX_JTI_BYTES: usize = 1024;

/// Verifies JWT client assertions for one authorization server (a platform's token endpoint). Cheap to clone.
///
/// The flow, in the order the checks run:
///
/// 1. [`ClientAssertionVerifier::parse`]: size limit, three base64url parts, a header with a supported asymmetric
///    `alg`, and a readable, non-empty `iss` in the (still unverified) payload. The caller uses
///    [`UnverifiedClientAssertion::unverified_issuer`] only to find the registration and its keys.
/// 2. [`ClientAssertionVerifier::check`]: `alg` in the allow-list, `kid` present, the key from the caller's
///    [`KeyResolver`] (the tool's JWKS via [`JwksCache`](crate::JwksCache), or a static [`KeySet`](crate::KeySet)),
///    the signature; then the claims: `iss` is the registered client, `sub` = `iss`, `aud` names this
///    authorization server, `exp` in the future, `nbf` (if any) reached, `iat` present and plausible,
///    `exp - iat` bounded, `jti` present.
///    The result, a [`CheckedClientAssertion`], is authentic but not yet single-use.
/// 3. [`ClientAssertionVerifier::consume`]: the `jti` is recorded with an atomic insert-if-absent that lives until
///    the assertion expires; a second use fails. This runs last, so a forged or invalid assertion can never burn
///    a `jti`, and a caller can still refuse an authentic assertion (unknown deployment, forbidden scope) without
///    spending it. Only this step builds a [`VerifiedClientAssertion`].
///
/// Every failure is an [`AssertionError`] variant naming what was wrong; [`AssertionError::oauth_error`] gives the
/// RFC 6749 §5.2 code. Following RFC 7523 §3.2 ("client authentication failed"), every failure
/// of the assertion itself is `invalid_client`: a bad signature, an unknown client, `iss` ≠ `sub`, a wrong `aud`,
/// an expired, too old or replayed assertion. Failures on our side (the key set could not be fetched, storage)
/// are [internal](AssertionError::is_internal).
///
/// ```
/// # use std::sync::Arc;
/// # use lti_security::oauth::ClientAssertionVerifier;
/// # use lti_storage::{MemoryStore, SystemClock};
/// let verifier = ClientAssertionVerifier::new(
///     "https://lms.example/token",
///     Arc::new(MemoryStore::new()),
///     Arc::new(SystemClock),
/// )
/// .with_audience("https://lms.example");
/// assert_eq!(verifier.audiences().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct ClientAssertionVerifier {
    audiences: Vec<String>,
    algorithms: AlgorithmSet,
    max_bytes: usize,
    leeway: Duration,
    max_age: Duration,
    max_lifetime: Duration,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

/// A parsed client assertion whose signature and claims are not checked yet.
#[derive(Debug, Clone)]
pub struct UnverifiedClientAssertion<'a> {
    jws: UnverifiedJws<'a>,
    issuer: String,
}

/// A client assertion whose signature and claims passed [`ClientAssertionVerifier::check`], but whose `jti` is
/// not yet spent. Turn it into a [`VerifiedClientAssertion`] with [`ClientAssertionVerifier::consume`].
#[derive(Debug, Clone)]
pub struct CheckedClientAssertion {
    client_id: String,
    jti: String,
    deployment_id: Option<String>,
    issued_at: NumericDate,
    expires_at: NumericDate,
}

/// A client assertion that passed every check and whose `jti` is now spent. Only
/// [`ClientAssertionVerifier::consume`] builds one.
#[derive(Debug, Clone)]
pub struct VerifiedClientAssertion {
    checked: CheckedClientAssertion,
}

/// Why a client assertion was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionError {
    // ----- the assertion (peer input) -----
    /// `aud` names neither this token endpoint nor a configured authorization-server id [Sec §4.1.1].
    #[error("claim `aud`: expected it to contain one of {expected:?} (found {found:?})")]
    AudienceMismatch {
        /// The identifiers accepted.
        expected: Vec<String>,
        /// The audiences in the assertion (clipped, at most 5).
        found: Vec<String>,
    },
    /// A claim is missing, empty, too long or of the wrong type, or `nbf` is still in the future.
    #[error("client assertion: {0}")]
    Claims(#[source] Error),
    /// `exp` has passed, beyond the leeway [Sec §4.1.1].
    #[error("client assertion expired: `exp` is {exp}, now is {now} (leeway {}s)", .leeway.as_secs())]
    Expired {
        /// The assertion's `exp`.
        exp: u64,
        /// The verifier's time.
        now: u64,
        /// The leeway allowed.
        leeway: Duration,
    },
    /// `iss` is not the client_id of the registration the caller resolved (Core §6.2).
    #[error("claim `iss`: expected the client_id `{expected}` (found `{found}`)")]
    IssuerMismatch {
        /// The registered client_id.
        expected: String,
        /// The assertion's `iss` (clipped).
        found: String,
    },
    /// `sub` differs from `iss`: both must be the client_id (Core §6.2; RFC 7523 §3 item 2).
    #[error("claim `sub`: expected it to equal `iss` `{iss}` (found `{sub}`)")]
    IssuerSubjectMismatch {
        /// The assertion's `iss` (clipped).
        iss: String,
        /// The assertion's `sub` (clipped).
        sub: String,
    },
    /// `iat` is in the future, beyond the leeway.
    #[error("claim `iat` is in the future: {iat}, now is {now} (leeway {}s)", .leeway.as_secs())]
    IssuedInFuture {
        /// The assertion's `iat`.
        iat: u64,
        /// The verifier's time.
        now: u64,
        /// The leeway allowed.
        leeway: Duration,
    },
    /// `exp - iat` is longer than allowed (a long-lived assertion is a stolen-credential risk).
    #[error(
        "client assertion lifetime `exp - iat` is {lifetime}s; at most {}s is accepted",
        .max.as_secs()
    )]
    LifetimeTooLong {
        /// `exp - iat`, in seconds.
        lifetime: u64,
        /// The longest lifetime allowed.
        max: Duration,
    },
    /// The assertion is not a well-formed compact JWT with a supported algorithm, or its payload has no readable
    /// `iss`.
    #[error("client assertion is malformed: {0}")]
    Malformed(#[source] Error),
    /// The `jti` was already used by this client and the earlier assertion has not expired [RFC 7523 §3 item 7].
    #[error("claim `jti` `{jti}` was already used (assertions are single-use)")]
    Replayed {
        /// The `jti` (clipped).
        jti: String,
    },
    /// The signature, the algorithm or the key does not check out: bad signature, `alg` not allowed, no `kid`,
    /// no key with that `kid` in the tool's key set, or the tool's key set is unusable.
    #[error("client assertion signature: {0}")]
    Signature(#[source] Error),
    /// `iat` is older than the maximum age.
    #[error("client assertion too old: `iat` is {iat}, now is {now}, maximum age {}s", .max_age.as_secs())]
    TooOld {
        /// The assertion's `iat`.
        iat: u64,
        /// The verifier's time.
        now: u64,
        /// The maximum age.
        max_age: Duration,
    },

    // ----- our side -----
    /// The tool's key set could not be fetched because of a transport failure on our side.
    #[error("the client's key set could not be fetched")]
    KeysUnavailable(#[source] Error),
    /// The replay store failed.
    #[error("replay store failed")]
    Storage(#[source] lti_storage::Error),
}

/// The claims a client assertion is read with; every one optional so a missing claim gets its own error.
#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Audience,
    #[serde(default)]
    exp: Option<NumericDate>,
    #[serde(default)]
    iat: Option<NumericDate>,
    #[serde(default)]
    nbf: Option<NumericDate>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(
        rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id",
        default
    )]
    deployment_id: Option<String>,
}

/// Only `iss`, to route the request before anything is verified.
#[derive(Deserialize)]
struct IssuerOnly {
    #[serde(default)]
    iss: Option<String>,
}

impl ClientAssertionVerifier {
    /// The store namespace of spent assertion ids. Keys are a SHA-256 of the client_id and the `jti`, so one
    /// client cannot spend another's `jti` and long `jti`s fit any store.
    pub const JTI_NAMESPACE: Namespace = Namespace::new("lti.security.assertion_jti");

    /// A verifier for the authorization server at `token_endpoint` (the URL tools put in `aud`), recording spent
    /// `jti`s in `store`, reading time from `clock`. Defaults: RS256 only, leeway [`DEFAULT_LEEWAY`], maximum age
    /// [`DEFAULT_ASSERTION_MAX_AGE`], maximum lifetime [`DEFAULT_ASSERTION_MAX_LIFETIME`], assertions up to
    /// [`DEFAULT_MAX_ASSERTION_BYTES`].
    pub fn new(
        token_endpoint: impl Into<String>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            audiences: vec![token_endpoint.into()],
            algorithms: AlgorithmSet::default(),
            max_bytes: DEFAULT_MAX_ASSERTION_BYTES.min(DEFAULT_MAX_TOKEN_BYTES),
            leeway: DEFAULT_LEEWAY,
            max_age: DEFAULT_ASSERTION_MAX_AGE,
            max_lifetime: DEFAULT_ASSERTION_MAX_LIFETIME,
            store,
            clock,
        }
    }

    /// Also accepts `audience` in `aud`: an authorization-server id agreed out of band (e.g. the
    /// `authorization_server` of Dynamic Registration, or the issuer).
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        let audience = audience.into();
        if !self.audiences.contains(&audience) {
            self.audiences.push(audience);
        }
        self
    }

    /// Sets the algorithm allow-list (`none` and HMAC cannot be in it).
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// Sets the clock-skew leeway for `exp` and `iat`, capped at [`MAX_LEEWAY`].
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.min(MAX_LEEWAY);
        self
    }

    /// Sets the oldest `iat` accepted.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sets the longest `exp - iat` accepted.
    #[must_use]
    pub fn with_max_lifetime(mut self, max_lifetime: Duration) -> Self {
        self.max_lifetime = max_lifetime;
        self
    }

    /// Sets the largest assertion accepted, in bytes.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The identifiers accepted in `aud`: the token endpoint first.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// Step 1: parses `assertion` and reads its unverified `iss`.
    ///
    /// # Errors
    /// [`AssertionError::Malformed`] when the assertion is too large, not a compact JWS, names an unsupported
    /// algorithm, or its payload is not a JSON object with a non-empty string `iss`.
    pub fn parse<'a>(
        &self,
        assertion: &'a str,
    ) -> Result<UnverifiedClientAssertion<'a>, AssertionError> {
        let jws =
            UnverifiedJws::parse(assertion, self.max_bytes).map_err(AssertionError::Malformed)?;
        let IssuerOnly { iss } = jws.unverified_claims().map_err(AssertionError::Malformed)?;
        match iss {
            Some(issuer) if !issuer.is_empty() => Ok(UnverifiedClientAssertion { jws, issuer }),
            Some(_) => Err(AssertionError::Malformed(Error::InvalidClaim {
                claim: "iss",
                reason: "empty string (expected the client_id)".into(),
            })),
            None => Err(AssertionError::Malformed(Error::MissingClaim {
                claim: "iss",
            })),
        }
    }

    /// Step 2: checks the signature with a key from `keys` and every claim, for the registered `client_id`.
    ///
    /// # Errors
    /// [`AssertionError::Signature`] (algorithm, `kid`, key lookup, signature), [`AssertionError::KeysUnavailable`]
    /// (transport failure fetching the key set), [`AssertionError::Claims`] (a claim missing or malformed),
    /// [`AssertionError::IssuerMismatch`], [`AssertionError::IssuerSubjectMismatch`],
    /// [`AssertionError::AudienceMismatch`], [`AssertionError::Expired`], [`AssertionError::IssuedInFuture`],
    /// [`AssertionError::TooOld`] or [`AssertionError::LifetimeTooLong`].
    pub async fn check(
        &self,
        assertion: UnverifiedClientAssertion<'_>,
        client_id: &str,
        keys: &dyn KeyResolver,
    ) -> Result<CheckedClientAssertion, AssertionError> {
        let jws = assertion.jws;
        let header = jws.header();
        check_allowed(header.alg, self.algorithms).map_err(AssertionError::Signature)?;
        let kid = header
            .kid
            .as_ref()
            .ok_or(AssertionError::Signature(Error::MissingKid))?;
        let key = keys.resolve(kid, header.alg).await.map_err(|e| {
            if e.party() == Party::Internal {
                AssertionError::KeysUnavailable(e)
            } else {
                AssertionError::Signature(e)
            }
        })?;
        let verified = jws
            .verify(&key, self.algorithms)
            .map_err(AssertionError::Signature)?;
        let claims: RawClaims = parse_claims(verified.payload()).map_err(AssertionError::Claims)?;
        self.check_claims(claims, client_id)
    }

    fn check_claims(
        &self,
        claims: RawClaims,
        client_id: &str,
    ) -> Result<CheckedClientAssertion, AssertionError> {
        let now = self.clock.unix_seconds();
        let leeway = self.leeway.as_secs();
        // iss = sub = the registered client_id [Core §6.2; RFC 7523 §3 items 1-2].
        let iss = required(claims.iss, "iss")?;
        if iss != client_id {
            return Err(AssertionError::IssuerMismatch {
                expected: clip(client_id),
                found: clip(&iss),
            });
        }
        let sub = required(claims.sub, "sub")?;
        if sub != iss {
            return Err(AssertionError::IssuerSubjectMismatch {
                iss: clip(&iss),
                sub: clip(&sub),
            });
        }
        // aud contains this authorization server [Sec §4.1.1; RFC 7523 §3 item 3]. Other audiences are allowed:
        // the assertion names us, and its jti is single-use here.
        if claims.aud.is_empty() {
            return Err(AssertionError::Claims(Error::MissingClaim { claim: "aud" }));
        }
        if !self.audiences.iter().any(|a| claims.aud.contains(a)) {
            return Err(AssertionError::AudienceMismatch {
                expected: self.audiences.clone(),
                found: claims
                    .aud
                    .as_slice()
                    .iter()
                    .take(5)
                    .map(|a| clip(a))
                    .collect(),
            });
        }
        // exp in the future [RFC 7523 §3 item 4].
        let exp = claims
            .exp
            .ok_or(AssertionError::Claims(Error::MissingClaim { claim: "exp" }))?;
        if now >= exp.unix_seconds().saturating_add(leeway) {
            return Err(AssertionError::Expired {
                exp: exp.unix_seconds(),
                now,
                leeway: self.leeway,
            });
        }
        // nbf, when present, reached [RFC 7523 §3 item 5].
        if let Some(nbf) = claims.nbf
            && now.saturating_add(leeway) < nbf.unix_seconds()
        {
            return Err(AssertionError::Claims(Error::NotYetValid {
                nbf: nbf.unix_seconds(),
                now,
                leeway: self.leeway,
            }));
        }
        // iat present [Core §6.2] and plausible [RFC 7523 §3 item 6].
        let iat = claims
            .iat
            .ok_or(AssertionError::Claims(Error::MissingClaim { claim: "iat" }))?;
        if iat.unix_seconds() > now.saturating_add(leeway) {
            return Err(AssertionError::IssuedInFuture {
                iat: iat.unix_seconds(),
                now,
                leeway: self.leeway,
            });
        }
        if now > iat.unix_seconds().saturating_add(self.max_age.as_secs()) {
            return Err(AssertionError::TooOld {
                iat: iat.unix_seconds(),
                now,
                max_age: self.max_age,
            });
        }
        let lifetime = exp
            .unix_seconds()
            .checked_sub(iat.unix_seconds())
            .ok_or_else(|| {
                AssertionError::Claims(Error::InvalidClaim {
                    claim: "exp",
                    reason: format!(
                        "{} is before `iat` {}",
                        exp.unix_seconds(),
                        iat.unix_seconds()
                    ),
                })
            })?;
        if lifetime > self.max_lifetime.as_secs() {
            return Err(AssertionError::LifetimeTooLong {
                lifetime,
                max: self.max_lifetime,
            });
        }
        // jti present [RFC 7523 §3 item 7]; spent in `consume`.
        let jti = required(claims.jti, "jti")?;
        if jti.len() > MAX_JTI_BYTES {
            return Err(AssertionError::Claims(Error::InvalidClaim {
                claim: "jti",
                reason: format!("{} bytes; at most {MAX_JTI_BYTES} are accepted", jti.len()),
            }));
        }
        let deployment_id = match claims.deployment_id {
            Some(d) if d.is_empty() => {
                return Err(AssertionError::Claims(Error::InvalidClaim {
                    claim: DEPLOYMENT_ID_CLAIM,
                    reason: "empty string".into(),
                }));
            }
            other => other,
        };
        Ok(CheckedClientAssertion {
            client_id: iss,
            jti,
            deployment_id,
            issued_at: iat,
            expires_at: exp,
        })
    }

    /// Step 3: spends the assertion's `jti` (atomically, for as long as the assertion could still be accepted)
    /// and makes the write durable before answering.
    ///
    /// # Errors
    /// [`AssertionError::Replayed`] when the `jti` was already spent; [`AssertionError::Expired`] when the
    /// assertion expired since it was checked; [`AssertionError::Storage`] when the store fails.
    pub async fn consume(
        &self,
        checked: CheckedClientAssertion,
    ) -> Result<VerifiedClientAssertion, AssertionError> {
        let now = self.clock.unix_seconds();
        let until = checked
            .expires_at
            .unix_seconds()
            .saturating_add(self.leeway.as_secs());
        let ttl =
            until
                .checked_sub(now)
                .filter(|secs| *secs > 0)
                .ok_or(AssertionError::Expired {
                    exp: checked.expires_at.unix_seconds(),
                    now,
                    leeway: self.leeway,
                })?;
        let key = jti_key(&checked.client_id, &checked.jti);
        let fresh = self
            .store
            .insert_if_absent(
                Self::JTI_NAMESPACE,
                key.as_ref(),
                &checked.expires_at.unix_seconds().to_be_bytes(),
                Some(Duration::from_secs(ttl)),
            )
            .await
            .map_err(AssertionError::Storage)?;
        if !fresh {
            return Err(AssertionError::Replayed {
                jti: clip(&checked.jti),
            });
        }
        // A spent jti must survive a crash, or the assertion could be replayed after a restart.
        self.store.flush().await.map_err(AssertionError::Storage)?;
        Ok(VerifiedClientAssertion { checked })
    }

    /// Steps 2 and 3: [`check`](Self::check) then [`consume`](Self::consume).
    ///
    /// # Errors
    /// As [`check`](Self::check) and [`consume`](Self::consume).
    pub async fn verify(
        &self,
        assertion: UnverifiedClientAssertion<'_>,
        client_id: &str,
        keys: &dyn KeyResolver,
    ) -> Result<VerifiedClientAssertion, AssertionError> {
        let checked = self.check(assertion, client_id, keys).await?;
        self.consume(checked).await
    }
}

/// A required non-empty string claim.
fn required(value: Option<String>, claim: &'static str) -> Result<String, AssertionError> {
    match value {
        None => Err(AssertionError::Claims(Error::MissingClaim { claim })),
        Some(v) if v.is_empty() => Err(AssertionError::Claims(Error::InvalidClaim {
            claim,
            reason: "empty string".into(),
        })),
        Some(v) => Ok(v),
    }
}

/// SHA-256 of the length-prefixed client_id and the jti: unambiguous, fixed size.
fn jti_key(client_id: &str, jti: &str) -> digest::Digest {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&(client_id.len() as u64).to_be_bytes());
    ctx.update(client_id.as_bytes());
    ctx.update(jti.as_bytes());
    ctx.finish()
}

impl UnverifiedClientAssertion<'_> {
    /// The `iss` claim, unverified: use it only to find the client's registration and keys.
    pub fn unverified_issuer(&self) -> &str {
        &self.issuer
    }

    /// The JOSE header, unverified.
    pub fn header(&self) -> &crate::Header {
        self.jws.header()
    }
}

impl CheckedClientAssertion {
    /// The client_id (`iss` = `sub`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The `jti`.
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The deployment named by the assertion's deployment_id claim, if any [Core §6.2.1].
    pub fn deployment_id(&self) -> Option<&str> {
        self.deployment_id.as_deref()
    }

    /// `iat`.
    pub fn issued_at(&self) -> NumericDate {
        self.issued_at
    }

    /// `exp`.
    pub fn expires_at(&self) -> NumericDate {
        self.expires_at
    }
}

impl VerifiedClientAssertion {
    /// The authenticated client_id.
    pub fn client_id(&self) -> &str {
        &self.checked.client_id
    }

    /// The (now spent) `jti`.
    pub fn jti(&self) -> &str {
        &self.checked.jti
    }

    /// The deployment named by the assertion's deployment_id claim, if any [Core §6.2.1].
    pub fn deployment_id(&self) -> Option<&str> {
        self.checked.deployment_id.as_deref()
    }

    /// `iat`.
    pub fn issued_at(&self) -> NumericDate {
        self.checked.issued_at
    }

    /// `exp`.
    pub fn expires_at(&self) -> NumericDate {
        self.checked.expires_at
    }
}

impl AssertionError {
    /// The RFC 6749 §5.2 code for the token endpoint's answer: `invalid_client` for every fault of the assertion
    /// (RFC 7523 §3.2); `server_error` (an [`OAuthErrorCode::Other`]) for our own failures.
    pub fn oauth_error(&self) -> OAuthErrorCode {
        if self.is_internal() {
            OAuthErrorCode::Other("server_error".to_owned())
        } else {
            OAuthErrorCode::InvalidClient
        }
    }

    /// Whether the failure is on our side (storage, or a transport failure fetching the tool's keys).
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::KeysUnavailable(_) | Self::Storage(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jti_keys_do_not_run_client_and_jti_together() {
        assert_ne!(
            jti_key("ab", "c").as_ref(),
            jti_key("a", "bc").as_ref(),
            "length prefix keeps (ab, c) and (a, bc) apart"
        );
        assert_eq!(jti_key("a", "b").as_ref(), jti_key("a", "b").as_ref());
    }

    #[test]
    fn every_peer_fault_is_invalid_client() {
        let faults = [
            AssertionError::Replayed { jti: "j".into() },
            AssertionError::Expired {
                exp: 1,
                now: 2,
                leeway: Duration::ZERO,
            },
            AssertionError::AudienceMismatch {
                expected: vec![],
                found: vec![],
            },
            AssertionError::Signature(Error::InvalidSignature),
        ];
        for fault in faults {
            assert_eq!(
                fault.oauth_error(),
                OAuthErrorCode::InvalidClient,
                "{fault}"
            );
            assert!(!fault.is_internal());
        }
        let internal = AssertionError::Storage(lti_storage::Error::Backend {
            backend: "memory",
            source: "down".into(),
        });
        assert!(internal.is_internal());
        assert_eq!(internal.oauth_error().as_str(), "server_error");
    }
}
