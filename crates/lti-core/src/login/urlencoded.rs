//! `application/x-www-form-urlencoded` parsing with a fast path for the common case.
//!
//! The result is the same as [`url::form_urlencoded::parse`] (the WHATWG algorithm: split on `&`, skip empty
//! sequences, split each at the first `=`, `+` is a space, percent-decode, invalid UTF-8 replaced by U+FFFD), but
//! a name or value without `%` or `+` — a JWT, a base64url `state`, most hints — is validated as UTF-8 in one pass
//! and borrowed from the input instead of being decoded byte by byte.

use std::borrow::Cow;

/// The decoded `(name, value)` pairs of a form body or query string, in order; duplicates are kept (the caller
/// decides whether they are an error).
pub fn urlencoded_pairs(input: &[u8]) -> UrlencodedPairs<'_> {
    UrlencodedPairs { rest: input }
}

/// The iterator of [`urlencoded_pairs`].
#[derive(Debug, Clone)]
pub struct UrlencodedPairs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for UrlencodedPairs<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (sequence, rest) = match memchr::memchr(b'&', self.rest) {
                Some(at) => (
                    self.rest.get(..at).unwrap_or_default(),
                    self.rest.get(at.saturating_add(1)..).unwrap_or_default(),
                ),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            if sequence.is_empty() {
                continue;
            }
            let (name, value) = match memchr::memchr(b'=', sequence) {
                Some(at) => (
                    sequence.get(..at).unwrap_or_default(),
                    sequence.get(at.saturating_add(1)..).unwrap_or_default(),
                ),
                None => (sequence, &[][..]),
            };
            return Some((decode(name), decode(value)));
        }
    }
}

/// Decodes one name or value.
fn decode(part: &[u8]) -> Cow<'_, str> {
    if !needs_decoding(part) {
        // `from_utf8` is the vectorised check; the lossy conversion only runs on invalid input.
        return match std::str::from_utf8(part) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(part),
        };
    }
    let mut bytes = Vec::with_capacity(part.len());
    let mut i = 0;
    while let Some(&b) = part.get(i) {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => match (
                part.get(i.saturating_add(1)).and_then(|&h| hex(h)),
                part.get(i.saturating_add(2)).and_then(|&l| hex(l)),
            ) {
                (Some(high), Some(low)) => {
                    bytes.push(high << 4 | low);
                    i = i.saturating_add(2);
                }
                // Not a valid escape: kept as is.
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i = i.saturating_add(1);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Cow::Owned(text),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Whether `part` holds a `%` or a `+` (a vectorised search: a JWT is 1–2 KiB of plain base64url).
fn needs_decoding(part: &[u8]) -> bool {
    memchr::memchr2(b'%', b'+', part).is_some()
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same pairs as the `url` crate's WHATWG parser, on inputs covering every branch.
    #[test]
    fn agrees_with_form_urlencoded() {
        let inputs: &[&[u8]] = &[
            b"",
            b"&&&",
            b"a=1&b=2",
            b"id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln&state=abc-_123",
            b"a",
            b"=",
            b"=v",
            b"a==b",
            b"a+b=c+d",
            b"a%20b=%41%42%43",
            b"bad=%zz%4",
            b"trail=%",
            b"utf8=%C3%A9&raw=\xC3\xA9",
            b"invalid=%FF%FE&rawbad=\xFF",
            b"x=1&x=2&&y",
            b"plus%2B=%2B+",
            b"mixed=%e9t%C3%A9",
            b"long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+b",
            b"long2=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%41aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ];
        for input in inputs {
            let ours: Vec<(String, String)> = urlencoded_pairs(input)
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            let theirs: Vec<(String, String)> = url::form_urlencoded::parse(input)
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            assert_eq!(ours, theirs, "input {:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn plain_values_are_borrowed() {
        let pairs: Vec<_> = urlencoded_pairs(b"id_token=a.b.c&state=s").collect();
        assert!(
            pairs
                .iter()
                .all(|(n, v)| matches!(n, Cow::Borrowed(_)) && matches!(v, Cow::Borrowed(_)))
        );
    }
}
