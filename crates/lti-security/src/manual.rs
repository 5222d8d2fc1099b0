//! The lti-security manual: guarantees, refusals, past bugs, defaults. Documentation only.
//!
//! # 1. What this crate guarantees
//!
//! - **A token is trusted only through a verifier type.** [`VerifiedJwt`](crate::VerifiedJwt) and
//!   [`VerifiedJws`](crate::VerifiedJws) have private fields; only [`JwtVerifier`](crate::JwtVerifier) and
//!   [`UnverifiedJws::verify`](crate::UnverifiedJws::verify) build them. Code that takes a `VerifiedJwt` cannot be
//!   handed an unchecked token by mistake. Accessors on unchecked data say so (`unverified_claims`).
//! - **Algorithms are allow-listed and asymmetric.** [`Algorithm`](crate::Algorithm) has no `none` and no HMAC
//!   variant, so no configuration can allow them. The default allow-list is `{RS256}` (LTI certification).
//! - **The key must fit the algorithm.** An RS256 token is checked only with an RSA key, an ES256 token only
//!   with a P-256 key, and a JWK that declares `alg` verifies only that algorithm.
//! - **Keys come only from you.** The `jku`, `x5u`, `jwk` and `x5c` headers are never read for keys.
//! - **Input never panics.** Every size is capped before parsing (token 128 KiB, JWKS body 256 KiB, 64 keys per
//!   set, PEM 64 KiB); base64url is decoded strictly (no padding, canonical trailing bits); the header and the
//!   claims must be JSON objects (serde would otherwise accept a JSON array of field values) with no duplicate
//!   registered members; failures are typed [`Error`](crate::Error)s.
//! - **Private keys stay in the process.** `Debug` of a key prints `kid`, `alg` and size only; PKCS#8 output is
//!   zeroised on drop; a [`KeyRing`](crate::KeyRing) stores keys AES-256-GCM-encrypted, bound to their ring and
//!   `kid` by the associated data, under a key-encryption key that never touches the store.
//!
//! # 2. What it refuses to do
//!
//! - Verify `alg: none`, `HS*` (even with the "right" secret), `PS*`, or anything not listed.
//! - Accept `crit` headers: no JWS extension is understood, so RFC 7515 §4.1.11 requires rejection.
//! - Use RSA keys under 2048 bits (RFC 7518 §3.3), in either direction, or over 8192 bits.
//! - Follow redirects when fetching a JWKS, or cache an error page as a key set.
//! - Compare issuers loosely: `iss` is compared byte for byte (a trailing slash is another issuer).
//! - Accept a leeway above five minutes ([`MAX_LEEWAY`](crate::MAX_LEEWAY)).
//!
//! # 3. Bugs other LTI and JWT libraries had, and what stops them here
//!
//! | bug | seen in | here |
//! |---|---|---|
//! | `alg: none` accepted | early JWT libraries (CVE-2015-9235 and kin) | not representable |
//! | HS256 verified with the RSA public key as the HMAC secret | same family | not representable; key family checked |
//! | key taken from the token's `jwk`/`jku` header | several JOSE libraries | headers ignored for keys |
//! | JWKS fetched on every launch | ltijs | [`RemoteJwks`](crate::RemoteJwks) caches per URL by `max-age` |
//! | HTTP status not checked, error page parsed as keys | pylti1.3 | non-2xx is an error, never cached |
//! | a token spraying random `kid`s makes the tool hammer the platform | common | one refetch per miss, rate limited, single flight |
//! | `aud[0]` taken as the client id, or the last loop value wins | pylti1.3, oat-sa | `aud` must *contain* the client id; every other value must be trusted; `azp` when several |
//! | only the RSA signature checked, claims forgotten by the caller | packbackbooks (nonce check commented out) | the verifier returns only after the claim rules passed |
//! | private keys on disk in clear | most tool samples | encrypted at rest unless an `insecure_` option says otherwise |
//!
//! # 4. Why the defaults are what they are
//!
//! - **RS256 only**: the one algorithm every platform and the certification suite use; widen per registration.
//! - **Leeway 60 s both ways**: covers real clock skew (Moodle, Canvas and D2L servers drift by seconds), well
//!   inside the spec's "a few minutes".
//! - **`iat` required**: Sec §5.1.3 allows rejecting stale tokens; without `iat` no age check is possible.
//! - **JWKS TTL 1 h without `max-age`, clamped to 5 min – 24 h**: a platform's `max-age=0` would otherwise turn
//!   every launch into a fetch; a week-long `max-age` would delay noticing a revoked key.
//! - **Kid-miss refetch at most once per 30 s per URL**: a rotation is picked up on the first token that needs
//!   it, while an attacker's random `kid`s cost the platform at most two requests a minute.
//! - **Key overlap 7 days**: longer than any token or cached JWKS lives, so a rotation never breaks a launch in
//!   flight.
//! - **RSA 2048 for new keys**: the LTI norm, and signing is 4–5x faster than with 4096-bit keys.
