//! Unpredictable values for protocol state (OIDC `state` and `nonce`, `jti`, opaque tokens, message hints).

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use crate::{Error, b64};

/// The default size of a random token: 32 bytes (256 bits), 43 base64url characters.
pub const DEFAULT_TOKEN_BYTES: usize = 32;

/// `bytes` random bytes from the operating system's CSPRNG, base64url-encoded without padding.
///
/// # Errors
/// [`Error::Crypto`] when the system generator fails (it does not on supported platforms).
pub fn random_token(bytes: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| Error::Crypto {
            operation: "random generation",
        })?;
    Ok(b64::encode(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_url_safe() {
        let a = random_token(DEFAULT_TOKEN_BYTES).unwrap();
        let b = random_token(DEFAULT_TOKEN_BYTES).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}
