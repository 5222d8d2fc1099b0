//! Sets of verification keys: parsing a JWK Set from the network, looking keys up by `kid`, publishing.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use jose_jwk::{Jwk, JwkSet};
use serde::Deserialize;

use crate::error::clip;
use crate::{Algorithm, Error, Kid, VerifyingKey};

/// The most keys read from one JWK Set; the rest are skipped (a hostile set cannot make us parse thousands).
pub const MAX_KEYS_PER_SET: usize = 64;

/// Finds the key that verifies a token, by the token's `kid` and `alg`.
///
/// Implemented by [`KeySet`] (keys known up front) and [`RemoteJwks`](crate::RemoteJwks) (a platform's or tool's
/// JWKS URL, cached).
#[async_trait]
pub trait KeyResolver: Send + Sync + fmt::Debug {
    /// The key with `kid` usable with `alg`.
    ///
    /// # Errors
    /// [`Error::KidNotFound`], [`Error::KeyAlgorithmMismatch`], or a fetch failure for remote sets.
    async fn resolve(&self, kid: &Kid, alg: Algorithm) -> Result<Arc<VerifyingKey>, Error>;
}

/// An immutable set of verification keys.
///
/// A key without a `kid` (only possible for keys added explicitly, e.g. a tool's static PEM key; never for keys
/// parsed from a JWK Set) matches any token `kid`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<Arc<VerifyingKey>>,
}

/// A key of a JWK Set that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// The key's `kid`, if it had a readable one.
    pub kid: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of the given keys.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        Self {
            keys: keys.into_iter().map(Arc::new).collect(),
        }
    }

    /// Parses a JWK Set document ([RFC 7517 §5]) key by key.
    ///
    /// Keys that cannot verify signatures are skipped, not fatal: encryption keys, symmetric keys, unknown `kty`,
    /// `crv` or `alg`, RSA keys under 2048 bits, keys without `kid` [Sec §6.3], a repeated `kid` for the same key
    /// family (the first wins), and keys past [`MAX_KEYS_PER_SET`]. Keys without `alg` are accepted: the token's
    /// `alg` decides, within the key's family. The skipped keys are returned for logging.
    ///
    /// [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5
    ///
    /// # Errors
    /// [`Error::JwksMalformed`] (with `source` as the URL) when the document is not a JSON object with a `keys`
    /// array.
    pub fn from_json(json: &[u8], source: &str) -> Result<(Self, Vec<SkippedKey>), Error> {
        let raw: RawSet = serde_json::from_slice(json).map_err(|e| Error::JwksMalformed {
            url: source.to_owned(),
            reason: e.to_string(),
        })?;
        let mut set = Self::new();
        let mut skipped = Vec::new();
        let total = raw.keys.len();
        for (index, value) in raw.keys.into_iter().enumerate() {
            let kid = value.get("kid").and_then(|k| k.as_str()).map(clip);
            if index >= MAX_KEYS_PER_SET {
                skipped.push(SkippedKey {
                    kid,
                    reason: format!(
                        "the set has {total} keys; only the first {MAX_KEYS_PER_SET} are read"
                    ),
                });
                continue;
            }
            match Self::parse_one(value) {
                Ok(key) => {
                    if set
                        .keys
                        .iter()
                        .any(|k| k.kid() == key.kid() && k.same_family(&key))
                    {
                        skipped.push(SkippedKey {
                            kid,
                            reason:
                                "repeats the `kid` of an earlier key of the same type [Sec §6.3]"
                                    .into(),
                        });
                    } else {
                        set.keys.push(Arc::new(key));
                    }
                }
                Err(e) => skipped.push(SkippedKey {
                    kid,
                    reason: e.to_string(),
                }),
            }
        }
        if !skipped.is_empty() {
            tracing::debug!(
                jwks = source,
                skipped = skipped.len(),
                "skipped unusable keys in JWK Set"
            );
        }
        Ok((set, skipped))
    }

    fn parse_one(value: serde_json::Value) -> Result<VerifyingKey, Error> {
        let kid = value.get("kid").and_then(|k| k.as_str()).map(clip);
        let jwk: Jwk = serde_json::from_value(value).map_err(|e| Error::UnusableJwk {
            kid: kid.clone(),
            reason: format!("not a supported JWK ({e})"),
        })?;
        if jwk.prm.kid.is_none() {
            return Err(Error::UnusableJwk {
                kid: None,
                reason: "no `kid` [Sec §6.3]".into(),
            });
        }
        VerifyingKey::from_jwk(&jwk)
    }

    /// The key for a token with `kid` and `alg`.
    ///
    /// # Errors
    /// [`Error::KidNotFound`] when no key has `kid`; [`Error::KeyAlgorithmMismatch`] when keys with `kid` exist
    /// but none can verify `alg`.
    pub fn find(&self, kid: &str, alg: Algorithm) -> Result<&Arc<VerifyingKey>, Error> {
        let mut mismatch = None;
        for key in &self.keys {
            let matches = key.kid().is_none_or(|k| k.as_str() == kid);
            if matches {
                match key.check_usable_with(alg) {
                    Ok(()) => return Ok(key),
                    Err(e) => mismatch = mismatch.or(Some(e)),
                }
            }
        }
        Err(mismatch.unwrap_or_else(|| Error::KidNotFound {
            kid: clip(kid),
            jwks_url: None,
        }))
    }

    /// Whether some key has `kid` (whatever its algorithm).
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys
            .iter()
            .any(|k| k.kid().is_some_and(|x| x.as_str() == kid))
    }

    /// The keys.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<VerifyingKey>> {
        self.keys.iter()
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The public JWK Set, for publishing.
    pub fn to_jwk_set(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(|k| k.to_jwk()).collect(),
        }
    }

    /// The public JWK Set as JSON, for a JWKS endpoint.
    ///
    /// # Errors
    /// [`Error::Serialize`] (does not happen for the key types this crate builds).
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(&self.to_jwk_set()).map_err(|source| Error::Serialize {
            what: "JWK Set",
            source,
        })
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.keys.iter()).finish()
    }
}

#[async_trait]
impl KeyResolver for KeySet {
    async fn resolve(&self, kid: &Kid, alg: Algorithm) -> Result<Arc<VerifyingKey>, Error> {
        self.find(kid.as_str(), alg).cloned()
    }
}
