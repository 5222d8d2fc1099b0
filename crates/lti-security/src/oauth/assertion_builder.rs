//! The tool's client assertion: the signed JWT that authenticates a token request [Sec §4.1.1; Core §6.2;
//! RFC 7523 §3].

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use super::{ClientAssertionClaims, TokenEndpoint, TokenError};
use crate::{Audience, DEFAULT_TOKEN_BYTES, NumericDate, SigningKey, random_token, sign_jwt};

/// How far in the past the assertion's `iat` is set: 5 seconds.
///
/// Moodle refuses an assertion whose `iat` is in its future, and a platform clock a second or two behind ours
/// would see a fresh `iat` that way; five seconds of back-dating absorbs ordinary skew and costs nothing (the
/// assertion is used at once).
pub const ASSERTION_BACKDATE: Duration = Duration::from_secs(5);

/// The assertion's validity: `exp` = `iat` + 5 minutes, the customary value [Sec §4.1.1].
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// A signed client assertion (compact JWS). A bearer credential until it expires: `Debug` prints `[redacted]`,
/// and it is zeroed on drop.
pub struct ClientAssertion {
    jwt: Zeroizing<String>,
    jti: String,
}

impl ClientAssertion {
    /// Signs a new assertion for `endpoint` with `key`, `unix_now` being the current time in seconds:
    ///
    /// - header `{"alg": <key's alg>, "kid": <key's kid>, "typ": "JWT"}`;
    /// - `iss` = `sub` = the client id [Core §6.2];
    /// - `aud` = [`TokenEndpoint::audience`] (the token URL unless configured otherwise);
    /// - `iat` = now − [`ASSERTION_BACKDATE`], `exp` = `iat` + [`ASSERTION_LIFETIME`];
    /// - `jti` = 256 random bits, base64url (never reused: the platform refuses a replay);
    /// - the LTI `deployment_id` claim when the endpoint has one (SHOULD, Core §6.2.1).
    ///
    /// # Errors
    /// [`TokenError::Assertion`] when randomness or signing fails.
    pub fn sign(
        endpoint: &TokenEndpoint,
        key: &SigningKey,
        unix_now: u64,
    ) -> Result<Self, TokenError> {
        let failed = |source| TokenError::Assertion {
            client_id: endpoint.client_id().to_owned(),
            source: std::sync::Arc::new(source),
        };
        let iat = unix_now.saturating_sub(ASSERTION_BACKDATE.as_secs());
        let claims = ClientAssertionClaims {
            iss: endpoint.client_id().to_owned(),
            sub: endpoint.client_id().to_owned(),
            aud: Audience::one(endpoint.audience()),
            iat: NumericDate::from_unix_seconds(iat),
            exp: NumericDate::from_unix_seconds(iat.saturating_add(ASSERTION_LIFETIME.as_secs())),
            jti: random_token(DEFAULT_TOKEN_BYTES).map_err(failed)?,
            deployment_id: endpoint.deployment_id().map(str::to_owned),
        };
        let jwt = sign_jwt(key, &claims).map_err(failed)?;
        Ok(Self {
            jwt: Zeroizing::new(jwt),
            jti: claims.jti,
        })
    }

    /// The compact JWS, for the `client_assertion` parameter.
    ///
    /// # Security
    /// Whoever holds it can get a token in the tool's name until it expires (unless the platform enforces
    /// single use of `jti`): never log it.
    pub fn secret(&self) -> &str {
        &self.jwt
    }

    /// The assertion's `jti`.
    pub fn jti(&self) -> &str {
        &self.jti
    }
}

impl fmt::Debug for ClientAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAssertion")
            .field("jwt", &"[redacted]")
            .field("jti", &self.jti)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, UnverifiedJws};

    fn endpoint() -> TokenEndpoint {
        TokenEndpoint::new(url::Url::parse("https://lms.example/token").unwrap(), "c1").unwrap()
    }

    #[test]
    fn debug_hides_the_jwt() {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let assertion = ClientAssertion::sign(&endpoint(), &key, 1_800_000_000).unwrap();
        let shown = format!("{assertion:?}");
        assert!(!shown.contains(assertion.secret()), "{shown}");
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(shown.contains(assertion.jti()), "{shown}");
    }

    #[test]
    fn c70_times_never_underflow_and_exp_follows_iat() {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        for now in [0, 3, 1_800_000_000] {
            let assertion = ClientAssertion::sign(&endpoint(), &key, now).unwrap();
            let jws = UnverifiedJws::parse(assertion.secret(), 8192).unwrap();
            let claims: ClientAssertionClaims = jws.unverified_claims().unwrap();
            assert_eq!(claims.iat.unix_seconds(), now.saturating_sub(5));
            assert_eq!(claims.exp.unix_seconds(), claims.iat.unix_seconds() + 300);
            assert_eq!(claims.jti, assertion.jti());
        }
    }
}
