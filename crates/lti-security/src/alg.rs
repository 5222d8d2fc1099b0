//! Signature algorithms and allow-lists.
//!
//! Only asymmetric JWS algorithms exist in this type: `none` and every HMAC algorithm are not representable,
//! so no configuration can allow them (an HMAC "key" would be the platform's public key, the classic algorithm
//! confusion attack).

use std::fmt;

use aws_lc_rs::signature::{self, EcdsaSigningAlgorithm, RsaEncoding, RsaParameters};

use crate::Error;

/// A JWS signature algorithm lti-rs can sign and verify with ([RFC 7518 §3.1]).
///
/// [RFC 7518 §3.1]: https://www.rfc-editor.org/rfc/rfc7518#section-3.1
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA using P-256 and SHA-256 (RFC 7518: Recommended+). Allowed by LTI Security 1.1.
    Es256,
    /// ECDSA using P-384 and SHA-384 (RFC 7518: Optional). Allowed by LTI Security 1.1.
    Es384,
    /// RSASSA-PKCS1-v1_5 using SHA-256 (RFC 7518: Recommended). The LTI default, required of everyone
    /// [Cert §4.2].
    Rs256,
    /// RSASSA-PKCS1-v1_5 using SHA-384 (RFC 7518: Optional).
    Rs384,
    /// RSASSA-PKCS1-v1_5 using SHA-512 (RFC 7518: Optional).
    Rs512,
}

/// The key family an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    /// An RSA key of at least 2048 bits.
    Rsa,
    /// An EC key on the named curve.
    Ec(Curve),
}

/// An elliptic curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
}

impl Curve {
    /// The JWK `crv` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }

    /// Length in bytes of one coordinate.
    pub(crate) const fn coordinate_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Self; 5] = [
        Self::Es256,
        Self::Es384,
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
    ];

    /// The JOSE name (`"RS256"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
        }
    }

    /// Parses a JOSE `alg` value, telling apart the values that are refused on principle.
    ///
    /// # Errors
    /// [`Error::AlgorithmNone`] for `none` (any case), [`Error::SymmetricAlgorithm`] for `HS*`,
    /// [`Error::UnsupportedAlgorithm`] for anything else not listed in [`Algorithm`].
    pub fn from_name(name: &str) -> Result<Self, Error> {
        match name {
            "RS256" => Ok(Self::Rs256),
            "RS384" => Ok(Self::Rs384),
            "RS512" => Ok(Self::Rs512),
            "ES256" => Ok(Self::Es256),
            "ES384" => Ok(Self::Es384),
            _ if name.eq_ignore_ascii_case("none") => Err(Error::AlgorithmNone),
            _ if name.len() >= 2 && name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("HS")) => {
                Err(Error::SymmetricAlgorithm {
                    alg: crate::error::clip(name),
                })
            }
            _ => Err(Error::UnsupportedAlgorithm {
                alg: crate::error::clip(name),
            }),
        }
    }

    /// The key family this algorithm needs.
    pub const fn key_family(self) -> KeyFamily {
        match self {
            Self::Es256 => KeyFamily::Ec(Curve::P256),
            Self::Es384 => KeyFamily::Ec(Curve::P384),
            Self::Rs256 | Self::Rs384 | Self::Rs512 => KeyFamily::Rsa,
        }
    }

    pub(crate) const fn bit(self) -> u8 {
        match self {
            Self::Es256 => 1,
            Self::Es384 => 2,
            Self::Rs256 => 4,
            Self::Rs384 => 8,
            Self::Rs512 => 16,
        }
    }

    /// Index into per-algorithm caches.
    pub(crate) const fn index(self) -> usize {
        match self {
            Self::Es256 => 0,
            Self::Es384 => 1,
            Self::Rs256 => 2,
            Self::Rs384 => 3,
            Self::Rs512 => 4,
        }
    }

    pub(crate) fn rsa_verify_params(self) -> Option<&'static RsaParameters> {
        match self {
            Self::Rs256 => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
            Self::Rs384 => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
            Self::Rs512 => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
            Self::Es256 | Self::Es384 => None,
        }
    }

    pub(crate) fn rsa_sign_encoding(self) -> Option<&'static dyn RsaEncoding> {
        match self {
            Self::Rs256 => Some(&signature::RSA_PKCS1_SHA256),
            Self::Rs384 => Some(&signature::RSA_PKCS1_SHA384),
            Self::Rs512 => Some(&signature::RSA_PKCS1_SHA512),
            Self::Es256 | Self::Es384 => None,
        }
    }

    pub(crate) fn ec_verify_alg(self) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
        match self {
            Self::Es256 => Some(&signature::ECDSA_P256_SHA256_FIXED),
            Self::Es384 => Some(&signature::ECDSA_P384_SHA384_FIXED),
            Self::Rs256 | Self::Rs384 | Self::Rs512 => None,
        }
    }

    pub(crate) fn ec_sign_alg(self) -> Option<&'static EcdsaSigningAlgorithm> {
        match self {
            Self::Es256 => Some(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
            Self::Es384 => Some(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
            Self::Rs256 | Self::Rs384 | Self::Rs512 => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of algorithms a verifier accepts. The default is `{RS256}`, the only algorithm LTI certification uses.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlgorithmSet(u8);

impl AlgorithmSet {
    /// No algorithm (verifies nothing; useful only as a starting point).
    pub const EMPTY: Self = Self(0);
    /// `{RS256}`.
    pub const RS256_ONLY: Self = Self(Algorithm::Rs256.bit());
    /// The LTI Security Framework 1.1 list this crate implements: RS256, RS384, RS512, ES256, ES384.
    pub const ALL: Self = Self(
        Algorithm::Rs256.bit()
            | Algorithm::Rs384.bit()
            | Algorithm::Rs512.bit()
            | Algorithm::Es256.bit()
            | Algorithm::Es384.bit(),
    );

    /// This set plus `alg`.
    #[must_use]
    pub const fn with(self, alg: Algorithm) -> Self {
        Self(self.0 | alg.bit())
    }

    /// Whether `alg` is in the set.
    pub const fn contains(self, alg: Algorithm) -> bool {
        self.0 & alg.bit() != 0
    }

    /// The members, in [`Algorithm::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl Default for AlgorithmSet {
    fn default() -> Self {
        Self::RS256_ONLY
    }
}

impl FromIterator<Algorithm> for AlgorithmSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for alg in self.iter() {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            f.write_str(alg.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c14_none_and_hmac_are_refused_by_name() {
        for none in ["none", "None", "NONE", "nOnE"] {
            assert!(matches!(
                Algorithm::from_name(none),
                Err(Error::AlgorithmNone)
            ));
        }
        for hs in ["HS256", "HS384", "HS512", "hs256"] {
            assert!(matches!(
                Algorithm::from_name(hs),
                Err(Error::SymmetricAlgorithm { .. })
            ));
        }
        assert!(matches!(
            Algorithm::from_name("PS256"),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            Algorithm::from_name("rs256"),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()).ok(), Some(alg));
        }
    }

    #[test]
    fn default_set_is_rs256_only() {
        let set = AlgorithmSet::default();
        assert!(set.contains(Algorithm::Rs256));
        for alg in [
            Algorithm::Rs384,
            Algorithm::Rs512,
            Algorithm::Es256,
            Algorithm::Es384,
        ] {
            assert!(!set.contains(alg));
        }
        assert_eq!(AlgorithmSet::ALL.iter().count(), 5);
        assert_eq!(
            format!("{}", AlgorithmSet::RS256_ONLY.with(Algorithm::Es256)),
            "ES256, RS256"
        );
    }
}
