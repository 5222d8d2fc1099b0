//! JOSE and service security for lti-rs.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

mod alg;
mod b64;
mod error;
mod kek;
mod key_ring;
mod key_set;
mod kid;
mod pem;
mod remote_jwks;
mod signing_key;
mod verifying_key;

pub use alg::{Algorithm, AlgorithmSet, Curve, KeyFamily};
pub use error::{Error, Party};
pub use key_set::{KeyResolver, KeySet, MAX_KEYS_PER_SET, SkippedKey};
pub use kid::Kid;
pub use signing_key::{RsaBits, SigningKey};
pub use verifying_key::{MAX_RSA_BITS, MIN_RSA_BITS, VerifyingKey};
pub use jose_jwk::{Jwk, JwkSet};
