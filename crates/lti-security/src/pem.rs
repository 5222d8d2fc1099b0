//! Minimal, strict PEM ([RFC 7468]) for the three documents lti-rs reads and writes: `PRIVATE KEY` (PKCS#8),
//! `RSA PRIVATE KEY` (PKCS#1) / `EC PRIVATE KEY` (RFC 5915) on input, and `PUBLIC KEY` (SubjectPublicKeyInfo).
//!
//! [RFC 7468]: https://www.rfc-editor.org/rfc/rfc7468

use zeroize::Zeroizing;

use crate::{Error, b64};

/// The largest PEM document accepted (a 16384-bit RSA key is well under this).
const MAX_PEM_BYTES: usize = 64 * 1024;

/// A decoded PEM block: its label and DER bytes (zeroised on drop, since it may be a private key).
pub(crate) struct PemBlock {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Decodes the first PEM block in `text`.
pub(crate) fn decode(text: &str) -> Result<PemBlock, Error> {
    if text.len() > MAX_PEM_BYTES {
        return Err(pem_error(format!(
            "document is {} bytes; the limit is {MAX_PEM_BYTES}",
            text.len()
        )));
    }
    let mut lines = text.lines().map(str::trim);
    let label = loop {
        match lines.next() {
            None => return Err(pem_error("no `-----BEGIN ...-----` line".into())),
            Some(line) => {
                if let Some(label) = line
                    .strip_prefix("-----BEGIN ")
                    .and_then(|l| l.strip_suffix("-----"))
                {
                    break label.to_owned();
                }
            }
        }
    };
    let end = format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    let mut ended = false;
    for line in lines.by_ref() {
        if line == end {
            ended = true;
            break;
        }
        if line.contains(':') {
            return Err(pem_error(format!(
                "`{label}` has encapsulated headers (an encrypted legacy key?); use unencrypted PKCS#8"
            )));
        }
        body.push_str(line);
    }
    if !ended {
        return Err(pem_error(format!("no `{end}` line")));
    }
    let der = b64::decode_standard(body.as_bytes())
        .ok_or_else(|| pem_error(format!("`{label}` body is not valid base64")))?;
    Ok(PemBlock {
        label,
        der: Zeroizing::new(der),
    })
}

/// Encodes `der` as a PEM block with 64-character lines.
pub(crate) fn encode(label: &str, der: &[u8]) -> Zeroizing<String> {
    let body = Zeroizing::new(b64::encode_standard(der));
    let mut out = Zeroizing::new(String::with_capacity(body.len() + body.len() / 64 + 64));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in body.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk boundary is a char boundary
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

fn pem_error(reason: String) -> Error {
    Error::Pem { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let der: Vec<u8> = (0..=255u8).collect();
        let text = encode("PRIVATE KEY", &der);
        assert!(text.lines().all(|l| l.len() <= 64));
        let block = decode(&text).map_err(|e| e.to_string());
        let block = match block {
            Ok(b) => b,
            Err(e) => panic!("decode failed: {e}"),
        };
        assert_eq!(block.label, "PRIVATE KEY");
        assert_eq!(&*block.der, &der);

        assert!(decode("no pem here").is_err());
        assert!(decode("-----BEGIN PRIVATE KEY-----\nAAAA\n").is_err());
        assert!(decode("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----").is_err());
        assert!(
            decode("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n-----END RSA PRIVATE KEY-----")
                .is_err()
        );
    }
}
