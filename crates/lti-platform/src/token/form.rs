//! A strict `application/x-www-form-urlencoded` parser for the token request [RFC 6749 §3.2, App. B].
//!
//! Unlike a lenient decoder it refuses, rather than repairs: a body or a percent-decoded value that is not UTF-8,
//! a bad `%` escape, a repeated parameter name ("parameters MUST NOT be included more than once", RFC 6749 §3.2)
//! and more than [`MAX_TOKEN_REQUEST_PARAMS`] parameters.

use super::TokenError;

/// The most parameters a token request may carry (a conforming request has four or five).
pub const MAX_TOKEN_REQUEST_PARAMS: usize = 32;

/// The token request's parameters that matter; an empty value counts as absent (RFC 6749 §3.1).
#[derive(Debug, Default)]
pub(crate) struct TokenParams {
    pub(crate) grant_type: Option<String>,
    pub(crate) client_assertion_type: Option<String>,
    pub(crate) client_assertion: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<String>,
    pub(crate) scope: Option<String>,
}

/// Parses the body into [`TokenParams`]; unknown parameters are ignored (RFC 6749 §3.2) but still count and may
/// not repeat.
pub(crate) fn parse(body: &[u8]) -> Result<TokenParams, TokenError> {
    let text = std::str::from_utf8(body).map_err(|e| TokenError::MalformedBody {
        reason: format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
    })?;
    let mut names: Vec<String> = Vec::new();
    let mut params = TokenParams::default();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        if names.len() >= MAX_TOKEN_REQUEST_PARAMS {
            return Err(TokenError::TooManyParameters {
                limit: MAX_TOKEN_REQUEST_PARAMS,
            });
        }
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(raw_name, "a parameter name")?;
        if names.contains(&name) {
            return Err(TokenError::ParameterDuplicated { name: clip(&name) });
        }
        let slot = match name.as_str() {
            "grant_type" => Some(&mut params.grant_type),
            "client_assertion_type" => Some(&mut params.client_assertion_type),
            "client_assertion" => Some(&mut params.client_assertion),
            "client_id" => Some(&mut params.client_id),
            "client_secret" => Some(&mut params.client_secret),
            "scope" => Some(&mut params.scope),
            _ => None,
        };
        if let Some(slot) = slot {
            let value = decode(raw_value, "a parameter value")?;
            if !value.is_empty() {
                *slot = Some(value);
            }
        }
        names.push(name);
    }
    Ok(params)
}

/// Decodes one form component: `+` is a space, `%XX` a byte; the result must be UTF-8.
fn decode(component: &str, what: &'static str) -> Result<String, TokenError> {
    if !component.bytes().any(|b| b == b'%' || b == b'+') {
        // Already UTF-8 (it is a slice of the checked body) and nothing to decode.
        return Ok(component.to_owned());
    }
    let mut out = Vec::with_capacity(component.len());
    let mut bytes = component.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(hex);
                let lo = bytes.next().and_then(hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => {
                        return Err(TokenError::MalformedBody {
                            reason: format!("{what} has a `%` not followed by two hex digits"),
                        });
                    }
                }
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| TokenError::MalformedBody {
        reason: format!("{what} is not UTF-8 once percent-decoded"),
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A name quoted in an error, cut to 40 characters.
fn clip(name: &str) -> String {
    let mut out: String = name.chars().take(40).collect();
    if out.len() < name.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent_and_ignores_unknown_and_empty() {
        let p = parse(b"grant_type=client_credentials&scope=a+b%20c&other=x&client_id=&&").unwrap();
        assert_eq!(p.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(p.scope.as_deref(), Some("a b c"));
        assert_eq!(p.client_id, None);
    }

    #[test]
    fn refuses_what_a_lenient_parser_would_repair() {
        for (body, want) in [
            (&b"scope=%zz"[..], "hex"),
            (b"scope=%4", "hex"),
            (b"scope=%ff", "UTF-8"),
            (b"sc\xffope=a", "UTF-8"),
            (b"scope=a&scope=b", "more than once"),
            (b"x=1&x=2", "more than once"),
        ] {
            let e = parse(body).unwrap_err();
            assert!(e.to_string().contains(want), "{e}");
        }
        let many = "a=1&".repeat(10_000).replace("a=1", "p");
        let numbered: String = (0..10_000).map(|i| format!("p{i}=1&")).collect();
        assert!(parse(many.as_bytes()).is_err());
        assert!(matches!(
            parse(numbered.as_bytes()),
            Err(TokenError::TooManyParameters { .. })
        ));
    }
}
