//! Public keys for signature verification, parsed once and cached.

use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::digest;
use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::ParsedPublicKey;
use jose_jwk::jose_jwa::{Algorithm as JwaAlgorithm, Signing};
use jose_jwk::{Class, EcCurves, Jwk, Key, Parameters};

use crate::alg::{Curve, KeyFamily};
use crate::error::clip;
use crate::{Algorithm, Error, Kid, b64, pem};

/// The smallest RSA modulus accepted or generated, in bits [RFC 7518 §3.3].
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (what the crypto backend verifies).
pub const MAX_RSA_BITS: usize = 8192;

/// A public key that verifies JWS signatures.
///
/// Built from a JWK, a PEM `PUBLIC KEY` or a [`SigningKey`](crate::SigningKey). The key is parsed for the
/// crypto backend once per algorithm and cached, so verification never re-parses it.
pub struct VerifyingKey {
    kid: Option<Kid>,
    alg: Option<Algorithm>,
    material: Material,
    parsed: [OnceLock<Option<ParsedPublicKey>>; 5],
}

#[derive(Clone, PartialEq, Eq)]
enum Material {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: Curve,
        x: Vec<u8>,
        y: Vec<u8>,
    },
}

impl VerifyingKey {
    /// Builds a key from a parsed JWK.
    ///
    /// Accepts RSA keys of 2048–8192 bits and EC keys on P-256/P-384. `alg`, when present, must be one this crate
    /// supports and match the key type; when absent the key may verify any algorithm of its family (RSA: the
    /// verifier's allow-list decides between RS256/384/512). Private members, if any, are ignored.
    ///
    /// # Errors
    /// [`Error::UnusableJwk`] naming why (encryption key, symmetric key, unsupported curve or `alg`, ...), or
    /// [`Error::WeakKey`].
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, Error> {
        let kid = jwk.prm.kid.as_deref().map(Kid::from);
        let unusable = |reason: String| Error::UnusableJwk {
            kid: kid.as_ref().map(|k| clip(k.as_str())),
            reason,
        };
        if jwk.prm.cls == Some(Class::Encryption) {
            return Err(unusable("`use` is `enc`, not `sig`".into()));
        }
        if let Some(ops) = &jwk.prm.ops
            && !ops.contains(&jose_jwk::Operations::Verify)
        {
            return Err(unusable("`key_ops` does not include `verify`".into()));
        }
        let alg = match &jwk.prm.alg {
            None => None,
            Some(JwaAlgorithm::Signing(s)) => Some(from_jwa(*s).ok_or_else(|| {
                unusable(format!("`alg` {s:?} is not supported for verification"))
            })?),
            Some(other) => {
                return Err(unusable(format!(
                    "`alg` {other:?} is not a signature algorithm"
                )));
            }
        };
        let material = match &jwk.key {
            Key::Rsa(rsa) => Material::Rsa {
                n: strip_leading_zeros(&rsa.n).to_vec(),
                e: strip_leading_zeros(&rsa.e).to_vec(),
            },
            Key::Ec(ec) => {
                let curve = match ec.crv {
                    EcCurves::P256 => Curve::P256,
                    EcCurves::P384 => Curve::P384,
                    other => return Err(unusable(format!("curve {other:?} is not supported"))),
                };
                Material::Ec {
                    curve,
                    x: ec.x.to_vec(),
                    y: ec.y.to_vec(),
                }
            }
            Key::Oct(_) => {
                return Err(unusable(
                    "symmetric (`oct`) keys are never used to verify".into(),
                ));
            }
            _ => return Err(unusable("key type is not supported".into())),
        };
        Self::new(kid, alg, material)
    }

    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// [`Error::UnusableJwk`] when the JSON is not a JWK of a usable kind, or [`Error::WeakKey`].
    pub fn from_jwk_json(json: &str) -> Result<Self, Error> {
        let jwk: Jwk = serde_json::from_str(json).map_err(|e| Error::UnusableJwk {
            kid: None,
            reason: format!("not a JWK: {e}"),
        })?;
        Self::from_jwk(&jwk)
    }

    /// Parses a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1) document, as tools that
    /// register a static key instead of a JWKS URL supply it. The key has no `kid`, so in a [`KeySet`] it matches
    /// any token `kid`; give it one with [`with_kid`](Self::with_kid) or
    /// [`with_thumbprint_kid`](Self::with_thumbprint_kid) to be strict.
    ///
    /// [`KeySet`]: crate::KeySet
    ///
    /// # Errors
    /// [`Error::Pem`], [`Error::KeyRejected`] or [`Error::WeakKey`].
    pub fn from_public_pem(text: &str) -> Result<Self, Error> {
        let block = pem::decode(text)?;
        match block.label.as_str() {
            "PUBLIC KEY" | "RSA PUBLIC KEY" => Self::from_public_der(&block.der),
            other => Err(Error::Pem {
                reason: format!("expected `PUBLIC KEY` (found `{}`)", clip(other)),
            }),
        }
    }

    /// Parses a DER SubjectPublicKeyInfo (RSA, EC P-256/P-384) or PKCS#1 RSA public key.
    ///
    /// # Errors
    /// [`Error::KeyRejected`] or [`Error::WeakKey`].
    pub fn from_public_der(der: &[u8]) -> Result<Self, Error> {
        for curve in [Curve::P256, Curve::P384] {
            if let Some(point) = der.strip_prefix(ec_spki_prefix(curve)) {
                let (x, y) = split_point(curve, point).ok_or_else(|| Error::KeyRejected {
                    reason: format!("{} public key point is malformed", curve.name()),
                })?;
                return Self::new(None, None, Material::Ec { curve, x, y });
            }
        }
        let rsa = aws_lc_rs::rsa::PublicKey::from_der(der).map_err(|e| Error::KeyRejected {
            reason: format!("not an RSA or EC P-256/P-384 public key ({e})"),
        })?;
        let material = Material::Rsa {
            n: rsa.modulus().big_endian_without_leading_zero().to_vec(),
            e: rsa.exponent().big_endian_without_leading_zero().to_vec(),
        };
        Self::new(None, None, material)
    }

    pub(crate) fn from_rsa_components(n: &[u8], e: &[u8], alg: Algorithm) -> Result<Self, Error> {
        Self::new(
            None,
            Some(alg),
            Material::Rsa {
                n: strip_leading_zeros(n).to_vec(),
                e: strip_leading_zeros(e).to_vec(),
            },
        )
    }

    pub(crate) fn from_ec_point(curve: Curve, point: &[u8], alg: Algorithm) -> Result<Self, Error> {
        let (x, y) = split_point(curve, point).ok_or_else(|| Error::KeyRejected {
            reason: format!("{} public key point is malformed", curve.name()),
        })?;
        Self::new(None, Some(alg), Material::Ec { curve, x, y })
    }

    fn new(kid: Option<Kid>, alg: Option<Algorithm>, material: Material) -> Result<Self, Error> {
        if let Material::Rsa { n, .. } = &material {
            let bits = rsa_bits(n);
            if bits < MIN_RSA_BITS {
                return Err(Error::WeakKey {
                    bits,
                    min: MIN_RSA_BITS,
                });
            }
            if bits > MAX_RSA_BITS {
                return Err(Error::KeyRejected {
                    reason: format!("RSA key is {bits} bits; at most {MAX_RSA_BITS} are supported"),
                });
            }
        }
        let key = Self {
            kid,
            alg,
            material,
            parsed: Default::default(),
        };
        if let Some(alg) = alg {
            key.check_family(alg)?;
        }
        // Parse once now for the algorithm the key will most likely verify, so a bad key fails here and the
        // first verification does not pay for the parse.
        let default_alg = alg.unwrap_or(match &key.material {
            Material::Rsa { .. } => Algorithm::Rs256,
            Material::Ec {
                curve: Curve::P256, ..
            } => Algorithm::Es256,
            Material::Ec {
                curve: Curve::P384, ..
            } => Algorithm::Es384,
        });
        if key.parsed_for(default_alg).is_none() {
            return Err(Error::KeyRejected {
                reason: "the crypto backend rejected the public key".into(),
            });
        }
        Ok(key)
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<Kid>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets the key id to the RFC 7638 thumbprint.
    #[must_use]
    pub fn with_thumbprint_kid(self) -> Self {
        let kid = self.thumbprint();
        self.with_kid(kid)
    }

    /// Restricts the key to one algorithm (the JWK `alg`).
    ///
    /// # Errors
    /// [`Error::KeyAlgorithmMismatch`] when the key cannot be used with `alg`.
    pub fn with_alg(mut self, alg: Algorithm) -> Result<Self, Error> {
        self.check_family(alg)?;
        self.alg = Some(alg);
        Ok(self)
    }

    /// The key id, if it has one.
    pub fn kid(&self) -> Option<&Kid> {
        self.kid.as_ref()
    }

    /// The declared algorithm, if the key is restricted to one.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The key's size in bits (RSA modulus, or curve size).
    pub fn bits(&self) -> usize {
        match &self.material {
            Material::Rsa { n, .. } => rsa_bits(n),
            Material::Ec { curve, .. } => curve.coordinate_len() * 8,
        }
    }

    /// Whether this key may verify a token signed with `alg`: same family (and curve), and the declared `alg`,
    /// if any, is `alg`.
    ///
    /// # Errors
    /// [`Error::KeyAlgorithmMismatch`].
    pub fn check_usable_with(&self, alg: Algorithm) -> Result<(), Error> {
        self.check_family(alg)?;
        match self.alg {
            Some(declared) if declared != alg => {
                Err(self.mismatch(alg, format!("declared for {declared}")))
            }
            _ => Ok(()),
        }
    }

    /// Verifies `signature` over `message` with `alg`.
    ///
    /// # Errors
    /// [`Error::KeyAlgorithmMismatch`] when the key cannot be used with `alg`; [`Error::InvalidSignature`] when
    /// the signature does not verify.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.check_usable_with(alg)?;
        let parsed = self.parsed_for(alg).ok_or(Error::InvalidSignature)?;
        parsed
            .verify_sig(message, signature)
            .map_err(|_| Error::InvalidSignature)
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url), the default `kid` for keys lti-rs generates.
    pub fn thumbprint(&self) -> String {
        // RFC 7638 §3.2: the required members only, lexicographic order, no whitespace.
        let json = match &self.material {
            Material::Rsa { n, e } => {
                format!(
                    r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                    b64::encode(e),
                    b64::encode(n)
                )
            }
            Material::Ec { curve, x, y } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.name(),
                b64::encode(x),
                b64::encode(y)
            ),
        };
        b64::encode(digest::digest(&digest::SHA256, json.as_bytes()).as_ref())
    }

    /// The public JWK: key material plus `kid`, `alg` and `use: "sig"` when known.
    pub fn to_jwk(&self) -> Jwk {
        let key = match &self.material {
            Material::Rsa { n, e } => Key::Rsa(jose_jwk::Rsa {
                n: n.clone().into_boxed_slice().into(),
                e: e.clone().into_boxed_slice().into(),
                prv: None,
            }),
            Material::Ec { curve, x, y } => Key::Ec(jose_jwk::Ec {
                crv: match curve {
                    Curve::P256 => EcCurves::P256,
                    Curve::P384 => EcCurves::P384,
                },
                x: x.clone().into_boxed_slice().into(),
                y: y.clone().into_boxed_slice().into(),
                d: None,
            }),
        };
        Jwk {
            key,
            prm: Parameters {
                alg: self.alg.map(|a| JwaAlgorithm::Signing(to_jwa(a))),
                kid: self.kid.as_ref().map(|k| k.as_str().to_owned()),
                cls: Some(Class::Signing),
                ..Parameters::default()
            },
        }
    }

    /// Whether two keys hold the same public key material (ignoring `kid` and `alg`).
    pub fn same_key_as(&self, other: &Self) -> bool {
        self.material == other.material
    }

    /// Whether both keys belong to the same family (RSA, or EC on the same curve).
    pub(crate) fn same_family(&self, other: &Self) -> bool {
        self.family() == other.family()
    }

    fn family(&self) -> KeyFamily {
        match &self.material {
            Material::Rsa { .. } => KeyFamily::Rsa,
            Material::Ec { curve, .. } => KeyFamily::Ec(*curve),
        }
    }

    fn check_family(&self, alg: Algorithm) -> Result<(), Error> {
        if self.family() == alg.key_family() {
            Ok(())
        } else {
            Err(self.mismatch(alg, String::new()))
        }
    }

    fn mismatch(&self, alg: Algorithm, detail: String) -> Error {
        let what = match &self.material {
            Material::Rsa { .. } => "an RSA key".to_owned(),
            Material::Ec { curve, .. } => format!("an EC {} key", curve.name()),
        };
        Error::KeyAlgorithmMismatch {
            kid: self
                .kid
                .as_ref()
                .map_or_else(|| "(none)".to_owned(), |k| clip(k.as_str())),
            key: if detail.is_empty() {
                what
            } else {
                format!("{what} {detail}")
            },
            alg,
        }
    }

    fn parsed_for(&self, alg: Algorithm) -> Option<&ParsedPublicKey> {
        let slot = self.parsed.get(alg.index())?;
        slot.get_or_init(|| match &self.material {
            Material::Rsa { n, e } => {
                let params = alg.rsa_verify_params()?;
                PublicKeyComponents {
                    n: n.as_slice(),
                    e: e.as_slice(),
                }
                .to_parsed_public_key(params)
                .ok()
            }
            Material::Ec { curve, x, y } => {
                let ec_alg = alg.ec_verify_alg()?;
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(0x04);
                point.extend_from_slice(&left_pad(x, curve.coordinate_len())?);
                point.extend_from_slice(&left_pad(y, curve.coordinate_len())?);
                ParsedPublicKey::new(ec_alg, point).ok()
            }
        })
        .as_ref()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.material {
            Material::Rsa { n, .. } => format!("RSA-{}", rsa_bits(n)),
            Material::Ec { curve, .. } => format!("EC {}", curve.name()),
        };
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("key", &kind)
            .finish()
    }
}

impl Clone for VerifyingKey {
    fn clone(&self) -> Self {
        Self {
            kid: self.kid.clone(),
            alg: self.alg,
            material: self.material.clone(),
            parsed: self.parsed.clone(),
        }
    }
}

fn rsa_bits(n: &[u8]) -> usize {
    let n = strip_leading_zeros(n);
    match n.first() {
        None => 0,
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Left-pads an EC coordinate to the curve's length (some JWKs drop leading zero bytes); `None` if too long.
fn left_pad(coordinate: &[u8], len: usize) -> Option<Vec<u8>> {
    let c = if coordinate.len() > len {
        strip_leading_zeros(coordinate)
    } else {
        coordinate
    };
    let pad = len.checked_sub(c.len())?;
    let mut out = vec![0u8; pad];
    out.extend_from_slice(c);
    Some(out)
}

/// Splits an uncompressed SEC1 point `04 || x || y`.
fn split_point(curve: Curve, point: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let len = curve.coordinate_len();
    let (tag, xy) = point.split_first()?;
    if *tag != 0x04 || xy.len() != 2 * len {
        return None;
    }
    let (x, y) = xy.split_at_checked(len)?;
    Some((x.to_vec(), y.to_vec()))
}

/// The fixed DER prefix of an EC SubjectPublicKeyInfo with an uncompressed point, per curve.
fn ec_spki_prefix(curve: Curve) -> &'static [u8] {
    match curve {
        // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (66 bytes) }
        Curve::P256 => &[
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ],
        // SEQUENCE { SEQUENCE { id-ecPublicKey, secp384r1 }, BIT STRING (98 bytes) }
        Curve::P384 => &[
            0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
        ],
    }
}

pub(crate) fn from_jwa(s: Signing) -> Option<Algorithm> {
    match s {
        Signing::Rs256 => Some(Algorithm::Rs256),
        Signing::Rs384 => Some(Algorithm::Rs384),
        Signing::Rs512 => Some(Algorithm::Rs512),
        Signing::Es256 => Some(Algorithm::Es256),
        Signing::Es384 => Some(Algorithm::Es384),
        _ => None,
    }
}

fn to_jwa(a: Algorithm) -> Signing {
    match a {
        Algorithm::Rs256 => Signing::Rs256,
        Algorithm::Rs384 => Signing::Rs384,
        Algorithm::Rs512 => Signing::Rs512,
        Algorithm::Es256 => Signing::Es256,
        Algorithm::Es384 => Signing::Es384,
    }
}
