//! Registered JWT claims ([RFC 7519 §4.1]) and the checks on them, usable on their own.
//!
//! Time comes from the caller (a [`Clock`](crate::Clock) reading), so tests step across every boundary.
//!
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::Error;
use crate::error::clip;

/// The largest leeway [`ClaimRules`] allows: "a few minutes at most" [Sec §5.1.3 #7].
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);
/// The default leeway for clock skew, in both directions.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The registered claims lti-rs checks. Other claims stay in the payload for the caller's own type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Audience(s): a string or an array of strings on the wire.
    #[serde(default, skip_serializing_if = "Audience::is_empty")]
    pub aud: Audience,
    /// Expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// Not before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// JWT id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Authorized party (OIDC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Nonce (OIDC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl RegisteredClaims {
    /// A borrowed view, for [`ClaimRules::check_claims`].
    pub fn view(&self) -> ClaimsRef<'_> {
        ClaimsRef {
            iss: self.iss.as_deref(),
            sub: self.sub.as_deref(),
            aud: self.aud.as_slice(),
            exp: self.exp,
            nbf: self.nbf,
            iat: self.iat,
            jti: self.jti.as_deref(),
            azp: self.azp.as_deref(),
            nonce: self.nonce.as_deref(),
        }
    }
}

/// The registered claims of any claims type, borrowed: what [`ClaimRules`] checks. A claims type exposes it
/// through [`JwtClaims`] so that a token's payload is parsed once, into the caller's own type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimsRef<'a> {
    /// Issuer.
    pub iss: Option<&'a str>,
    /// Subject.
    pub sub: Option<&'a str>,
    /// Audiences (empty when absent).
    pub aud: &'a [String],
    /// Expiry.
    pub exp: Option<NumericDate>,
    /// Not before.
    pub nbf: Option<NumericDate>,
    /// Issued at.
    pub iat: Option<NumericDate>,
    /// JWT id.
    pub jti: Option<&'a str>,
    /// Authorized party.
    pub azp: Option<&'a str>,
    /// Nonce.
    pub nonce: Option<&'a str>,
}

impl<'a> ClaimsRef<'a> {
    /// A view with every claim absent; set the fields a claims type has.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A claims type a [`JwtVerifier`](crate::JwtVerifier) can verify into directly
/// ([`verify_parsed_as`](crate::JwtVerifier::verify_parsed_as)): it deserializes the whole payload and shows
/// its registered claims to the [`ClaimRules`].
pub trait JwtClaims: DeserializeOwned {
    /// The registered claims, borrowed.
    fn registered(&self) -> ClaimsRef<'_>;
}

impl JwtClaims for RegisteredClaims {
    fn registered(&self) -> ClaimsRef<'_> {
        self.view()
    }
}

/// The `aud` claim: one or more audiences. Deserializes from a string or an array of strings [Sec §5.1.2];
/// serializes one audience as a string and several as an array.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience(Vec<String>);

impl Audience {
    /// One audience.
    pub fn one(aud: impl Into<String>) -> Self {
        Self(vec![aud.into()])
    }

    /// Several audiences.
    pub fn many(auds: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self(auds.into_iter().map(Into::into).collect())
    }

    /// Whether `aud` is one of the audiences.
    pub fn contains(&self, aud: &str) -> bool {
        self.0.iter().any(|a| a == aud)
    }

    /// The audiences.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// How many audiences.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => serializer.serialize_str(one),
            many => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Audience;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Audience, E> {
                Ok(Audience(vec![v.to_owned()]))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Audience, E> {
                Ok(Audience(vec![v]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
                while let Some(aud) = seq.next_element::<String>()? {
                    out.push(aud);
                }
                Ok(Audience(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A JWT `NumericDate`: whole seconds since the Unix epoch.
///
/// Deserializes from an integer, a float (fraction dropped) or a numeric string (the LTI spec's own examples
/// write strings); negative, non-finite or absurd (after year 9999) values are rejected. Serializes as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate(u64);

/// 9999-12-31T23:59:59Z.
const MAX_NUMERIC_DATE: u64 = 253_402_300_799;

impl NumericDate {
    /// `secs` seconds after the epoch.
    pub const fn from_unix_seconds(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch.
    pub const fn unix_seconds(self) -> u64 {
        self.0
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumericDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a NumericDate (non-negative seconds since 1970)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                if v > MAX_NUMERIC_DATE {
                    return Err(E::custom(format!("NumericDate {v} is after year 9999")));
                }
                Ok(NumericDate(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("NumericDate {v} is negative")))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                if !v.is_finite() || v < 0.0 || v > MAX_NUMERIC_DATE as f64 {
                    return Err(E::custom(format!("NumericDate {v} is out of range")));
                }
                // ok: range checked above, so the truncating cast is exact for the integer part
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(NumericDate(v as u64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumericDate, E> {
                if let Ok(n) = v.parse::<u64>() {
                    return self.visit_u64(n);
                }
                match v.parse::<f64>() {
                    Ok(f) => self.visit_f64(f),
                    Err(_) => Err(E::custom(format!(
                        "NumericDate `{}` is not a number",
                        clip(v)
                    ))),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A claim [`ClaimRules::require`] can make mandatory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequiredClaim {
    /// `sub`, non-empty.
    Sub,
    /// `jti`, non-empty.
    Jti,
    /// `nonce`, non-empty.
    Nonce,
}

/// The checks applied to [`RegisteredClaims`], configured once and reused for every token.
///
/// Defaults: `exp` and `iat` required, leeway [`DEFAULT_LEEWAY`] both ways, no issuer or audience check (set
/// them: an unchecked `aud` accepts tokens meant for someone else), `azp` required when `aud` has several values.
#[derive(Debug, Clone)]
pub struct ClaimRules {
    issuer: Option<String>,
    audience: Option<String>,
    trusted_audiences: Vec<String>,
    expected_azp: Option<String>,
    require_azp_for_multiple_audiences: bool,
    leeway: Duration,
    max_age: Option<Duration>,
    require_exp: bool,
    require_iat: bool,
    required: Vec<RequiredClaim>,
}

impl Default for ClaimRules {
    fn default() -> Self {
        Self::new()
    }
}

impl ClaimRules {
    /// The defaults described on the type.
    pub fn new() -> Self {
        Self {
            issuer: None,
            audience: None,
            trusted_audiences: Vec::new(),
            expected_azp: None,
            require_azp_for_multiple_audiences: true,
            leeway: DEFAULT_LEEWAY,
            max_age: None,
            require_exp: true,
            require_iat: true,
            required: Vec::new(),
        }
    }

    /// `iss` must equal `issuer` exactly: case-sensitive, no normalisation (a trailing slash is a different
    /// issuer) [Sec §5.1.3 #2].
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// `aud` must contain `audience` (string or array), and every other value must be
    /// [trusted](Self::trust_audience) [Sec §5.1.3 #3]. Also the default expected `azp`.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Accepts `audience` as an additional value in `aud`.
    #[must_use]
    pub fn trust_audience(mut self, audience: impl Into<String>) -> Self {
        self.trusted_audiences.push(audience.into());
        self
    }

    /// When `azp` is present it must equal `azp` (default: the [audience](Self::audience)) [Sec §5.1.3 #5].
    #[must_use]
    pub fn azp(mut self, azp: impl Into<String>) -> Self {
        self.expected_azp = Some(azp.into());
        self
    }

    /// Whether several audiences without `azp` are rejected (default: yes) [Sec §5.1.3 #4].
    #[must_use]
    pub fn require_azp_for_multiple_audiences(mut self, require: bool) -> Self {
        self.require_azp_for_multiple_audiences = require;
        self
    }

    /// Clock-skew leeway for `exp`, `nbf` and `iat`, capped at [`MAX_LEEWAY`].
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.min(MAX_LEEWAY);
        self
    }

    /// Rejects tokens whose `iat` is more than `max_age` before now [Sec §5.1.3 #8].
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Accepts tokens without `iat` (only when no [`max_age`](Self::max_age) is set).
    #[must_use]
    pub fn allow_missing_iat(mut self) -> Self {
        self.require_iat = false;
        self
    }

    /// Makes `claim` mandatory (present and non-empty).
    #[must_use]
    pub fn require(mut self, claim: RequiredClaim) -> Self {
        if !self.required.contains(&claim) {
            self.required.push(claim);
        }
        self
    }

    /// The configured leeway.
    pub fn leeway_value(&self) -> Duration {
        self.leeway
    }

    /// Checks `claims` at time `now` (Unix seconds), in this order: `iss`, `aud`, `azp`, `exp`, `nbf`, `iat`,
    /// then the [required](Self::require) claims.
    ///
    /// Boundaries: a token is expired once `now >= exp + leeway`; not yet valid while `now + leeway < nbf`; issued
    /// in the future when `iat > now + leeway`; too old when `now > iat + max_age`.
    ///
    /// # Errors
    /// The first failing check's variant: [`Error::IssuerMismatch`], [`Error::AudienceMismatch`],
    /// [`Error::UntrustedAudience`], [`Error::AzpMissing`], [`Error::AzpMismatch`], [`Error::Expired`],
    /// [`Error::NotYetValid`], [`Error::IssuedInFuture`], [`Error::TooOld`], [`Error::MissingClaim`] or
    /// [`Error::InvalidClaim`].
    pub fn check(&self, claims: &RegisteredClaims, now: u64) -> Result<(), Error> {
        self.check_claims(claims.view(), now)
    }

    /// [`check`](Self::check) on a borrowed view, for claims types other than [`RegisteredClaims`].
    ///
    /// # Errors
    /// As [`check`](Self::check).
    pub fn check_claims(&self, claims: ClaimsRef<'_>, now: u64) -> Result<(), Error> {
        if let Some(expected) = &self.issuer {
            match claims.iss {
                None => return Err(Error::MissingClaim { claim: "iss" }),
                Some(found) if found != expected.as_str() => {
                    return Err(Error::IssuerMismatch {
                        expected: expected.clone(),
                        found: clip(found),
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(expected) = &self.audience {
            if claims.aud.is_empty() {
                return Err(Error::MissingClaim { claim: "aud" });
            }
            if !claims.aud.iter().any(|a| a == expected) {
                return Err(Error::AudienceMismatch {
                    expected: expected.clone(),
                    found: claims.aud.iter().take(5).map(|a| clip(a)).collect(),
                });
            }
            if let Some(untrusted) = claims
                .aud
                .iter()
                .find(|a| *a != expected && !self.trusted_audiences.contains(a))
            {
                return Err(Error::UntrustedAudience {
                    audience: clip(untrusted),
                });
            }
        }
        let expected_azp = self.expected_azp.as_ref().or(self.audience.as_ref());
        match (claims.azp, expected_azp) {
            (Some(found), Some(expected)) if found != expected.as_str() => {
                return Err(Error::AzpMismatch {
                    expected: expected.clone(),
                    found: clip(found),
                });
            }
            (None, _) if self.require_azp_for_multiple_audiences && claims.aud.len() > 1 => {
                return Err(Error::AzpMissing {
                    count: claims.aud.len(),
                });
            }
            _ => {}
        }
        let leeway = self.leeway.as_secs();
        match claims.exp {
            None if self.require_exp => return Err(Error::MissingClaim { claim: "exp" }),
            Some(exp) if now >= exp.0.saturating_add(leeway) => {
                return Err(Error::Expired {
                    exp: exp.0,
                    now,
                    leeway: self.leeway,
                });
            }
            _ => {}
        }
        if let Some(nbf) = claims.nbf
            && now.saturating_add(leeway) < nbf.0
        {
            return Err(Error::NotYetValid {
                nbf: nbf.0,
                now,
                leeway: self.leeway,
            });
        }
        match claims.iat {
            None if self.require_iat || self.max_age.is_some() => {
                return Err(Error::MissingClaim { claim: "iat" });
            }
            None => {}
            Some(iat) => {
                if iat.0 > now.saturating_add(leeway) {
                    return Err(Error::IssuedInFuture {
                        iat: iat.0,
                        now,
                        leeway: self.leeway,
                    });
                }
                if let Some(max_age) = self.max_age
                    && now > iat.0.saturating_add(max_age.as_secs())
                {
                    return Err(Error::TooOld {
                        iat: iat.0,
                        now,
                        max_age,
                    });
                }
            }
        }
        for claim in &self.required {
            let (name, value) = match claim {
                RequiredClaim::Sub => ("sub", claims.sub),
                RequiredClaim::Jti => ("jti", claims.jti),
                RequiredClaim::Nonce => ("nonce", claims.nonce),
            };
            match value {
                None => return Err(Error::MissingClaim { claim: name }),
                Some("") => {
                    return Err(Error::InvalidClaim {
                        claim: name,
                        reason: "empty string".into(),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<RegisteredClaims, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn c17_aud_string_or_array() {
        let one = parse(r#"{"aud":"client-1"}"#).unwrap();
        let many = parse(r#"{"aud":["client-1","other"]}"#).unwrap();
        assert_eq!(one.aud, Audience::one("client-1"));
        assert_eq!(many.aud.len(), 2);
        assert!(parse(r#"{"aud":7}"#).is_err());
        assert!(parse(r#"{"aud":["a",7]}"#).is_err());
        assert_eq!(serde_json::to_string(&one.aud).unwrap(), r#""client-1""#);
        assert_eq!(
            serde_json::to_string(&many.aud).unwrap(),
            r#"["client-1","other"]"#
        );
    }

    #[test]
    fn numeric_dates_accept_numbers_and_numeric_strings() {
        let c = parse(r#"{"exp":1700000000,"iat":"1699999990","nbf":1699999980.75}"#).unwrap();
        assert_eq!(c.exp, Some(NumericDate(1_700_000_000)));
        assert_eq!(c.iat, Some(NumericDate(1_699_999_990)));
        assert_eq!(c.nbf, Some(NumericDate(1_699_999_980)));
        for bad in [
            r#"{"exp":-1}"#,
            r#"{"exp":"soon"}"#,
            r#"{"exp":1e300}"#,
            r#"{"exp":true}"#,
            r#"{"exp":99999999999999}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registered_claims_keep_types_strict() {
        assert!(parse(r#"{"sub":12}"#).is_err());
        assert!(parse(r#"{"sub":"u","sub":"v"}"#).is_err());
        assert!(parse(r#"{"unknown":{"deep":[1,2]}}"#).is_ok());
    }
}
