//! Encryption of private keys at rest: the operator's key-encryption key and the protection a
//! [`KeyRing`](crate::KeyRing) applies to the keys it stores.
//!
//! The LTI implementation guide (§3.2.1) asks that private keys be restricted, encrypted and never leave the
//! process. A key ring therefore seals each PKCS#8 private key with AES-256-GCM under a [`KeyEncryptionKey`] the
//! operator supplies (a file or an environment variable), with a fresh random 96-bit nonce per encryption and
//! associated data that binds the ciphertext to its place (ring name, `kid`, algorithm, format version): a
//! ciphertext copied into another ring or slot no longer decrypts. Keeping keys in plain text takes an explicit,
//! loudly named development option, [`KeyProtection::insecure_plaintext_for_development`].

use std::ffi::OsString;
use std::fmt;
use std::io::Read;
use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// The length of a key-encryption key: 32 bytes (AES-256).
pub const KEK_LEN: usize = 32;

/// The largest key file [`KeyEncryptionKey::from_file`] reads; a key is 32 raw bytes or ~44 characters of
/// base64, so anything bigger is the wrong file.
const MAX_KEK_FILE_BYTES: u64 = 4096;

/// The AES-GCM authentication tag length.
const TAG_LEN: usize = 16;

/// Standard base64 alphabet, padding optional.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// URL-safe base64 alphabet, padding optional.
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A 256-bit key that encrypts private keys at rest (AES-256-GCM).
///
/// Supplied by the operator: [`from_file`](Self::from_file), [`from_env`](Self::from_env) or
/// [`from_base64`](Self::from_base64); bootstrap one with [`generate`](Self::generate) and
/// [`to_base64`](Self::to_base64). The bytes are zeroised on drop, `Debug` prints `[redacted]`, and there is
/// deliberately no `PartialEq` and no `Serialize`. `Clone` makes an independent copy that is zeroised in turn
/// (so one key can protect several rings).
#[derive(Clone)]
pub struct KeyEncryptionKey {
    bytes: Zeroizing<[u8; KEK_LEN]>,
}

impl KeyEncryptionKey {
    /// Wraps 32 key bytes. The argument is moved in and the local copy wiped; wipe any other copy you hold.
    pub fn from_bytes(bytes: [u8; KEK_LEN]) -> Self {
        let mut bytes = bytes;
        let kek = Self {
            bytes: Zeroizing::new(bytes),
        };
        bytes.zeroize();
        kek
    }

    /// Parses base64 text (standard or URL-safe alphabet, padding optional, surrounding whitespace ignored)
    /// that decodes to exactly 32 bytes.
    ///
    /// # Errors
    /// [`Error::KeyEncryptionKey`] when the text is not base64 or not 32 bytes. The message never quotes the
    /// text.
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(kek_error("the base64 text is empty".into()));
        }
        let decoded = STANDARD_LENIENT
            .decode(text)
            .or_else(|_| URL_SAFE_LENIENT.decode(text))
            .map(Zeroizing::new)
            .map_err(|_| kek_error("not valid base64 (standard or URL-safe alphabet)".into()))?;
        Self::from_slice(&decoded)
    }

    /// Reads the base64 key from the environment variable `var_name` (see [`from_base64`](Self::from_base64)).
    ///
    /// # Errors
    /// [`Error::KeyEncryptionKey`] when the variable is unset, not Unicode, or not a valid key.
    pub fn from_env(var_name: &str) -> Result<Self, Error> {
        Self::from_env_value(var_name, std::env::var_os(var_name))
    }

    fn from_env_value(var_name: &str, value: Option<OsString>) -> Result<Self, Error> {
        let value = value
            .ok_or_else(|| kek_error(format!("environment variable `{var_name}` is not set")))?;
        let value = Zeroizing::new(value.into_string().map_err(|raw| {
            drop(Zeroizing::new(raw.into_encoded_bytes()));
            kek_error(format!(
                "environment variable `{var_name}` is not valid Unicode"
            ))
        })?);
        Self::from_base64(&value).map_err(|e| match e {
            Error::KeyEncryptionKey { reason } => {
                kek_error(format!("environment variable `{var_name}`: {reason}"))
            }
            other => other,
        })
    }

    /// Reads the key from a file holding either exactly 32 raw bytes or base64 text (see
    /// [`from_base64`](Self::from_base64)). A file of printable ASCII is always read as base64 text, so 32
    /// characters of hex or base64 are refused rather than taken as raw key bytes.
    ///
    /// On Unix, logs a warning when the file is readable by its group or by others: the key should be readable
    /// by the service's user only (`chmod 600`).
    ///
    /// # Errors
    /// [`Error::KeyEncryptionKey`] when the file cannot be read, is larger than 4 KiB or holds no valid key.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let shown = path.display();
        let file = std::fs::File::open(path)
            .map_err(|e| kek_error(format!("cannot open `{shown}`: {e}")))?;
        let metadata = file
            .metadata()
            .map_err(|e| kek_error(format!("cannot read `{shown}`: {e}")))?;
        warn_if_shared(path, &metadata);
        if metadata.len() > MAX_KEK_FILE_BYTES {
            return Err(kek_error(format!(
                "`{shown}` is {} bytes; a key file holds 32 raw bytes or base64 text",
                metadata.len()
            )));
        }
        let mut contents = Zeroizing::new(Vec::with_capacity(128));
        file.take(MAX_KEK_FILE_BYTES + 1)
            .read_to_end(&mut contents)
            .map_err(|e| kek_error(format!("cannot read `{shown}`: {e}")))?;
        let looks_like_text = contents
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
        if contents.len() == KEK_LEN && !looks_like_text {
            // 32 raw bytes. A random key is all printable ASCII with odds of about 1e-14, while 32 characters of
            // text (hex, or base64 of 24 bytes) is an operator mistake that must not pass as a raw key
            return Self::from_slice(&contents);
        }
        let text = std::str::from_utf8(&contents).map_err(|_| {
            kek_error(format!(
                "`{shown}` is {} bytes of non-text: expected 32 raw bytes or base64 text",
                contents.len()
            ))
        })?;
        Self::from_base64(text).map_err(|e| match e {
            Error::KeyEncryptionKey { reason } => kek_error(format!("`{shown}`: {reason}")),
            other => other,
        })
    }

    /// A new random key from the system's secure random generator, for operators bootstrapping one: store
    /// [`to_base64`](Self::to_base64) in a secret manager or a `chmod 600` file.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the random generator fails.
    pub fn generate() -> Result<Self, Error> {
        let mut bytes = Zeroizing::new([0u8; KEK_LEN]);
        SystemRandom::new()
            .fill(bytes.as_mut_slice())
            .map_err(|_| Error::Crypto {
                operation: "random key-encryption key",
            })?;
        Ok(Self { bytes })
    }

    /// The key as standard base64 with padding (zeroised on drop), the form [`from_base64`](Self::from_base64),
    /// [`from_env`](Self::from_env) and [`from_file`](Self::from_file) read. Handle with care.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.bytes.as_ref()))
    }

    fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let mut key = Zeroizing::new([0u8; KEK_LEN]);
        if bytes.len() != KEK_LEN {
            return Err(kek_error(format!(
                "expected {KEK_LEN} bytes (found {})",
                bytes.len()
            )));
        }
        key.copy_from_slice(bytes);
        Ok(Self { bytes: key })
    }

    fn aead_key(&self) -> Result<LessSafeKey, Error> {
        let unbound =
            UnboundKey::new(&AES_256_GCM, self.bytes.as_ref()).map_err(|_| Error::Crypto {
                operation: "AES-256-GCM key setup",
            })?;
        Ok(LessSafeKey::new(unbound))
    }

    /// Encrypts `plaintext` with AES-256-GCM under a fresh random nonce, authenticating `aad` too; returns
    /// `nonce || ciphertext || tag`.
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let key = self.aead_key()?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| Error::Crypto {
                operation: "random AES-GCM nonce",
            })?;
        // room for the tag up front, so appending it does not reallocate and leave plaintext behind in freed memory
        let mut in_out = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        in_out.extend_from_slice(plaintext);
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut *in_out,
        )
        .map_err(|_| Error::Crypto {
            operation: "AES-256-GCM encryption",
        })?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + in_out.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&in_out);
        Ok(sealed)
    }

    /// Decrypts `nonce || ciphertext || tag` from [`seal`](Self::seal) with the same `aad`.
    ///
    /// Any failure (too short, wrong key, altered bytes, other `aad`) is the opaque [`Error::KeyDecryption`].
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let (nonce, ciphertext) = sealed
            .split_at_checked(NONCE_LEN)
            .ok_or(Error::KeyDecryption)?;
        if ciphertext.len() < TAG_LEN {
            return Err(Error::KeyDecryption);
        }
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::KeyDecryption)?;
        let key = self.aead_key()?;
        let mut in_out = Zeroizing::new(ciphertext.to_vec());
        let len = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                in_out.as_mut_slice(),
            )
            .map_err(|_| Error::KeyDecryption)?
            .len();
        in_out.truncate(len);
        Ok(in_out)
    }
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey([redacted])")
    }
}

/// How a [`KeyRing`](crate::KeyRing) protects the private keys it stores.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum KeyProtection {
    /// AES-256-GCM under the operator's key-encryption key. The production setting.
    Encrypted(KeyEncryptionKey),
    /// PKCS#8 in plain text in the store: anyone who can read the store (a backup, a copied sled directory) can
    /// sign as you. For local development and tests only; a warning is logged every time a ring opens with it.
    /// Construct it with [`KeyProtection::insecure_plaintext_for_development`].
    InsecurePlaintextForDevelopment,
}

impl KeyProtection {
    /// Encrypt private keys at rest under `kek`.
    pub fn encrypted(kek: KeyEncryptionKey) -> Self {
        Self::Encrypted(kek)
    }

    /// Store private keys **unencrypted**. Development and tests only: see
    /// [`KeyProtection::InsecurePlaintextForDevelopment`].
    pub fn insecure_plaintext_for_development() -> Self {
        Self::InsecurePlaintextForDevelopment
    }

    /// Whether keys are encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        matches!(self, Self::Encrypted(_))
    }
}

fn kek_error(reason: String) -> Error {
    Error::KeyEncryptionKey { reason }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path, metadata: &std::fs::Metadata) {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format_args!("{:o}", mode & 0o777),
            "key-encryption key file is readable or writable by group or others; restrict it to the service user (chmod 600)"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path, _metadata: &std::fs::Metadata) {}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    use super::*;

    /// Bytes whose base64 uses both `+` and `/` (standard) or `-` and `_` (URL-safe).
    fn sample() -> [u8; KEK_LEN] {
        let mut bytes = [0xfbu8; KEK_LEN];
        bytes[0] = 0xff;
        bytes[31] = 0x3e;
        bytes
    }

    fn same_key(a: &KeyEncryptionKey, b: &KeyEncryptionKey) -> bool {
        a.bytes.as_ref() == b.bytes.as_ref()
    }

    #[test]
    fn base64_in_every_common_form_is_accepted() {
        let expected = KeyEncryptionKey::from_bytes(sample());
        for text in [
            STANDARD.encode(sample()),
            STANDARD_NO_PAD.encode(sample()),
            URL_SAFE.encode(sample()),
            URL_SAFE_NO_PAD.encode(sample()),
            format!("  {}\n", STANDARD.encode(sample())),
        ] {
            let kek = KeyEncryptionKey::from_base64(&text).unwrap();
            assert!(same_key(&kek, &expected), "{text}");
        }
        assert!(STANDARD.encode(sample()).contains('/'));
        assert!(URL_SAFE.encode(sample()).contains('_'));
    }

    #[test]
    fn base64_of_the_wrong_length_or_junk_is_refused_without_quoting_it() {
        for (text, needle) in [
            (STANDARD.encode([7u8; 31]), "expected 32 bytes (found 31)"),
            (STANDARD.encode([7u8; 33]), "expected 32 bytes (found 33)"),
            ("not base64!!".to_owned(), "not valid base64"),
            ("   ".to_owned(), "empty"),
        ] {
            let err = KeyEncryptionKey::from_base64(&text).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, Error::KeyEncryptionKey { .. }), "{message}");
            assert!(message.contains(needle), "{message}");
            if !text.trim().is_empty() {
                assert!(!message.contains(text.trim()), "{message}");
            }
        }
    }

    #[test]
    fn generate_and_to_base64_round_trip() {
        let a = KeyEncryptionKey::generate().unwrap();
        let b = KeyEncryptionKey::generate().unwrap();
        assert!(!same_key(&a, &b));
        let again = KeyEncryptionKey::from_base64(&a.to_base64()).unwrap();
        assert!(same_key(&a, &again));
    }

    #[test]
    fn env_values_are_checked_and_named() {
        let err = KeyEncryptionKey::from_env_value("LTI_KEK", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "key-encryption key: environment variable `LTI_KEK` is not set"
        );
        let err = KeyEncryptionKey::from_env_value("LTI_KEK", Some("abcd".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "key-encryption key: environment variable `LTI_KEK`: expected 32 bytes (found 3)"
        );
        let kek =
            KeyEncryptionKey::from_env_value("LTI_KEK", Some(STANDARD.encode(sample()).into()))
                .unwrap();
        assert!(same_key(&kek, &KeyEncryptionKey::from_bytes(sample())));
        // the real lookup of an unset variable
        let err = KeyEncryptionKey::from_env("LTI_RS_TEST_SURELY_UNSET_KEK_VARIABLE").unwrap_err();
        assert!(matches!(err, Error::KeyEncryptionKey { .. }));
    }

    #[test]
    fn files_hold_raw_bytes_or_base64_text() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw.key");
        std::fs::File::create(&raw)
            .unwrap()
            .write_all(&sample())
            .unwrap();
        assert!(same_key(
            &KeyEncryptionKey::from_file(&raw).unwrap(),
            &KeyEncryptionKey::from_bytes(sample())
        ));

        let text = dir.path().join("text.key");
        std::fs::write(&text, format!("{}\n", URL_SAFE_NO_PAD.encode(sample()))).unwrap();
        assert!(same_key(
            &KeyEncryptionKey::from_file(&text).unwrap(),
            &KeyEncryptionKey::from_bytes(sample())
        ));

        let hex = dir.path().join("hex.key");
        std::fs::write(&hex, "00112233445566778899aabbccddeeff").unwrap();
        let err = KeyEncryptionKey::from_file(&hex).unwrap_err();
        assert!(
            err.to_string().contains("expected 32 bytes (found 24)"),
            "{err}"
        );

        let short = dir.path().join("short.key");
        std::fs::write(&short, [0xffu8; 16]).unwrap();
        let err = KeyEncryptionKey::from_file(&short).unwrap_err();
        assert!(err.to_string().contains("16 bytes of non-text"), "{err}");

        let wrong = dir.path().join("wrong.key");
        std::fs::write(&wrong, STANDARD.encode([9u8; 24])).unwrap();
        let err = KeyEncryptionKey::from_file(&wrong).unwrap_err();
        assert!(
            err.to_string().contains("expected 32 bytes (found 24)"),
            "{err}"
        );

        let big = dir.path().join("big.key");
        std::fs::write(&big, vec![b'A'; 5000]).unwrap();
        let err = KeyEncryptionKey::from_file(&big).unwrap_err();
        assert!(err.to_string().contains("5000 bytes"), "{err}");

        let missing = dir.path().join("missing.key");
        let err = KeyEncryptionKey::from_file(&missing).unwrap_err();
        assert!(err.to_string().contains("cannot open"), "{err}");
    }

    #[test]
    fn seal_and_open_round_trip_with_fresh_nonces() {
        let kek = KeyEncryptionKey::from_bytes(sample());
        let a = kek.seal(b"place", b"secret pkcs8").unwrap();
        let b = kek.seal(b"place", b"secret pkcs8").unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN], "nonces repeat");
        assert_eq!(a.len(), NONCE_LEN + b"secret pkcs8".len() + TAG_LEN);
        assert_eq!(kek.open(b"place", &a).unwrap().as_slice(), b"secret pkcs8");
        assert_eq!(kek.open(b"place", &b).unwrap().as_slice(), b"secret pkcs8");
    }

    #[test]
    fn any_change_fails_opaquely() {
        let kek = KeyEncryptionKey::from_bytes(sample());
        let sealed = kek.seal(b"place", b"secret pkcs8").unwrap();
        assert!(matches!(
            kek.open(b"other place", &sealed),
            Err(Error::KeyDecryption)
        ));
        let other = KeyEncryptionKey::generate().unwrap();
        assert!(matches!(
            other.open(b"place", &sealed),
            Err(Error::KeyDecryption)
        ));
        for i in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assert!(
                matches!(kek.open(b"place", &tampered), Err(Error::KeyDecryption)),
                "byte {i}"
            );
        }
        for len in [0, 5, NONCE_LEN, NONCE_LEN + TAG_LEN - 1, sealed.len() - 1] {
            assert!(
                matches!(
                    kek.open(b"place", &sealed[..len]),
                    Err(Error::KeyDecryption)
                ),
                "len {len}"
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let kek = KeyEncryptionKey::from_bytes(sample());
        let shown = format!("{kek:?} {:?}", KeyProtection::encrypted(kek.clone()));
        assert!(!shown.contains(kek.to_base64().as_str()));
        assert!(!shown.contains("251"), "{shown}");
        assert_eq!(format!("{kek:?}"), "KeyEncryptionKey([redacted])");
    }
}
