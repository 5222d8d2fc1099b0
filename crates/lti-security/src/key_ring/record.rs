//! The stored form of a key ring: one versioned JSON record per ring, holding each private key sealed (or, in
//! development, in plain text) together with its `kid`, `alg` and times.
//!
//! ```json
//! {"version":1,
//!  "active":{"kid":"…","alg":"RS256","created_at":1700000000,
//!            "private_key":{"protection":"aes-256-gcm","data":"<base64 of nonce || ciphertext || tag>"}},
//!  "retiring":[{"kid":"…","alg":"RS256","created_at":1690000000,"retire_until":1700604800,
//!               "private_key":{"protection":"insecure-plaintext","data":"<base64 of PKCS#8>"}}]}
//! ```
//!
//! The AES-GCM associated data binds each ciphertext to the format version, the ring name, the `kid` and the
//! `alg`, so a ciphertext moved to another ring or another key's slot, or relabelled, does not decrypt. It does
//! not bind the role (active or retiring): rotation moves the active key to the retiring list without
//! re-encrypting it.

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::error::clip;
use crate::{Algorithm, Error, KeyProtection, Kid, SigningKey};

/// The record format this build writes and reads.
pub(super) const FORMAT_VERSION: u32 = 1;

/// The largest record read: a ring holds a few keys of a few KiB each, so anything bigger is not ours.
const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// The most retiring keys a readable record may hold (rotation keeps far fewer; see
/// [`KeyRing::MAX_RETIRING_KEYS`](crate::KeyRing::MAX_RETIRING_KEYS)).
const MAX_STORED_RETIRING: usize = 256;

/// The label that starts the associated data of every sealed key.
const AAD_LABEL: &[u8] = b"lti-rs key ring private key";

/// A key ring record.
#[derive(Serialize, Deserialize)]
pub(super) struct Record {
    /// Always [`FORMAT_VERSION`] once parsed.
    pub(super) version: u32,
    /// The key that signs.
    pub(super) active: StoredKey,
    /// Previous keys, still published until their `retire_until`, newest first.
    #[serde(default)]
    pub(super) retiring: Vec<StoredKey>,
}

/// One key as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct StoredKey {
    /// The key id.
    pub(super) kid: Kid,
    /// The JOSE algorithm name.
    pub(super) alg: String,
    /// When the key was generated (Unix seconds).
    pub(super) created_at: u64,
    /// Retiring keys only: when the key leaves the published set (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) retire_until: Option<u64>,
    /// The private key.
    pub(super) private_key: ProtectedKey,
}

/// A private key as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "protection", content = "data")]
pub(super) enum ProtectedKey {
    /// Standard base64 of `nonce || ciphertext || tag`: AES-256-GCM of the PKCS#8 DER.
    #[serde(rename = "aes-256-gcm")]
    Aes256Gcm(Base64Data),
    /// Standard base64 of the PKCS#8 DER, unencrypted.
    #[serde(rename = "insecure-plaintext")]
    InsecurePlaintext(Base64Data),
}

/// Base64 text from a record; wiped on drop, since in plain-text mode it is a private key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Base64Data(String);

impl Drop for Base64Data {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Just the version, read before the rest so a record from a newer build gets a clear message.
#[derive(Deserialize)]
struct VersionProbe {
    version: u32,
}

impl Record {
    /// Parses and checks a stored record.
    pub(super) fn parse(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_RECORD_BYTES {
            return Err(corrupt(format!(
                "record is {} bytes; the limit is {MAX_RECORD_BYTES}",
                bytes.len()
            )));
        }
        let probe: VersionProbe = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
        if probe.version != FORMAT_VERSION {
            return Err(corrupt(format!(
                "record format version is {} but this build reads version {FORMAT_VERSION} (written by a newer \
                 lti-rs?)",
                probe.version
            )));
        }
        let record: Self = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
        record.check()?;
        Ok(record)
    }

    /// The record as JSON (wiped on drop: in plain-text mode it holds private keys).
    pub(super) fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        serde_json::to_vec(self)
            .map(Zeroizing::new)
            .map_err(|source| Error::Serialize {
                what: "key ring record",
                source,
            })
    }

    /// The invariants: retiring keys have a `retire_until`, the active key does not, and every `kid` is unique
    /// [Sec §6.3].
    fn check(&self) -> Result<(), Error> {
        if self.active.retire_until.is_some() {
            return Err(corrupt(format!(
                "active key `{}` has a `retire_until`",
                clip(self.active.kid.as_str())
            )));
        }
        if self.retiring.len() > MAX_STORED_RETIRING {
            return Err(corrupt(format!(
                "{} retiring keys; the limit is {MAX_STORED_RETIRING}",
                self.retiring.len()
            )));
        }
        if let Some(key) = self.retiring.iter().find(|k| k.retire_until.is_none()) {
            return Err(corrupt(format!(
                "retiring key `{}` has no `retire_until`",
                clip(key.kid.as_str())
            )));
        }
        let mut seen = HashSet::new();
        for key in self.keys() {
            if !seen.insert(key.kid.as_str()) {
                return Err(corrupt(format!(
                    "kid `{}` appears twice [Sec §6.3]",
                    clip(key.kid.as_str())
                )));
            }
        }
        Ok(())
    }

    /// The active key, then the retiring keys.
    pub(super) fn keys(&self) -> impl Iterator<Item = &StoredKey> {
        std::iter::once(&self.active).chain(&self.retiring)
    }

    /// The record after a rotation at `now`: `new_active` signs, the old active key retires until
    /// `now + overlap`, retiring keys whose time has come are dropped, and at most `max_retiring` retiring keys
    /// are kept (the ones retiring last). Returns the record and how many still-published keys the cap dropped.
    pub(super) fn rotated(
        self,
        new_active: StoredKey,
        now: u64,
        overlap: Duration,
        max_retiring: usize,
    ) -> Result<(Self, usize), Error> {
        let Self {
            active: mut old_active,
            retiring,
            ..
        } = self;
        old_active.retire_until = Some(now.saturating_add(overlap.as_secs()));
        let mut retiring: Vec<StoredKey> = std::iter::once(old_active)
            .chain(
                retiring
                    .into_iter()
                    .filter(|k| k.retire_until.is_some_and(|t| t > now)),
            )
            .collect();
        // newest retirement first; the stable sort keeps the old active key ahead of an equal deadline
        retiring.sort_by_key(|k| std::cmp::Reverse(k.retire_until));
        let dropped = retiring.len().saturating_sub(max_retiring);
        retiring.truncate(max_retiring);
        let record = Self {
            version: FORMAT_VERSION,
            active: new_active,
            retiring,
        };
        record.check()?;
        Ok((record, dropped))
    }
}

impl StoredKey {
    /// `key` prepared for storage in ring `ring` under `protection`.
    pub(super) fn protect(
        ring: &str,
        key: &SigningKey,
        protection: &KeyProtection,
        created_at: u64,
    ) -> Result<Self, Error> {
        let der = key.to_pkcs8_der()?;
        let private_key = match protection {
            KeyProtection::Encrypted(kek) => {
                let sealed = kek.seal(&aad(ring, key.kid(), key.alg()), &der)?;
                ProtectedKey::Aes256Gcm(Base64Data(STANDARD.encode(sealed)))
            }
            KeyProtection::InsecurePlaintextForDevelopment => {
                ProtectedKey::InsecurePlaintext(Base64Data(STANDARD.encode(&der)))
            }
        };
        Ok(Self {
            kid: key.kid().clone(),
            alg: key.alg().name().to_owned(),
            created_at,
            retire_until: None,
            private_key,
        })
    }

    /// Whether `other` is the same key material under the same `kid` and `alg` (times aside), so a key already
    /// decrypted can be reused.
    pub(super) fn same_key_as(&self, other: &Self) -> bool {
        self.kid == other.kid && self.alg == other.alg && self.private_key == other.private_key
    }

    /// Decrypts (or decodes) the private key stored in ring `ring`.
    ///
    /// # Errors
    /// [`Error::KeyDecryption`] for a wrong key-encryption key or a ciphertext that was altered or moved;
    /// [`Error::KeyEncryptionKey`] when `protection` does not match how the key was stored;
    /// [`Error::KeyRingCorrupt`] when the entry is unreadable.
    pub(super) fn unprotect(
        &self,
        ring: &str,
        protection: &KeyProtection,
    ) -> Result<SigningKey, Error> {
        let kid = clip(self.kid.as_str());
        let alg = Algorithm::from_name(&self.alg).map_err(|_| {
            corrupt(format!(
                "key `{kid}` has unsupported `alg` `{}`",
                clip(&self.alg)
            ))
        })?;
        let der = match (protection, &self.private_key) {
            (KeyProtection::Encrypted(kek), ProtectedKey::Aes256Gcm(data)) => {
                let sealed = STANDARD
                    .decode(&data.0)
                    .map_err(|_| corrupt(format!("key `{kid}`: ciphertext is not base64")))?;
                kek.open(&aad(ring, &self.kid, alg), &sealed)?
            }
            (
                KeyProtection::InsecurePlaintextForDevelopment,
                ProtectedKey::InsecurePlaintext(data),
            ) => STANDARD
                .decode(&data.0)
                .map(Zeroizing::new)
                .map_err(|_| corrupt(format!("key `{kid}`: plain-text key is not base64")))?,
            (KeyProtection::InsecurePlaintextForDevelopment, ProtectedKey::Aes256Gcm(_)) => {
                return Err(Error::KeyEncryptionKey {
                    reason: format!(
                        "key ring `{ring}` is stored encrypted; open it with `KeyProtection::Encrypted` and its \
                         key-encryption key"
                    ),
                });
            }
            (KeyProtection::Encrypted(_), ProtectedKey::InsecurePlaintext(_)) => {
                return Err(Error::KeyEncryptionKey {
                    reason: format!(
                        "key ring `{ring}` holds keys in plain text (created with \
                         `KeyProtection::insecure_plaintext_for_development`); it cannot be opened with a \
                         key-encryption key"
                    ),
                });
            }
        };
        let key = SigningKey::from_pkcs8_der(&der)
            .and_then(|key| key.with_alg(alg))
            .map_err(|e| corrupt(format!("key `{kid}`: {e}")))?;
        Ok(key.with_kid(self.kid.clone()))
    }
}

/// The associated data of a sealed key: label, format version, then the ring name, `kid` and `alg`, each with
/// its length in front so that no two places share an encoding.
fn aad(ring: &str, kid: &Kid, alg: Algorithm) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_LABEL.len() + 4 + ring.len() + kid.as_str().len() + 40);
    aad.extend_from_slice(AAD_LABEL);
    aad.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    for part in [
        ring.as_bytes(),
        kid.as_str().as_bytes(),
        alg.name().as_bytes(),
    ] {
        aad.extend_from_slice(&u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
        aad.extend_from_slice(part);
    }
    aad
}

fn corrupt(reason: String) -> Error {
    Error::KeyRingCorrupt { reason }
}

/// A JSON error described by position only: serde's message can quote a stored value, which may be key material.
fn json_error(e: &serde_json::Error) -> Error {
    corrupt(format!(
        "not a key ring record: {:?} error at line {}, column {}",
        e.classify(),
        e.line(),
        e.column()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(kid: &str, retire_until: Option<u64>) -> StoredKey {
        StoredKey {
            kid: Kid::new(kid),
            alg: "RS256".into(),
            created_at: 1,
            retire_until,
            private_key: ProtectedKey::InsecurePlaintext(Base64Data(String::new())),
        }
    }

    #[test]
    fn aad_is_unambiguous() {
        let kid = Kid::new("b");
        assert_ne!(
            aad("a", &kid, Algorithm::Rs256),
            aad("ab", &Kid::new(""), Algorithm::Rs256)
        );
        assert_ne!(
            aad("a", &kid, Algorithm::Rs256),
            aad("a", &kid, Algorithm::Rs512)
        );
        assert_ne!(
            aad("a", &kid, Algorithm::Rs256),
            aad("b", &kid, Algorithm::Rs256)
        );
    }

    #[test]
    fn rotation_retires_the_active_key_and_drops_expired_ones() {
        let record = Record {
            version: FORMAT_VERSION,
            active: stored("k3", None),
            retiring: vec![stored("k2", Some(150)), stored("k1", Some(100))],
        };
        let (next, dropped) = record
            .rotated(stored("k4", None), 100, Duration::from_secs(60), 15)
            .unwrap();
        assert_eq!(dropped, 0);
        assert_eq!(next.active.kid.as_str(), "k4");
        let retiring: Vec<_> = next
            .retiring
            .iter()
            .map(|k| (k.kid.as_str(), k.retire_until))
            .collect();
        assert_eq!(retiring, [("k3", Some(160)), ("k2", Some(150))]);
    }

    #[test]
    fn rotation_caps_the_retiring_keys_keeping_the_newest() {
        let record = Record {
            version: FORMAT_VERSION,
            active: stored("k3", None),
            retiring: vec![stored("k2", Some(150)), stored("k1", Some(140))],
        };
        let (next, dropped) = record
            .rotated(stored("k4", None), 100, Duration::from_secs(60), 2)
            .unwrap();
        assert_eq!(dropped, 1);
        let kids: Vec<_> = next.retiring.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["k3", "k2"]);
    }

    #[test]
    fn broken_records_are_refused_with_a_reason() {
        let cases: [(&[u8], &str); 5] = [
            (b"{", "not a key ring record"),
            (br#"{"version":2}"#, "format version is 2"),
            (br#"{"version":1}"#, "not a key ring record"),
            (
                br#"{"version":1,"active":{"kid":"a","alg":"RS256","created_at":1,"private_key":{"protection":"insecure-plaintext","data":""}},"retiring":[{"kid":"a","alg":"RS256","created_at":1,"retire_until":5,"private_key":{"protection":"insecure-plaintext","data":""}}]}"#,
                "kid `a` appears twice",
            ),
            (
                br#"{"version":1,"active":{"kid":"a","alg":"RS256","created_at":1,"private_key":{"protection":"insecure-plaintext","data":""}},"retiring":[{"kid":"b","alg":"RS256","created_at":1,"private_key":{"protection":"insecure-plaintext","data":""}}]}"#,
                "has no `retire_until`",
            ),
        ];
        for (bytes, needle) in cases {
            let err = Record::parse(bytes).err().unwrap();
            assert!(matches!(err, Error::KeyRingCorrupt { .. }), "{err}");
            assert!(err.to_string().contains(needle), "{err}");
        }
    }

    #[test]
    fn json_errors_do_not_quote_stored_values() {
        let bytes = br#"{"version":1,"active":{"kid":"a","alg":"RS256","created_at":"SECRETSECRET","private_key":{"protection":"insecure-plaintext","data":""}}}"#;
        let err = Record::parse(bytes).err().unwrap();
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
}
