//! The full JWT verification path: parse, allow-list, key lookup, signature, claims.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::claims::{ClaimRules, JwtClaims, RegisteredClaims};
use crate::jws::{DEFAULT_MAX_TOKEN_BYTES, Header, UnverifiedJws, check_allowed, parse_claims};
use crate::{AlgorithmSet, Clock, Error, KeyResolver};

/// Verifies compact JWTs against an algorithm allow-list, a key source and [`ClaimRules`].
///
/// Steps, in order (cheap and structural first, the signature before any claim is trusted):
/// 1. size limit, three base64url parts, header JSON, `alg` is a supported asymmetric algorithm, no `crit`;
/// 2. `alg` is in the allow-list (default `{RS256}`);
/// 3. `kid` is present [Sec §6.3];
/// 4. the key for (`kid`, `alg`) comes from the [`KeyResolver`] (cached; a remote set refetches once on a miss);
/// 5. the signature verifies;
/// 6. the registered claims parse and pass the rules at the clock's current time.
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    algorithms: AlgorithmSet,
    max_token_bytes: usize,
    clock: Arc<dyn Clock>,
}

impl JwtVerifier {
    /// A verifier accepting RS256 only, tokens up to [`DEFAULT_MAX_TOKEN_BYTES`].
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            algorithms: AlgorithmSet::default(),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            clock,
        }
    }

    /// Sets the algorithm allow-list (`none` and HMAC cannot be in it).
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// Sets the largest token accepted.
    #[must_use]
    pub fn with_max_token_bytes(mut self, max: usize) -> Self {
        self.max_token_bytes = max;
        self
    }

    /// The allow-list.
    pub fn algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// Parses `token` without verifying it (step 1), e.g. to pick a registration by its unverified `iss`, then
    /// finish with [`verify_parsed`](Self::verify_parsed).
    ///
    /// # Errors
    /// As [`UnverifiedJws::parse`].
    pub fn parse<'a>(&self, token: &'a str) -> Result<UnverifiedJws<'a>, Error> {
        UnverifiedJws::parse(token, self.max_token_bytes)
    }

    /// Runs every step on `token`.
    ///
    /// # Errors
    /// The first failing step's [`Error`].
    pub async fn verify(
        &self,
        token: &str,
        keys: &dyn KeyResolver,
        rules: &ClaimRules,
    ) -> Result<VerifiedJwt, Error> {
        let jws = self.parse(token)?;
        self.verify_parsed(jws, keys, rules).await
    }

    /// Runs steps 2–6 on an already parsed token.
    ///
    /// # Errors
    /// The first failing step's [`Error`].
    pub async fn verify_parsed(
        &self,
        jws: UnverifiedJws<'_>,
        keys: &dyn KeyResolver,
        rules: &ClaimRules,
    ) -> Result<VerifiedJwt, Error> {
        let header = jws.header();
        check_allowed(header.alg, self.algorithms)?;
        let kid = header.kid.as_ref().ok_or(Error::MissingKid)?;
        let key = keys.resolve(kid, header.alg).await?;
        let (header, payload) = jws.verify(&key, self.algorithms)?.into_parts();
        let registered: RegisteredClaims = parse_claims(&payload)?;
        rules.check(&registered, self.clock.unix_seconds())?;
        Ok(VerifiedJwt {
            header,
            registered,
            payload,
        })
    }
}

impl JwtVerifier {
    /// Runs steps 2–6 on an already parsed token, deserializing the payload once into the caller's claims type
    /// `T` (e.g. an LTI message) and checking `rules` on its [registered claims](JwtClaims::registered). The
    /// payload is parsed only after the signature verified.
    ///
    /// # Errors
    /// The first failing step's [`Error`]; a payload that is not a `T` is [`Error::MalformedClaims`].
    pub async fn verify_parsed_as<T: JwtClaims>(
        &self,
        jws: UnverifiedJws<'_>,
        keys: &dyn KeyResolver,
        rules: &ClaimRules,
    ) -> Result<VerifiedClaims<T>, Error> {
        let header = jws.header();
        check_allowed(header.alg, self.algorithms)?;
        let kid = header.kid.as_ref().ok_or(Error::MissingKid)?;
        let key = keys.resolve(kid, header.alg).await?;
        let (header, payload) = jws.verify(&key, self.algorithms)?.into_parts();
        let claims: T = parse_claims(&payload)?;
        rules.check_claims(claims.registered(), self.clock.unix_seconds())?;
        Ok(VerifiedClaims { header, claims })
    }
}

/// A JWT whose signature verified and whose payload, parsed as `T`, passed the [`ClaimRules`]. Only a
/// [`JwtVerifier`] builds one ([`verify_parsed_as`](JwtVerifier::verify_parsed_as)).
#[derive(Debug, Clone)]
pub struct VerifiedClaims<T> {
    header: Header,
    claims: T,
}

impl<T> VerifiedClaims<T> {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The verified claims.
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The verified claims, owned.
    pub fn into_claims(self) -> T {
        self.claims
    }

    /// The header and the claims.
    pub fn into_parts(self) -> (Header, T) {
        (self.header, self.claims)
    }
}

/// A JWT whose signature and registered claims passed a [`JwtVerifier`]. Only the verifier builds one.
#[derive(Debug, Clone)]
pub struct VerifiedJwt {
    header: Header,
    registered: RegisteredClaims,
    payload: Vec<u8>,
}

impl VerifiedJwt {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The registered claims (checked).
    pub fn registered(&self) -> &RegisteredClaims {
        &self.registered
    }

    /// The raw payload JSON.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The whole payload deserialized as `T` (e.g. an LTI message type).
    ///
    /// # Errors
    /// [`Error::MalformedClaims`] with serde's message.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, Error> {
        parse_claims(&self.payload)
    }
}
