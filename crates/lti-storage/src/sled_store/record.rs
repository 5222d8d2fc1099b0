//! The on-disk record format of [`SledStore`](super::SledStore).
//!
//! ```text
//! byte 0      format version (FORMAT_V1 = 1)
//! bytes 1..9  expiry, u64 big-endian, milliseconds since the Unix epoch; 0 = never
//! bytes 9..   the value
//! ```
//!
//! A record that is too short or carries an unknown version is [`Error::Corrupt`], never a panic.

use crate::Error;
use crate::expiry::is_expired;

/// The only format written so far.
const FORMAT_V1: u8 = 1;

/// Bytes before the value: the format byte and the expiry.
const HEADER_LEN: usize = 1 + 8;

/// A decoded record, borrowing its value from the stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record<'a> {
    /// Expiry in ms since the Unix epoch; `None`: never.
    pub(super) expires_at: Option<u64>,
    /// The stored value.
    pub(super) value: &'a [u8],
}

impl<'a> Record<'a> {
    /// Encodes a record.
    pub(super) fn encode(value: &[u8], expires_at: Option<u64>) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(value.len()));
        out.push(FORMAT_V1);
        out.extend_from_slice(&expires_at.unwrap_or(0).to_be_bytes());
        out.extend_from_slice(value);
        out
    }

    /// Decodes a stored record of namespace `namespace` (named in the error).
    ///
    /// # Errors
    /// [`Error::Corrupt`] when the bytes are not a record this version can read.
    pub(super) fn decode(namespace: &'static str, bytes: &'a [u8]) -> Result<Self, Error> {
        let corrupt = |reason| Error::Corrupt { namespace, reason };
        let (&format, rest) = bytes.split_first().ok_or(corrupt("empty record"))?;
        if format != FORMAT_V1 {
            return Err(corrupt("unknown record format version"));
        }
        let (expiry, value) = rest
            .split_first_chunk::<8>()
            .ok_or(corrupt("record shorter than its header"))?;
        let expires_at = match u64::from_be_bytes(*expiry) {
            0 => None,
            at => Some(at),
        };
        Ok(Self { expires_at, value })
    }

    /// Whether the record is live at `now_ms`.
    pub(super) fn is_live(&self, now_ms: u64) -> bool {
        self.expires_at.is_none_or(|at| !is_expired(at, now_ms))
    }

    /// The value if the record is live at `now_ms`.
    pub(super) fn live_value(&self, now_ms: u64) -> Option<&'a [u8]> {
        self.is_live(now_ms).then_some(self.value)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const NS: &str = "lti.storage.test";

    #[test]
    fn round_trips() {
        for (value, expires_at) in [
            (&b""[..], None),
            (b"v", Some(1)),
            (b"value", Some(u64::MAX)),
        ] {
            let bytes = Record::encode(value, expires_at);
            let record = Record::decode(NS, &bytes).unwrap();
            assert_eq!(record, Record { expires_at, value });
        }
    }

    #[test]
    fn header_layout_is_stable() {
        let bytes = Record::encode(b"xy", Some(0x0102_0304_0506_0708));
        assert_eq!(bytes, [1, 1, 2, 3, 4, 5, 6, 7, 8, b'x', b'y']);
        assert_eq!(Record::encode(b"", None), [1, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn bad_records_are_corrupt_not_panics() {
        for (bytes, reason) in [
            (&[][..], "empty record"),
            (
                &[2, 0, 0, 0, 0, 0, 0, 0, 0],
                "unknown record format version",
            ),
            (&[1, 0, 0, 0], "record shorter than its header"),
        ] {
            match Record::decode(NS, bytes) {
                Err(Error::Corrupt {
                    namespace,
                    reason: got,
                }) => {
                    assert_eq!((namespace, got), (NS, reason));
                }
                other => unreachable!("{bytes:?} decoded to {other:?}"),
            }
        }
    }

    #[test]
    fn liveness_follows_expiry() {
        let bytes = Record::encode(b"v", Some(100));
        let record = Record::decode(NS, &bytes).unwrap();
        assert_eq!(record.live_value(99), Some(&b"v"[..]));
        assert_eq!(record.live_value(100), None);
        let forever = Record::encode(b"v", None);
        assert!(Record::decode(NS, &forever).unwrap().is_live(u64::MAX));
    }
}
