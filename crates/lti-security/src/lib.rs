#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod alg;
mod b64;
mod claims;
mod error;
pub mod jws;
mod jwt;
mod kek;
mod key_ring;
mod key_set;
mod kid;
mod legacy_mac;
pub mod manual;
pub mod oauth;
mod pem;
mod random;
mod remote_jwks;
mod signing_key;
mod verifying_key;

pub use alg::{Algorithm, AlgorithmSet, Curve, KeyFamily};
pub use claims::{
    Audience, ClaimRules, ClaimsRef, DEFAULT_LEEWAY, JwtClaims, MAX_LEEWAY, NumericDate,
    RegisteredClaims, RequiredClaim,
};
pub use error::{Error, Party};
pub use jose_jwk::{Jwk, JwkSet};
pub use jws::{DEFAULT_MAX_TOKEN_BYTES, Header, UnverifiedJws, VerifiedJws, sign_jwt};
pub use jwt::{JwtVerifier, VerifiedClaims, VerifiedJwt};
pub use kek::{KEK_LEN, KeyEncryptionKey, KeyProtection};
pub use key_ring::{KeyRing, KeyRingConfig};
pub use key_set::{KeyResolver, KeySet, MAX_KEYS_PER_SET, SkippedKey};
pub use kid::Kid;
pub use legacy_mac::hmac_sha256_base64_matches;
pub use lti_storage::{Clock, ManualClock, SystemClock};
pub use random::{DEFAULT_TOKEN_BYTES, random_token};
pub use remote_jwks::{JwksCache, JwksCacheConfig, RemoteJwks};
pub use signing_key::{RsaBits, SigningKey};
pub use verifying_key::{MAX_RSA_BITS, MIN_RSA_BITS, VerifyingKey};
