//! [`KeyRing`]: our own signing keys — one active key plus retiring keys kept for an overlap — persisted through a
//! [`Store`] with the private keys encrypted at rest, rotated without breaking tokens already issued.
//!
//! Rotation follows [Sec §6.4]: the new key gets a new `kid`, and the previous key stays in the published JWK Set
//! for [`KeyRingConfig::overlap`] so that tokens it signed still verify and consumers caching the old set find the
//! new `kid` on their refetch (checklist 65, 66). Generated RSA keys have at least 2048 bits (checklist 68).
//!
//! [Sec §6.4]: https://www.imsglobal.org/spec/security/v1p0/#key-rotation

mod record;

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use lti_storage::{CasOutcome, Clock, Namespace, Store};
use zeroize::Zeroizing;

use self::record::{Record, StoredKey};
use crate::{Algorithm, Error, KeyProtection, KeySet, Kid, RsaBits, SigningKey};

/// How many times [`KeyRing::rotate`] re-reads the record and retries when another writer changed it meanwhile.
const MAX_ROTATE_ATTEMPTS: usize = 8;

/// The longest ring name.
const MAX_NAME_LEN: usize = 64;

/// Settings for the keys a [`KeyRing`] generates and how long retired keys stay published.
///
/// They apply to keys generated from now on (at the first open and at each [`rotate`](KeyRing::rotate)); keys
/// already stored keep their algorithm and size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyRingConfig {
    /// The algorithm new keys sign with. Default `RS256`, the algorithm every LTI party must support
    /// [Cert §4.2].
    pub algorithm: Algorithm,
    /// The RSA modulus size of new RSA keys (never below 2048 bits). Default 2048.
    pub rsa_bits: RsaBits,
    /// How long a key stays in the published JWK Set after a rotation replaced it [Sec §6.4]. Make it longer
    /// than the lifetime of the tokens you sign plus the time consumers cache your JWKS. Default 7 days.
    pub overlap: Duration,
}

impl Default for KeyRingConfig {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Rs256,
            rsa_bits: RsaBits::B2048,
            overlap: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

impl KeyRingConfig {
    /// The defaults: `RS256`, RSA 2048, 7 days of overlap.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the algorithm of new keys.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Sets the RSA size of new RSA keys.
    #[must_use]
    pub fn with_rsa_bits(mut self, rsa_bits: RsaBits) -> Self {
        self.rsa_bits = rsa_bits;
        self
    }

    /// Sets how long a replaced key stays published.
    #[must_use]
    pub fn with_overlap(mut self, overlap: Duration) -> Self {
        self.overlap = overlap;
        self
    }
}

/// One active signing key plus retiring keys, persisted in a [`Store`] so that every instance and every restart
/// uses the same keys.
///
/// - [`signing_key`](Self::signing_key) is the hot path (id_token issuance, client assertions): no storage
///   round-trip, just an [`Arc`] clone under a read lock.
/// - [`key_set`](Self::key_set) / [`jwks_json`](Self::jwks_json) publish the active key and the retiring keys
///   whose overlap has not passed (by the injected [`Clock`]).
/// - [`rotate`](Self::rotate) makes a new active key; [`reload`](Self::reload) picks up a rotation another
///   instance made.
///
/// The record lives in namespace [`KeyRing::NAMESPACE`] under the ring's name. Private keys in it are sealed
/// with AES-256-GCM under the operator's key-encryption key ([`KeyProtection::Encrypted`]); in memory they are
/// held decrypted, inside this process only. `Debug` prints the name, the `kid`s and the algorithm.
pub struct KeyRing {
    name: String,
    store: Arc<dyn Store>,
    protection: KeyProtection,
    clock: Arc<dyn Clock>,
    config: KeyRingConfig,
    /// The keys in use; replaced whole, never edited in place.
    state: RwLock<Arc<State>>,
    /// Serialises rotations and reloads of this instance so that the state never moves backwards.
    writer: tokio::sync::Mutex<()>,
}

/// The decrypted keys and the record they came from.
struct State {
    active: Held,
    /// Retiring keys not yet past their time when loaded, newest retirement first.
    retiring: Vec<Retiring>,
    /// The exact stored bytes this state was loaded from: the expected value of the next compare-and-swap.
    record: Zeroizing<Vec<u8>>,
}

/// A decrypted key and its stored form (to reuse it when a reloaded record still holds it).
struct Held {
    stored: StoredKey,
    key: Arc<SigningKey>,
}

struct Retiring {
    held: Held,
    /// Unix seconds; the key is published while `now < retire_until`.
    retire_until: u64,
}

impl KeyRing {
    /// The storage namespace of key ring records; the key is the ring's name.
    pub const NAMESPACE: Namespace = Namespace::new("lti.security.keyring");

    /// The most retiring keys a rotation keeps. Rotating faster than the overlap drops the keys that would
    /// retire soonest (with a warning), so the published set stays small (consumers read at most
    /// [`MAX_KEYS_PER_SET`](crate::MAX_KEYS_PER_SET) keys).
    pub const MAX_RETIRING_KEYS: usize = 15;

    /// Opens the ring `name` in `store`, creating it with a new key on first use.
    ///
    /// Creation is an atomic insert-if-absent, so processes opening a fresh ring at the same time agree on one
    /// key (the losers load the winner's). Generating an RSA key takes a moment (tens of milliseconds) and runs
    /// on the calling task. With [`KeyProtection::InsecurePlaintextForDevelopment`] a warning is logged on
    /// every open.
    ///
    /// # Errors
    /// - [`Error::KeyRejected`] when `name` is not 1–64 ASCII letters, digits, `.`, `-` or `_`;
    /// - [`Error::KeyDecryption`] when the stored keys do not decrypt with the key-encryption key (wrong key,
    ///   or the record was altered or copied from another ring);
    /// - [`Error::KeyEncryptionKey`] when the ring was stored in plain text and is opened with a key-encryption
    ///   key, or the other way round;
    /// - [`Error::KeyRingCorrupt`] when the record is unreadable or from a newer format;
    /// - [`Error::Storage`] or [`Error::Crypto`] when the store or the key generator fails.
    pub async fn open(
        store: Arc<dyn Store>,
        name: &str,
        protection: KeyProtection,
        clock: Arc<dyn Clock>,
        config: KeyRingConfig,
    ) -> Result<Self, Error> {
        check_name(name)?;
        if !protection.is_encrypted() {
            tracing::warn!(
                key_ring = name,
                "key ring private keys are stored UNENCRYPTED (insecure_plaintext_for_development): anyone who can \
                 read the store can sign as this service; never use this outside development"
            );
        }
        let existing = store.get(Self::NAMESPACE, name.as_bytes()).await?;
        let state = match existing {
            Some(bytes) => load(
                name,
                &protection,
                Zeroizing::new(bytes),
                None,
                clock.unix_seconds(),
            )?,
            None => {
                Self::create(store.as_ref(), name, &protection, clock.as_ref(), &config).await?
            }
        };
        if state.active.key.alg() != config.algorithm {
            tracing::info!(
                key_ring = name,
                kid = %state.active.key.kid(),
                "active key signs with {} while new keys will use {}; the next rotation switches",
                state.active.key.alg(),
                config.algorithm
            );
        }
        Ok(Self {
            name: name.to_owned(),
            store,
            protection,
            clock,
            config,
            state: RwLock::new(Arc::new(state)),
            writer: tokio::sync::Mutex::new(()),
        })
    }

    /// Generates the first key and stores it, unless another process got there first.
    async fn create(
        store: &dyn Store,
        name: &str,
        protection: &KeyProtection,
        clock: &dyn Clock,
        config: &KeyRingConfig,
    ) -> Result<State, Error> {
        let now = clock.unix_seconds();
        let key = generate(config)?;
        let stored = StoredKey::protect(name, &key, protection, now)?;
        let record = Record {
            version: record::FORMAT_VERSION,
            active: stored.clone(),
            retiring: Vec::new(),
        };
        let bytes = record.to_bytes()?;
        if store
            .insert_if_absent(Self::NAMESPACE, name.as_bytes(), &bytes, None)
            .await?
        {
            store.flush().await?;
            tracing::info!(key_ring = name, kid = %key.kid(), "created key ring");
            return Ok(State {
                active: Held {
                    stored,
                    key: Arc::new(key),
                },
                retiring: Vec::new(),
                record: bytes,
            });
        }
        // another process created the ring between our read and our insert: use its key
        let bytes = store
            .get(Self::NAMESPACE, name.as_bytes())
            .await?
            .ok_or_else(|| missing(name))?;
        load(name, protection, Zeroizing::new(bytes), None, now)
    }

    /// The ring's name (its key in the store).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The settings for new keys.
    pub fn config(&self) -> &KeyRingConfig {
        &self.config
    }

    /// The active signing key. Cheap and synchronous: no storage access, one [`Arc`] clone.
    pub fn signing_key(&self) -> Arc<SigningKey> {
        // ok: the lock guards a plain `Arc` swap that cannot panic halfway, so a poisoned lock still holds a
        // consistent state
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&state.active.key)
    }

    /// The public keys to publish: the active key and every retiring key whose overlap has not passed by the
    /// injected clock.
    pub fn key_set(&self) -> KeySet {
        let state = self.current();
        let now = self.clock.unix_seconds();
        KeySet::from_keys(state.published(now).map(|key| key.verifying_key().clone()))
    }

    /// [`key_set`](Self::key_set) as a JWK Set JSON document, for a JWKS endpoint.
    ///
    /// # Errors
    /// [`Error::Serialize`] (does not happen for the key types this crate builds).
    pub fn jwks_json(&self) -> Result<String, Error> {
        self.key_set().to_json()
    }

    /// The `kid`s of [`key_set`](Self::key_set): the active key's first.
    pub fn kids(&self) -> Vec<Kid> {
        let state = self.current();
        let now = self.clock.unix_seconds();
        state.published(now).map(|key| key.kid().clone()).collect()
    }

    /// Makes a new active key; the previous one is published for [`KeyRingConfig::overlap`] more, and retiring
    /// keys past their time are dropped. Returns the new `kid`.
    ///
    /// The record is replaced by compare-and-swap against the version this instance holds; when another
    /// instance changed it meanwhile (its own rotation), the rotation is applied on top of that version, up to a
    /// few times. The write is flushed before this returns.
    ///
    /// # Errors
    /// [`Error::Storage`] (including when the record kept changing under every attempt), [`Error::Crypto`],
    /// [`Error::KeyRingCorrupt`] when the record was deleted or became unreadable, or a decryption error for
    /// keys another instance added (see [`open`](Self::open)).
    pub async fn rotate(&self) -> Result<Kid, Error> {
        let _writer = self.writer.lock().await;
        let key = Arc::new(generate(&self.config)?);
        let now = self.clock.unix_seconds();
        let stored = StoredKey::protect(&self.name, &key, &self.protection, now)?;
        let current = self.current();
        let mut expected = current.record.clone();
        for _ in 0..MAX_ROTATE_ATTEMPTS {
            let (next, dropped) = Record::parse(&expected)?.rotated(
                stored.clone(),
                now,
                self.config.overlap,
                Self::MAX_RETIRING_KEYS,
            )?;
            let bytes = next.to_bytes()?;
            let outcome = self
                .store
                .compare_and_swap(
                    Self::NAMESPACE,
                    self.name.as_bytes(),
                    Some(&expected),
                    Some(&bytes),
                    None,
                )
                .await?;
            match outcome {
                CasOutcome::Swapped => {
                    self.store.flush().await?;
                    if dropped > 0 {
                        tracing::warn!(
                            key_ring = %self.name,
                            dropped,
                            "rotated faster than the overlap allows: dropped the retiring keys that would retire \
                             soonest (at most {} are kept)",
                            Self::MAX_RETIRING_KEYS
                        );
                    }
                    let fresh = Held {
                        stored: stored.clone(),
                        key: Arc::clone(&key),
                    };
                    let state = state_from(
                        &self.name,
                        &self.protection,
                        next,
                        bytes,
                        Some(&current),
                        Some(fresh),
                        now,
                    )?;
                    self.replace(state);
                    tracing::info!(key_ring = %self.name, kid = %key.kid(), "rotated key ring");
                    return Ok(key.kid().clone());
                }
                CasOutcome::Conflict {
                    current: Some(now_stored),
                } => {
                    tracing::debug!(
                        key_ring = %self.name,
                        "key ring changed during rotation; retrying on the new version"
                    );
                    expected = Zeroizing::new(now_stored);
                }
                CasOutcome::Conflict { current: None } => return Err(missing(&self.name)),
                // `CasOutcome` is non-exhaustive: an outcome this build does not know is not a success
                _ => {
                    return Err(store_failure(format!(
                        "the store answered the compare-and-swap of key ring `{}` with an unknown outcome",
                        self.name
                    )));
                }
            }
        }
        Err(store_failure(format!(
            "the record of key ring `{}` changed during each of {MAX_ROTATE_ATTEMPTS} rotation attempts",
            self.name
        )))
    }

    /// Re-reads the record, to pick up a rotation another instance made; returns whether anything changed.
    /// Keys already held are reused, so only new keys are decrypted.
    ///
    /// # Errors
    /// As [`open`](Self::open); [`Error::KeyRingCorrupt`] when the record was deleted. On error the keys held
    /// so far stay in use.
    pub async fn reload(&self) -> Result<bool, Error> {
        let _writer = self.writer.lock().await;
        let bytes = self
            .store
            .get(Self::NAMESPACE, self.name.as_bytes())
            .await?
            .ok_or_else(|| missing(&self.name))?;
        let bytes = Zeroizing::new(bytes);
        let current = self.current();
        if bytes == current.record {
            return Ok(false);
        }
        let state = load(
            &self.name,
            &self.protection,
            bytes,
            Some(&current),
            self.clock.unix_seconds(),
        )?;
        tracing::debug!(key_ring = %self.name, kid = %state.active.key.kid(), "reloaded key ring");
        self.replace(state);
        Ok(true)
    }

    fn current(&self) -> Arc<State> {
        // ok: see `signing_key`
        Arc::clone(&self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn replace(&self, state: State) {
        // ok: see `signing_key`
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state);
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("name", &self.name)
            .field("kids", &self.kids())
            .field("algorithm", &self.config.algorithm)
            .finish_non_exhaustive()
    }
}

impl State {
    /// The active key, then the retiring keys still published at `now`.
    fn published(&self, now: u64) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(self.active.key.as_ref()).chain(
            self.retiring
                .iter()
                .filter(move |r| now < r.retire_until)
                .map(|r| r.held.key.as_ref()),
        )
    }

    /// The held key stored as `stored`, if any.
    fn find(&self, stored: &StoredKey) -> Option<&Arc<SigningKey>> {
        std::iter::once(&self.active)
            .chain(self.retiring.iter().map(|r| &r.held))
            .find(|held| held.stored.same_key_as(stored))
            .map(|held| &held.key)
    }
}

/// Parses `bytes` and decrypts its keys (reusing those `previous` holds).
fn load(
    ring: &str,
    protection: &KeyProtection,
    bytes: Zeroizing<Vec<u8>>,
    previous: Option<&State>,
    now: u64,
) -> Result<State, Error> {
    let record = Record::parse(&bytes)?;
    state_from(ring, protection, record, bytes, previous, None, now)
}

/// The state for `record` (stored as `bytes`): keys held by `previous` or given as `fresh` are reused, the rest
/// decrypted; retiring keys already past their time at `now` are left out.
fn state_from(
    ring: &str,
    protection: &KeyProtection,
    record: Record,
    bytes: Zeroizing<Vec<u8>>,
    previous: Option<&State>,
    fresh: Option<Held>,
    now: u64,
) -> Result<State, Error> {
    let hold = |stored: StoredKey| -> Result<Held, Error> {
        let reused = fresh
            .as_ref()
            .filter(|f| f.stored.same_key_as(&stored))
            .map(|f| Arc::clone(&f.key))
            .or_else(|| previous.and_then(|p| p.find(&stored)).cloned());
        let key = match reused {
            Some(key) => key,
            None => Arc::new(stored.unprotect(ring, protection)?),
        };
        Ok(Held { stored, key })
    };
    let Record {
        active, retiring, ..
    } = record;
    let active = hold(active)?;
    let mut held = Vec::with_capacity(retiring.len());
    for stored in retiring {
        // ok: `Record::parse` and `Record::rotated` guarantee every retiring key has a `retire_until`
        let retire_until = stored.retire_until.unwrap_or(0);
        if now < retire_until {
            held.push(Retiring {
                held: hold(stored)?,
                retire_until,
            });
        }
    }
    Ok(State {
        active,
        retiring: held,
        record: bytes,
    })
}

/// A new key as `config` says.
fn generate(config: &KeyRingConfig) -> Result<SigningKey, Error> {
    SigningKey::generate_with_rsa_bits(config.algorithm, config.rsa_bits)
}

/// Ring names are 1–64 ASCII letters, digits, `.`, `-` and `_` (they are storage keys and appear in logs).
fn check_name(name: &str) -> Result<(), Error> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if valid {
        Ok(())
    } else {
        Err(Error::KeyRejected {
            reason: format!(
                "key ring name `{}` is invalid: expected 1-{MAX_NAME_LEN} ASCII letters, digits, '.', '-' or '_'",
                crate::error::clip(&name.escape_debug().to_string())
            ),
        })
    }
}

/// A storage-side failure that the store itself did not report (contention, an unknown outcome): transient, so
/// it goes out as [`Error::Storage`], which callers treat as "retry".
fn store_failure(reason: String) -> Error {
    Error::Storage(lti_storage::Error::Backend {
        backend: "key ring",
        source: reason.into(),
    })
}

fn missing(ring: &str) -> Error {
    Error::KeyRingCorrupt {
        reason: format!(
            "the record of key ring `{ring}` is missing from storage (deleted while in use?)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_names_are_checked() {
        for good in ["a", "platform-1", "tool.keys_v2", &"x".repeat(64)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "a/b", "é", "a\0", &"x".repeat(65)] {
            let err = check_name(bad).unwrap_err();
            assert!(err.to_string().contains("key ring name"), "{err}");
        }
    }

    #[test]
    fn config_defaults() {
        let config = KeyRingConfig::default();
        assert_eq!(config.algorithm, Algorithm::Rs256);
        assert_eq!(config.rsa_bits, RsaBits::B2048);
        assert_eq!(config.overlap, Duration::from_secs(604_800));
        let changed = KeyRingConfig::new()
            .with_algorithm(Algorithm::Es256)
            .with_overlap(Duration::from_secs(60))
            .with_rsa_bits(RsaBits::B3072);
        assert_eq!(changed.algorithm, Algorithm::Es256);
        assert_eq!(changed.overlap, Duration::from_secs(60));
        assert_eq!(changed.rsa_bits, RsaBits::B3072);
    }
}
