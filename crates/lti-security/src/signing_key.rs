//! Private keys that sign JWS: generate, load and save PKCS#8, publish the public JWK.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair};
use zeroize::Zeroizing;

use crate::alg::{Curve, KeyFamily};
use crate::error::clip;
use crate::verifying_key::MIN_RSA_BITS;
use crate::{Algorithm, Error, Kid, VerifyingKey, pem};

/// RSA modulus sizes lti-rs generates. Anything below 2048 bits does not exist here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RsaBits {
    /// 2048 bits: the LTI norm; fastest signing.
    #[default]
    B2048,
    /// 3072 bits.
    B3072,
    /// 4096 bits.
    B4096,
}

/// A private signing key with its algorithm and key id.
///
/// Never leaves the process except as a public JWK ([`SigningKey::public_jwk`]) or as PKCS#8 the caller asked for
/// explicitly (to persist it, ideally encrypted: see [`KeyRing`](crate::KeyRing)). `Debug` prints only the
/// `kid`, `alg` and key size; PKCS#8 output is zeroised when dropped.
pub struct SigningKey {
    alg: Algorithm,
    kid: Kid,
    inner: Inner,
    public: VerifyingKey,
}

enum Inner {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl SigningKey {
    /// Generates a new key for `alg` (RSA 2048 for `RS*`, the algorithm's curve for `ES*`), with its RFC 7638
    /// thumbprint as `kid`.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the backend fails to generate a key.
    pub fn generate(alg: Algorithm) -> Result<Self, Error> {
        Self::generate_with_rsa_bits(alg, RsaBits::B2048)
    }

    /// Like [`generate`](Self::generate), with a chosen RSA size (ignored for EC algorithms).
    ///
    /// # Errors
    /// [`Error::Crypto`] when the backend fails to generate a key.
    pub fn generate_with_rsa_bits(alg: Algorithm, bits: RsaBits) -> Result<Self, Error> {
        let inner = match alg.key_family() {
            KeyFamily::Rsa => {
                let size = match bits {
                    RsaBits::B2048 => KeySize::Rsa2048,
                    RsaBits::B3072 => KeySize::Rsa3072,
                    RsaBits::B4096 => KeySize::Rsa4096,
                };
                Inner::Rsa(RsaKeyPair::generate(size).map_err(|_| crypto("RSA key generation"))?)
            }
            KeyFamily::Ec(_) => {
                let sign_alg = alg
                    .ec_sign_alg()
                    .ok_or_else(|| crypto("EC algorithm lookup"))?;
                Inner::Ec(
                    EcdsaKeyPair::generate(sign_alg).map_err(|_| crypto("EC key generation"))?,
                )
            }
        };
        Self::from_inner(inner, alg)
    }

    /// Loads a PEM private key: `PRIVATE KEY` (PKCS#8, RSA or EC), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (RFC 5915). RSA keys sign with `RS256` and EC keys with their curve's algorithm unless
    /// [`with_alg`](Self::with_alg) says otherwise. The `kid` is the RFC 7638 thumbprint unless set with
    /// [`with_kid`](Self::with_kid).
    ///
    /// # Errors
    /// [`Error::Pem`], [`Error::KeyRejected`] or [`Error::WeakKey`] (RSA below 2048 bits).
    pub fn from_pem(text: &str) -> Result<Self, Error> {
        let block = pem::decode(text)?;
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "RSA PRIVATE KEY" => {
                let pair = RsaKeyPair::from_der(&block.der).map_err(rejected)?;
                Self::from_inner(Inner::Rsa(pair), Algorithm::Rs256)
            }
            "EC PRIVATE KEY" => {
                for alg in [Algorithm::Es256, Algorithm::Es384] {
                    let sign_alg = alg
                        .ec_sign_alg()
                        .ok_or_else(|| crypto("EC algorithm lookup"))?;
                    if let Ok(pair) = EcdsaKeyPair::from_private_key_der(sign_alg, &block.der) {
                        return Self::from_inner(Inner::Ec(pair), alg);
                    }
                }
                Err(Error::KeyRejected {
                    reason: "`EC PRIVATE KEY` is not a P-256 or P-384 key".into(),
                })
            }
            other => Err(Error::Pem {
                reason: format!("expected `PRIVATE KEY` (found `{}`)", clip(other)),
            }),
        }
    }

    /// Loads an unencrypted PKCS#8 DER private key (RSA ≥ 2048 bits, EC P-256 or P-384).
    ///
    /// # Errors
    /// [`Error::KeyRejected`] or [`Error::WeakKey`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let rsa_error = match RsaKeyPair::from_pkcs8(der) {
            Ok(pair) => return Self::from_inner(Inner::Rsa(pair), Algorithm::Rs256),
            Err(e) => e,
        };
        for alg in [Algorithm::Es256, Algorithm::Es384] {
            let sign_alg = alg
                .ec_sign_alg()
                .ok_or_else(|| crypto("EC algorithm lookup"))?;
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(sign_alg, der) {
                return Self::from_inner(Inner::Ec(pair), alg);
            }
        }
        Err(Error::KeyRejected {
            reason: format!("not an RSA, P-256 or P-384 PKCS#8 private key (as RSA: {rsa_error})"),
        })
    }

    /// Loads a private JWK ([RFC 7518 §6.3.2] RSA with all CRT members, or §6.2.2 EC with `d`), as some tools
    /// keep their keys. `alg` and `kid` come from the JWK when present (the `kid` otherwise is the RFC 7638
    /// thumbprint).
    ///
    /// [RFC 7518 §6.3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-6.3.2
    ///
    /// # Errors
    /// [`Error::KeyRejected`] (public-only JWK, RSA without CRT members, unsupported curve or `alg`, inconsistent
    /// members) or [`Error::WeakKey`].
    pub fn from_jwk(jwk: &jose_jwk::Jwk) -> Result<Self, Error> {
        use jose_jwk::jose_jwa::Algorithm as Jwa;
        let declared =
            match &jwk.prm.alg {
                None => None,
                Some(Jwa::Signing(s)) => Some(crate::verifying_key::from_jwa(*s).ok_or_else(
                    || Error::KeyRejected {
                        reason: format!("JWK `alg` {s:?} is not supported for signing"),
                    },
                )?),
                Some(_) => {
                    return Err(Error::KeyRejected {
                        reason: "JWK `alg` is not a signature algorithm".into(),
                    });
                }
            };
        let key = match &jwk.key {
            jose_jwk::Key::Rsa(rsa) => {
                let prv = rsa.prv.as_ref().ok_or_else(|| Error::KeyRejected {
                    reason: "RSA JWK has no private members (`d`)".into(),
                })?;
                let opt = prv.opt.as_ref().ok_or_else(|| Error::KeyRejected {
                    reason: "RSA JWK lacks the CRT members `p`, `q`, `dp`, `dq`, `qi`".into(),
                })?;
                let components = aws_lc_rs::rsa::KeyPairComponents {
                    public_key: aws_lc_rs::rsa::PublicKeyComponents {
                        n: &rsa.n[..],
                        e: &rsa.e[..],
                    },
                    d: &prv.d[..],
                    p: &opt.p[..],
                    q: &opt.q[..],
                    dP: &opt.dp[..],
                    dQ: &opt.dq[..],
                    qInv: &opt.qi[..],
                };
                let pair = RsaKeyPair::from_components(&components).map_err(rejected)?;
                Self::from_inner(Inner::Rsa(pair), declared.unwrap_or(Algorithm::Rs256))?
            }
            jose_jwk::Key::Ec(ec) => {
                let d = ec.d.as_ref().ok_or_else(|| Error::KeyRejected {
                    reason: "EC JWK has no private member `d`".into(),
                })?;
                let alg = match ec.crv {
                    jose_jwk::EcCurves::P256 => Algorithm::Es256,
                    jose_jwk::EcCurves::P384 => Algorithm::Es384,
                    other => {
                        return Err(Error::KeyRejected {
                            reason: format!("curve {other:?} is not supported"),
                        });
                    }
                };
                let sign_alg = alg
                    .ec_sign_alg()
                    .ok_or_else(|| crypto("EC algorithm lookup"))?;
                let mut point = Vec::with_capacity(1 + ec.x.len() + ec.y.len());
                point.push(0x04);
                point.extend_from_slice(&ec.x);
                point.extend_from_slice(&ec.y);
                let pair = EcdsaKeyPair::from_private_key_and_public_key(sign_alg, &d[..], &point)
                    .map_err(rejected)?;
                Self::from_inner(Inner::Ec(pair), alg)?
            }
            _ => {
                return Err(Error::KeyRejected {
                    reason: "only RSA and EC private JWKs can sign".into(),
                });
            }
        };
        let key = match declared {
            Some(alg) => key.with_alg(alg)?,
            None => key,
        };
        Ok(match &jwk.prm.kid {
            Some(kid) => key.with_kid(kid.as_str()),
            None => key,
        })
    }

    fn from_inner(inner: Inner, alg: Algorithm) -> Result<Self, Error> {
        let public = match &inner {
            Inner::Rsa(pair) => {
                let bits = pair.public_modulus_len() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(Error::WeakKey {
                        bits,
                        min: MIN_RSA_BITS,
                    });
                }
                let pk = pair.public_key();
                VerifyingKey::from_rsa_components(
                    pk.modulus().big_endian_without_leading_zero(),
                    pk.exponent().big_endian_without_leading_zero(),
                    alg,
                )?
            }
            Inner::Ec(pair) => {
                let curve = match alg.key_family() {
                    KeyFamily::Ec(curve) => curve,
                    KeyFamily::Rsa => Curve::P256,
                };
                VerifyingKey::from_ec_point(curve, pair.public_key().as_ref(), alg)?
            }
        };
        let kid = Kid::new(public.thumbprint());
        let public = public.with_kid(kid.clone());
        Ok(Self {
            alg,
            kid,
            inner,
            public,
        })
    }

    /// Sets the key id (the default is the RFC 7638 thumbprint).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<Kid>) -> Self {
        self.kid = kid.into();
        self.public = self.public.with_kid(self.kid.clone());
        self
    }

    /// Sets the signing algorithm; an RSA key may sign with RS256, RS384 or RS512.
    ///
    /// # Errors
    /// [`Error::KeyAlgorithmMismatch`] when the key cannot sign with `alg` (RSA key and `ES256`, P-256 key and
    /// `ES384`, ...).
    pub fn with_alg(mut self, alg: Algorithm) -> Result<Self, Error> {
        self.public = self.public.with_alg(alg)?;
        self.alg = alg;
        Ok(self)
    }

    /// The key id published in the JWKS and put in every JWS header.
    pub fn kid(&self) -> &Kid {
        &self.kid
    }

    /// The signing algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The public half, for verification.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The public JWK (`kty`, key material, `kid`, `alg`, `use: "sig"`) for a JWKS.
    pub fn public_jwk(&self) -> jose_jwk::Jwk {
        self.public.to_jwk()
    }

    /// Signs `message` with [`alg`](Self::alg); the JWS signature bytes.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the backend fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let rng = SystemRandom::new();
        match &self.inner {
            Inner::Rsa(pair) => {
                let encoding = self
                    .alg
                    .rsa_sign_encoding()
                    .ok_or_else(|| crypto("RSA encoding lookup"))?;
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(encoding, &rng, message, &mut signature)
                    .map_err(|_| crypto("RSA signing"))?;
                Ok(signature)
            }
            Inner::Ec(pair) => pair
                .sign(&rng, message)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| crypto("ECDSA signing")),
        }
    }

    /// The private key as unencrypted PKCS#8 DER, zeroised on drop. Handle with care: prefer a
    /// [`KeyRing`](crate::KeyRing), which stores keys encrypted.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the backend cannot serialise the key.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        match &self.inner {
            Inner::Rsa(pair) => pair
                .as_der()
                .map(|der| Zeroizing::new(der.as_ref().to_vec()))
                .map_err(|_| crypto("PKCS#8 encoding")),
            Inner::Ec(pair) => pair
                .to_pkcs8v1()
                .map(|doc| Zeroizing::new(doc.as_ref().to_vec()))
                .map_err(|_| crypto("PKCS#8 encoding")),
        }
    }

    /// The private key as an unencrypted PKCS#8 PEM document (`PRIVATE KEY`), zeroised on drop.
    ///
    /// # Errors
    /// [`Error::Crypto`] when the backend cannot serialise the key.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, Error> {
        let der = self.to_pkcs8_der()?;
        Ok(pem::encode("PRIVATE KEY", &der))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", self.kid())
            .field("alg", &self.alg)
            .field("bits", &self.public.bits())
            .finish_non_exhaustive()
    }
}

fn crypto(operation: &'static str) -> Error {
    Error::Crypto { operation }
}

fn rejected(e: aws_lc_rs::error::KeyRejected) -> Error {
    Error::KeyRejected {
        reason: e.to_string(),
    }
}
