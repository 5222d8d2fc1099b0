//! Compact JWS ([RFC 7515 §7.1]): a strict parser and a signer.
//!
//! The parser accepts exactly `BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`: three parts, no
//! padding, no whitespace, a size limit checked before anything is decoded, and a header that is a UTF-8 JSON
//! object with a supported asymmetric `alg`. `crit` is rejected (no extension is understood); `jku`, `x5u`,
//! `jwk` and `x5c` are ignored, never fetched nor trusted: keys come only from the caller [Sec §5.4].
//!
//! [RFC 7515 §7.1]: https://www.rfc-editor.org/rfc/rfc7515#section-7.1

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::clip;
use crate::{Algorithm, AlgorithmSet, Error, Kid, SigningKey, VerifyingKey, b64};

/// The default largest token accepted: 128 KiB (launches are a few KiB; a Deep Linking response with many
/// items can reach tens of KiB).
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 128 * 1024;

/// The JOSE header of a token, as far as lti-rs reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// The signature algorithm (`alg`).
    pub alg: Algorithm,
    /// The key id (`kid`).
    pub kid: Option<Kid>,
    /// The media type (`typ`), e.g. `JWT`.
    pub typ: Option<String>,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct OutHeader<'a> {
    alg: &'static str,
    kid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typ: Option<&'a str>,
}

/// A compact JWS that has been parsed but whose signature has not been checked.
///
/// Everything read from it before [`verify`](Self::verify) is attacker-controlled; the accessors say so.
#[derive(Debug, Clone)]
pub struct UnverifiedJws<'a> {
    signing_input: &'a str,
    payload_b64: &'a str,
    header: Header,
    signature: Vec<u8>,
}

impl<'a> UnverifiedJws<'a> {
    /// Parses `token`.
    ///
    /// # Errors
    /// [`Error::TokenTooLarge`], [`Error::MalformedToken`], [`Error::MalformedHeader`], [`Error::AlgorithmNone`],
    /// [`Error::SymmetricAlgorithm`], [`Error::UnsupportedAlgorithm`] or [`Error::CriticalHeader`].
    pub fn parse(token: &'a str, max_bytes: usize) -> Result<Self, Error> {
        if token.len() > max_bytes {
            return Err(Error::TokenTooLarge {
                len: token.len(),
                limit: max_bytes,
            });
        }
        let (signing_input, signature_b64) =
            token.rsplit_once('.').ok_or(Error::MalformedToken {
                reason: "expected three `.`-separated parts (found one)",
            })?;
        let (header_b64, payload_b64) =
            signing_input.split_once('.').ok_or(Error::MalformedToken {
                reason: "expected three `.`-separated parts (found two)",
            })?;
        if payload_b64.contains('.') {
            return Err(Error::MalformedToken {
                reason: "expected three `.`-separated parts (found more; JWE is not supported)",
            });
        }
        if header_b64.is_empty() {
            return Err(Error::MalformedToken {
                reason: "header part is empty",
            });
        }
        let header_json = b64::decode(header_b64.as_bytes()).ok_or(Error::MalformedToken {
            reason: "header is not unpadded base64url",
        })?;
        if !is_json_object(&header_json) {
            return Err(Error::MalformedHeader {
                reason: "not a JSON object".into(),
            });
        }
        let raw: RawHeader =
            serde_json::from_slice(&header_json).map_err(|e| Error::MalformedHeader {
                reason: e.to_string(),
            })?;
        if let Some(crit) = raw.crit {
            return Err(Error::CriticalHeader {
                names: clip(&crit.to_string()),
            });
        }
        // The algorithm is judged before the signature's shape, so `alg: none` with its empty signature is
        // reported as what it is.
        let alg = Algorithm::from_name(&raw.alg)?;
        if signature_b64.is_empty() {
            return Err(Error::MalformedToken {
                reason: "signature part is empty",
            });
        }
        let signature = b64::decode(signature_b64.as_bytes()).ok_or(Error::MalformedToken {
            reason: "signature is not unpadded base64url",
        })?;
        Ok(Self {
            signing_input,
            payload_b64,
            header: Header {
                alg,
                kid: raw.kid.map(Kid::from),
                typ: raw.typ,
            },
            signature,
        })
    }

    /// The header. Unverified: use it only to choose the key and the checks.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decoded payload bytes, unverified.
    ///
    /// # Errors
    /// [`Error::MalformedToken`] when the payload is not base64url.
    pub fn unverified_payload(&self) -> Result<Vec<u8>, Error> {
        b64::decode(self.payload_b64.as_bytes()).ok_or(Error::MalformedToken {
            reason: "payload is not unpadded base64url",
        })
    }

    /// The payload deserialized as `T`, unverified: for routing only (e.g. choosing a registration by `iss`),
    /// never for decisions.
    ///
    /// # Errors
    /// [`Error::MalformedToken`] or [`Error::MalformedClaims`].
    pub fn unverified_claims<T: DeserializeOwned>(&self) -> Result<T, Error> {
        parse_claims(&self.unverified_payload()?)
    }

    /// Checks the algorithm against `allowed` and the signature with `key`, and returns the verified content.
    ///
    /// # Errors
    /// [`Error::AlgorithmNotAllowed`], [`Error::KeyAlgorithmMismatch`] or [`Error::InvalidSignature`].
    pub fn verify(self, key: &VerifyingKey, allowed: AlgorithmSet) -> Result<VerifiedJws, Error> {
        check_allowed(self.header.alg, allowed)?;
        key.verify(
            self.header.alg,
            self.signing_input.as_bytes(),
            &self.signature,
        )?;
        let payload = b64::decode(self.payload_b64.as_bytes()).ok_or(Error::MalformedToken {
            reason: "payload is not unpadded base64url",
        })?;
        Ok(VerifiedJws {
            header: self.header,
            payload,
        })
    }
}

/// A JWS whose signature verified. Only [`UnverifiedJws::verify`] builds one.
#[derive(Debug, Clone)]
pub struct VerifiedJws {
    header: Header,
    payload: Vec<u8>,
}

impl VerifiedJws {
    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload deserialized as `T`.
    ///
    /// # Errors
    /// [`Error::MalformedClaims`] naming the JSON path that failed.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, Error> {
        parse_claims(&self.payload)
    }

    pub(crate) fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

/// Signs `payload` (already serialized) as a compact JWS with `key`: header `alg` and `kid` from the key, and
/// `typ` when given.
///
/// # Errors
/// [`Error::Crypto`] when the backend fails.
pub fn sign_bytes(key: &SigningKey, typ: Option<&str>, payload: &[u8]) -> Result<String, Error> {
    let header = serde_json::to_vec(&OutHeader {
        alg: key.alg().name(),
        kid: key.kid().as_str(),
        typ,
    })
    .map_err(|source| Error::Serialize {
        what: "JOSE header",
        source,
    })?;
    let mut token = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 400);
    b64::encode_into(&header, &mut token);
    token.push('.');
    b64::encode_into(payload, &mut token);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    b64::encode_into(&signature, &mut token);
    Ok(token)
}

/// Serializes `claims` to JSON and signs them as a JWT (`typ: "JWT"`).
///
/// # Errors
/// [`Error::Serialize`] when `claims` does not serialize; [`Error::Crypto`] when the backend fails.
pub fn sign_jwt<C: Serialize + ?Sized>(key: &SigningKey, claims: &C) -> Result<String, Error> {
    let payload = serde_json::to_vec(claims).map_err(|source| Error::Serialize {
        what: "JWT claims",
        source,
    })?;
    sign_bytes(key, Some("JWT"), &payload)
}

pub(crate) fn check_allowed(alg: Algorithm, allowed: AlgorithmSet) -> Result<(), Error> {
    if allowed.contains(alg) {
        Ok(())
    } else {
        Err(Error::AlgorithmNotAllowed {
            found: alg,
            allowed: allowed.to_string(),
        })
    }
}

/// Deserializes a JWT claims set, which must be a JSON object (RFC 7519 §7.2 step 10): serde's derived
/// structs would otherwise also accept a JSON array of the field values.
pub(crate) fn parse_claims<T: DeserializeOwned>(payload: &[u8]) -> Result<T, Error> {
    if !is_json_object(payload) {
        return Err(Error::MalformedClaims {
            reason: "the claims set is not a JSON object".into(),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(payload);
    let value = T::deserialize(&mut de).map_err(|e| Error::MalformedClaims {
        reason: e.to_string(),
    })?;
    de.end().map_err(|e| Error::MalformedClaims {
        reason: e.to_string(),
    })?;
    Ok(value)
}

fn is_json_object(json: &[u8]) -> bool {
    json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_b64(json: &str) -> String {
        b64::encode(json.as_bytes())
    }

    #[test]
    fn parse_rejects_wrong_part_counts_and_encodings() {
        let h = header_b64(r#"{"alg":"RS256","kid":"k"}"#);
        let cases = [
            (String::new(), "one"),
            ("abc".to_owned(), "one"),
            (format!("{h}.e30"), "two"),
            (format!("{h}.e30.c2ln.extra"), "more"),
            (format!("{h}.e30."), "empty"),
            (".e30.c2ln".to_owned(), "empty"),
            (format!("{h}=.e30.c2ln"), "header"),
            (format!("{h}.e30.c2ln="), "signature"),
        ];
        for (token, why) in cases {
            match UnverifiedJws::parse(&token, DEFAULT_MAX_TOKEN_BYTES) {
                Err(Error::MalformedToken { reason }) => {
                    assert!(reason.contains(why), "{token}: {reason}")
                }
                other => panic!("{token}: expected MalformedToken, got {other:?}"),
            }
        }
    }

    #[test]
    fn bad_payload_encoding_is_caught_when_the_payload_is_read() {
        let h = header_b64(r#"{"alg":"RS256","kid":"k"}"#);
        let token = format!("{h}.e3 0.c2ln");
        let jws = UnverifiedJws::parse(&token, DEFAULT_MAX_TOKEN_BYTES).unwrap();
        assert!(matches!(
            jws.unverified_payload(),
            Err(Error::MalformedToken { reason }) if reason.contains("payload")
        ));
    }

    #[test]
    fn parse_checks_size_before_decoding() {
        let token = "a".repeat(100);
        assert!(matches!(
            UnverifiedJws::parse(&token, 99),
            Err(Error::TokenTooLarge {
                len: 100,
                limit: 99
            })
        ));
    }

    #[test]
    fn header_rules() {
        let sig = "c2ln";
        let parse = |json: &str| {
            UnverifiedJws::parse(&format!("{}.e30.{sig}", header_b64(json)), 4096).map(|j| j.header)
        };
        assert!(matches!(
            parse(r#"{"alg":"none"}"#),
            Err(Error::AlgorithmNone)
        ));
        assert!(matches!(
            parse(r#"{"alg":"HS256","kid":"k"}"#),
            Err(Error::SymmetricAlgorithm { .. })
        ));
        assert!(matches!(
            parse(r#"{"alg":"PS256"}"#),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            parse(r#"{"kid":"k"}"#),
            Err(Error::MalformedHeader { .. })
        ));
        assert!(matches!(
            parse(r#"{"alg":"RS256","alg":"RS256"}"#),
            Err(Error::MalformedHeader { .. })
        ));
        assert!(matches!(
            parse(r#"{"alg":"RS256","kid":7}"#),
            Err(Error::MalformedHeader { .. })
        ));
        assert!(matches!(
            parse(r#"["RS256"]"#),
            Err(Error::MalformedHeader { .. })
        ));
        assert!(matches!(
            parse(r#"{"alg":"RS256","crit":["exp"],"exp":1}"#),
            Err(Error::CriticalHeader { .. })
        ));
        // jku / x5u / jwk are ignored, not trusted and not an error
        let h = parse(r#"{"alg":"RS256","kid":"k1","typ":"JWT","jku":"https://evil.example/jwks","jwk":{"kty":"RSA"}}"#)
            .unwrap();
        assert_eq!(h.alg, Algorithm::Rs256);
        assert_eq!(h.kid, Some(Kid::from("k1")));
        assert_eq!(h.typ.as_deref(), Some("JWT"));
    }

    #[test]
    fn payload_must_be_json_object_for_claims() {
        let token = format!(
            "{}.{}.c2ln",
            header_b64(r#"{"alg":"RS256"}"#),
            b64::encode(b"[1,2]")
        );
        let jws = UnverifiedJws::parse(&token, 4096).unwrap();
        let r: Result<serde_json::Map<String, serde_json::Value>, _> = jws.unverified_claims();
        assert!(matches!(r, Err(Error::MalformedClaims { .. })));
    }
}
