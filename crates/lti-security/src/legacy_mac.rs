//! HMAC-SHA256 for the one place LTI 1.3 still uses a shared secret: the LTI 1.1 migration claim's
//! `oauth_consumer_key_sign` (Migr `#oauth_consumer_key_sign`), which proves the platform knows a 1.1 secret.
//!
//! Never used to verify a JWS: HMAC JWS algorithms do not exist in [`Algorithm`](crate::Algorithm).

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Whether `signature_b64` (standard base64, padded, as LTI 1.1 platforms send it) is the HMAC-SHA256 of
/// `message` under `secret`. The comparison is constant-time; malformed base64 is simply `false`.
pub fn hmac_sha256_base64_matches(secret: &[u8], message: &[u8], signature_b64: &str) -> bool {
    let Ok(signature) = STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, message, &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migration guide's vector, as recomputed in shared/spec/core.md §3.5.
    #[test]
    fn migration_vector() {
        let message =
            b"179248902&689302&https://lmsvendor.com&PM48OJSfGDTAzAo&1551290856&172we8671fd8z";
        let good = "lWd54kFo5qU7xshAna6v8BwoBm6tmUjc6GTax6+12ps=";
        assert!(hmac_sha256_base64_matches(
            b"my-lti11-secret",
            message,
            good
        ));
        assert!(!hmac_sha256_base64_matches(
            b"another-secret",
            message,
            good
        ));
        assert!(!hmac_sha256_base64_matches(
            b"my-lti11-secret",
            b"tampered",
            good
        ));
        assert!(!hmac_sha256_base64_matches(
            b"my-lti11-secret",
            message,
            "not base64!"
        ));
        assert!(!hmac_sha256_base64_matches(b"my-lti11-secret", message, ""));
    }
}
