//! [`ScopedUrlKey`]: service URL segments bound to (purpose, context, client) by an HMAC, in lower-case base32.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::{constant_time, hmac};

use super::ServiceAccessError;
use crate::{ClientId, ContextId};

/// The shortest secret [`ScopedUrlKey::new`] accepts: 32 bytes (256 bits).
pub const MIN_SCOPED_URL_SECRET_BYTES: usize = 32;

/// Bytes of the HMAC-SHA256 tag kept in the URL: 16 (128 bits, 26 base32 characters).
const TAG_BYTES: usize = 16;

/// The longest segment [`ScopedUrlKey::open`] reads: a 255-byte context id in base32 (408 characters), the
/// separator and the tag, with room to spare.
const MAX_SEGMENT_LEN: usize = 512;

/// Signs and opens the scoped segment a platform puts in the service URLs of a launch.
///
/// A segment is `<context id>-<tag>`, both lower-case RFC 4648 base32 without padding; the tag is the first 16
/// bytes of HMAC-SHA256 over the length-prefixed purpose (`"ags"`, `"nrps"`), context id and client id, under a
/// platform secret. So:
/// - a tool that calls a URL issued to another tool fails ([`open`](Self::open) uses the *caller's* client id);
/// - a changed context id, a segment for another service, or a forged tag fail;
/// - the segment survives clients that lower-case (or upper-case) URLs, and any context id (any case, any
///   character) fits in a path segment.
///
/// The comparison is constant-time. `Debug` does not show the secret.
///
/// ```
/// use lti_core::service_access::ScopedUrlKey;
/// use lti_core::{ClientId, ContextId};
///
/// let key = ScopedUrlKey::new(&[7u8; 32])?;
/// let segment = key.segment("ags", &ContextId::from("Course-42"), &ClientId::from("tool-a"));
/// assert_eq!(segment, segment.to_lowercase());
/// let context = key.open("ags", &segment.to_uppercase(), &ClientId::from("tool-a"))?;
/// assert_eq!(context.as_str(), "Course-42");
/// assert!(key.open("ags", &segment, &ClientId::from("tool-b")).is_err());
/// assert!(key.open("nrps", &segment, &ClientId::from("tool-a")).is_err());
/// # Ok::<(), lti_core::service_access::ServiceAccessError>(())
/// ```
#[derive(Clone)]
pub struct ScopedUrlKey {
    key: Arc<hmac::Key>,
}

impl ScopedUrlKey {
    /// A key from the platform secret `secret` (keep it with the platform's other secrets; changing it
    /// invalidates every service URL issued so far).
    ///
    /// # Errors
    /// [`ServiceAccessError::WeakSecret`] when `secret` is shorter than [`MIN_SCOPED_URL_SECRET_BYTES`].
    pub fn new(secret: &[u8]) -> Result<Self, ServiceAccessError> {
        if secret.len() < MIN_SCOPED_URL_SECRET_BYTES {
            return Err(ServiceAccessError::WeakSecret {
                len: secret.len(),
                min: MIN_SCOPED_URL_SECRET_BYTES,
            });
        }
        Ok(Self {
            key: Arc::new(hmac::Key::new(hmac::HMAC_SHA256, secret)),
        })
    }

    /// The segment that scopes `purpose` URLs of `context_id` to `client_id`.
    pub fn segment(&self, purpose: &str, context_id: &ContextId, client_id: &ClientId) -> String {
        let tag = self.tag(purpose, context_id.as_str().as_bytes(), client_id);
        let mut out = base32_encode(context_id.as_str().as_bytes());
        out.push('-');
        out.push_str(&base32_encode(
            tag.as_ref().get(..TAG_BYTES).unwrap_or_default(),
        ));
        out
    }

    /// The context of `segment`, if it was issued for `purpose` to `client_id` (in any letter case).
    ///
    /// # Errors
    /// [`ServiceAccessError::ScopedUrlInvalid`] when the segment is malformed, too long, or its tag does not
    /// match (another tool, another purpose, a changed context).
    pub fn open(
        &self,
        purpose: &str,
        segment: &str,
        client_id: &ClientId,
    ) -> Result<ContextId, ServiceAccessError> {
        let invalid = |reason| ServiceAccessError::ScopedUrlInvalid { reason };
        if segment.len() > MAX_SEGMENT_LEN {
            return Err(invalid("scope segment too long"));
        }
        let (context, tag) = segment
            .rsplit_once('-')
            .ok_or_else(|| invalid("scope segment has no signature"))?;
        let context = base32_decode(context)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid("scope segment's context is not base32"))?;
        let tag = base32_decode(tag)
            .filter(|t| t.len() == TAG_BYTES)
            .ok_or_else(|| invalid("scope segment's signature is malformed"))?;
        let expected = self.tag(purpose, &context, client_id);
        constant_time::verify_slices_are_equal(
            expected.as_ref().get(..TAG_BYTES).unwrap_or_default(),
            &tag,
        )
        .map_err(|_| invalid("signature does not match this tool and context"))?;
        let context = String::from_utf8(context)
            .map_err(|_| invalid("scope segment's context is not UTF-8"))?;
        Ok(ContextId::new(context))
    }

    fn tag(&self, purpose: &str, context: &[u8], client_id: &ClientId) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.key);
        for part in [purpose.as_bytes(), context, client_id.as_str().as_bytes()] {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            ctx.update(&len.to_be_bytes());
            ctx.update(part);
        }
        ctx.sign()
    }
}

impl fmt::Debug for ScopedUrlKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScopedUrlKey([redacted])")
    }
}

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// RFC 4648 base32, lower case, without padding: the encoding of everything a service puts in its URLs (scoped
/// segments, paging cursors), since clients that lower-case URLs leave it intact.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(8).div_ceil(5));
    let mut buffer: u16 = 0;
    let mut bits = 0_u32;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            let index = usize::from((buffer >> bits) & 0x1f);
            out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'a')));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        let index = usize::from((buffer << (5 - bits)) & 0x1f);
        out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'a')));
    }
    out
}

/// Decodes [`base32_encode`]'s output in either letter case; `None` for any other character or a length no
/// encoding produces.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len().saturating_mul(5) / 8);
    let mut buffer: u16 = 0;
    let mut bits = 0_u32;
    for c in text.bytes() {
        let value = match c.to_ascii_lowercase() {
            c @ b'a'..=b'z' => c - b'a',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
        buffer &= (1 << bits) - 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
            assert_eq!(
                base32_decode(&encoded.to_uppercase()).unwrap(),
                plain.as_bytes()
            );
        }
        for bad in ["m", "mzx", "mzxw6y", "mz!q", "mz1q", "mzé"] {
            assert!(base32_decode(bad).is_none(), "{bad}");
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base32_decode(&base32_encode(&all)).unwrap(), all);
    }

    #[test]
    fn segments_bind_purpose_context_and_client() {
        let key = ScopedUrlKey::new(&[1u8; 32]).unwrap();
        let ctx = ContextId::from("Ctx/With Spaces?&#");
        let a = ClientId::from("a");
        let seg = key.segment("ags", &ctx, &a);
        assert!(
            seg.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
        assert_eq!(key.open("ags", &seg, &a).unwrap(), ctx);
        assert_eq!(key.open("ags", &seg.to_uppercase(), &a).unwrap(), ctx);
        assert!(key.open("ags", &seg, &ClientId::from("b")).is_err());
        assert!(key.open("nrps", &seg, &a).is_err());
        let other_key = ScopedUrlKey::new(&[2u8; 32]).unwrap();
        assert!(other_key.open("ags", &seg, &a).is_err());
        // swap in another context, keep the tag
        let (_, tag) = seg.rsplit_once('-').unwrap();
        let forged = format!("{}-{tag}", base32_encode(b"other"));
        assert!(key.open("ags", &forged, &a).is_err());
        // length prefixes: ("ab", "c") and ("a", "bc") differ
        let s1 = key.segment("ags", &ContextId::from("ab"), &ClientId::from("c"));
        let s2 = key.segment("ags", &ContextId::from("a"), &ClientId::from("bc"));
        assert_ne!(
            s1.rsplit_once('-').unwrap().1,
            s2.rsplit_once('-').unwrap().1
        );
    }

    #[test]
    fn hostile_segments_are_refused() {
        let key = ScopedUrlKey::new(&[1u8; 32]).unwrap();
        let a = ClientId::from("a");
        for bad in [
            "",
            "-",
            "abc",
            "-aaaaaaaaaaaaaaaaaaaaaaaaaa",
            "mzxw6-",
            "mzxw6-short",
            "m!-aaaaaaaaaaaaaaaaaaaaaaaaaa",
            "é-é",
        ] {
            assert!(
                matches!(
                    key.open("ags", bad, &a),
                    Err(ServiceAccessError::ScopedUrlInvalid { .. })
                ),
                "{bad}"
            );
        }
        let long = "a".repeat(MAX_SEGMENT_LEN + 1);
        assert!(key.open("ags", &long, &a).is_err());
        assert!(matches!(
            ScopedUrlKey::new(&[0u8; 31]),
            Err(ServiceAccessError::WeakSecret { len: 31, min: 32 })
        ));
        assert_eq!(format!("{key:?}"), "ScopedUrlKey([redacted])");
    }
}
