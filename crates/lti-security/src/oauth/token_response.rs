//! Reading a token endpoint's answer: liberal where platforms are sloppy, strict where it matters.
//!
//! Order (as oauth2-rs and openidconnect-rs do it): the size, the status (an error status is read for an
//! RFC 6749 §5.2 body whatever its `Content-Type`), then the `Content-Type` (JSON, case-insensitive, parameters
//! ignored; a missing one is tolerated), then a JSON object, then each member. Nothing from a successful body is
//! ever quoted in an error: it may hold the token.

use http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use super::{OAuthErrorBody, OAuthErrorCode, TokenError, TokenResponse};
use crate::error::clip;

/// The largest `expires_in` accepted: 365 days. A client-credentials token is meant to live an hour
/// [Sec §4.1.1]; a larger value is a platform bug or a hostile answer, not a reason to cache a token for years.
pub const MAX_EXPIRES_IN_SECS: u64 = 365 * 24 * 60 * 60;

/// How much of an error page is read for its excerpt (which is then clipped to 100 characters).
const EXCERPT_READ_BYTES: usize = 2048;

/// Runs of token-like characters at least this long are cut out of excerpts: they may be a JWT (the assertion
/// echoed back) or an opaque token.
const SECRET_RUN: usize = 32;

/// What the parser needs to know about the request.
#[derive(Debug, Clone, Copy)]
pub(super) struct Context<'a> {
    /// The token URL without query, for errors.
    pub(super) url: &'a str,
    /// The body cap.
    pub(super) max_body_bytes: usize,
}

/// Checks and parses one answer of the token endpoint.
pub(super) fn parse(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body: &[u8],
    cx: Context<'_>,
) -> Result<TokenResponse, TokenError> {
    let url = || cx.url.to_owned();
    // The HTTP client enforces the cap; check again so a client that ignores RequestOptions cannot feed us more.
    if body.len() > cx.max_body_bytes {
        return Err(TokenError::ResponseTooLarge {
            url: url(),
            limit: cx.max_body_bytes,
        });
    }
    let status_code = status.as_u16();
    if !status.is_success() {
        return Err(match oauth_error(body) {
            Some(error) => TokenError::Refused {
                url: url(),
                status: status_code,
                error,
            },
            None => TokenError::Status {
                url: url(),
                status: status_code,
                body: excerpt(body),
            },
        });
    }
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        let json = content_type.to_str().ok().is_some_and(is_json);
        if !json {
            return Err(TokenError::UnexpectedContentType {
                url: url(),
                status: status_code,
                found: content_type
                    .to_str()
                    .map_or_else(|_| "(not visible ASCII)".to_owned(), clip),
            });
        }
    }
    let object =
        json_object(body).map_err(|reason| TokenError::MalformedResponse { url: url(), reason })?;
    // Some platforms answer an error with 200: an `error` member and no token is an error body.
    if !object.contains_key("access_token")
        && let Some(error) = oauth_error_from(&object)
    {
        return Err(TokenError::Refused {
            url: url(),
            status: status_code,
            error,
        });
    }
    let access_token = access_token(&object, cx.url)?;
    let token_type = token_type(&object, cx.url)?;
    let expires_in = expires_in(object.get("expires_in"), cx.url)?;
    let scope = match object.get("scope") {
        None | Some(Value::Null) => None,
        Some(Value::String(scope)) => Some(scope.clone()),
        Some(other) => {
            return Err(TokenError::InvalidField {
                url: url(),
                field: "scope",
                expected: "a string of space-separated scopes",
                found: kind(other).to_owned(),
            });
        }
    };
    Ok(TokenResponse {
        access_token,
        token_type,
        expires_in,
        scope,
    })
}

/// Whether a `Content-Type` names JSON: `application/json` or `application/<anything>+json`, parameters and case
/// ignored.
pub(super) fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The body as a JSON object (a UTF-8 byte-order mark is skipped), or a description of what it is instead that
/// quotes nothing from it.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("expected a JSON object (found an empty body)".to_owned());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(format!("expected a JSON object (found {})", kind(&other))),
        Err(e) => Err(format!(
            "expected a JSON object (found {}, {} bytes; JSON syntax error at line {}, column {})",
            describe_non_json(body),
            body.len(),
            e.line(),
            e.column()
        )),
    }
}

fn describe_non_json(body: &[u8]) -> &'static str {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let first = start.and_then(|i| body.get(i)).copied();
    let first_line = start
        .and_then(|i| body.get(i..))
        .and_then(|rest| rest.split(|b| b.is_ascii_whitespace()).next())
        .unwrap_or_default();
    match first {
        Some(b'<') => "markup (an HTML or XML page)",
        Some(b'{' | b'[') => "malformed or truncated JSON",
        _ if first_line.contains(&b'=') => "form-encoded text (RFC 6749 §5.1 requires JSON)",
        _ => "text that is not JSON",
    }
}

fn access_token(object: &Map<String, Value>, url: &str) -> Result<String, TokenError> {
    let invalid = |found: &str| TokenError::InvalidField {
        url: url.to_owned(),
        field: "access_token",
        expected: "a non-empty string of visible ASCII characters (RFC 6750 §2.1)",
        found: found.to_owned(),
    };
    match object.get("access_token") {
        None | Some(Value::Null) => Err(TokenError::MissingField {
            url: url.to_owned(),
            field: "access_token",
        }),
        Some(Value::String(token)) if token.is_empty() => Err(invalid("an empty string")),
        Some(Value::String(token)) if !token.bytes().all(|b| b.is_ascii_graphic()) => Err(invalid(
            "a string with a space, a control or a non-ASCII character",
        )),
        Some(Value::String(token)) => Ok(token.clone()),
        // never the value: even a malformed token may be a secret
        Some(other) => Err(invalid(kind(other))),
    }
}

fn token_type(object: &Map<String, Value>, url: &str) -> Result<String, TokenError> {
    match object.get("token_type") {
        None | Some(Value::Null) => Err(TokenError::MissingField {
            url: url.to_owned(),
            field: "token_type",
        }),
        // RFC 6749 §5.1: the value is case-insensitive ("Bearer", "bearer", "BEARER" all occur)
        Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => Ok(t.clone()),
        Some(Value::String(t)) => Err(TokenError::UnsupportedTokenType {
            url: url.to_owned(),
            found: clean(t),
        }),
        Some(other) => Err(TokenError::InvalidField {
            url: url.to_owned(),
            field: "token_type",
            expected: "the string `bearer`",
            found: kind(other).to_owned(),
        }),
    }
}

/// `expires_in`: a non-negative number of seconds up to [`MAX_EXPIRES_IN_SECS`], as a JSON number or a numeric
/// string (some platforms quote it); a fraction is dropped. Absent or `null` is `None`.
fn expires_in(value: Option<&Value>, url: &str) -> Result<Option<u64>, TokenError> {
    let invalid = |found: String| TokenError::InvalidField {
        url: url.to_owned(),
        field: "expires_in",
        expected: "a number of seconds from 0 to 31536000 (365 days)",
        found,
    };
    let secs = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => {
            seconds(n.as_u64(), n.as_f64()).ok_or_else(|| invalid(clip(&n.to_string())))?
        }
        Some(Value::String(s)) => {
            let t = s.trim();
            seconds(t.parse().ok(), t.parse().ok())
                .ok_or_else(|| invalid(format!("\"{}\"", clean(s))))?
        }
        Some(other) => return Err(invalid(kind(other).to_owned())),
    };
    if secs > MAX_EXPIRES_IN_SECS {
        return Err(invalid(secs.to_string()));
    }
    Ok(Some(secs))
}

/// Whole seconds from an integer reading or, failing that, a finite non-negative float reading.
fn seconds(int: Option<u64>, float: Option<f64>) -> Option<u64> {
    if let Some(secs) = int {
        return Some(secs);
    }
    let f = float.filter(|f| f.is_finite() && *f >= 0.0)?;
    if f > MAX_EXPIRES_IN_SECS as f64 {
        return None;
    }
    // ok: 0 <= f <= MAX_EXPIRES_IN_SECS, so the truncating cast is exact for the integer part
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(f as u64)
}

/// An RFC 6749 §5.2 error body: a JSON object with a string `error`.
fn oauth_error(body: &[u8]) -> Option<OAuthErrorBody> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(object) => oauth_error_from(&object),
        _ => None,
    }
}

fn oauth_error_from(object: &Map<String, Value>) -> Option<OAuthErrorBody> {
    let code = object.get("error")?.as_str()?;
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(|s| excerpt(s.as_bytes()).unwrap_or_default())
            .filter(|s| !s.is_empty())
    };
    Some(OAuthErrorBody {
        error: OAuthErrorCode::from_wire(&clean(code)),
        error_description: text("error_description"),
        error_uri: text("error_uri"),
    })
}

/// The start of a body or message, safe to put in an error: lossy UTF-8, control characters turned into
/// spaces and runs of spaces collapsed, token-like runs of [`SECRET_RUN`] or more characters cut out, clipped to
/// 100 characters. `None` when nothing visible is left.
pub(super) fn excerpt(body: &[u8]) -> Option<String> {
    // read more than is shown, so that a secret straddling the cut is still recognised
    let head = body.get(..EXCERPT_READ_BYTES).unwrap_or(body);
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= SECRET_RUN {
            out.push_str("[…]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=') {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out);
        let c = if c.is_control() { ' ' } else { c };
        if !(c == ' ' && (out.is_empty() || out.ends_with(' '))) {
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    let out = out.trim();
    (!out.is_empty()).then(|| clip(out))
}

/// A short peer-sent string for a message: control characters escaped, clipped.
fn clean(value: &str) -> String {
    clip(&value.escape_default().to_string())
}

/// A JSON value's type, for "found ..." (never the value itself).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CX: Context<'static> = Context {
        url: "https://lms.example/token",
        max_body_bytes: 64 * 1024,
    };

    fn ok(body: &str) -> Result<TokenResponse, TokenError> {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "application/json;charset=UTF-8".parse().unwrap(),
        );
        parse(http::StatusCode::OK, &headers, body.as_bytes(), CX)
    }

    #[test]
    fn json_content_types() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.x+json",
        ] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in ["text/html", "application/jsonp", "text/json", ""] {
            assert!(!is_json(ct), "{ct}");
        }
    }

    #[test]
    fn expires_in_as_number_string_float_or_absent() {
        let r = ok(r#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#).unwrap();
        assert_eq!(r.expires_in, Some(3600));
        let r = ok(r#"{"access_token":"t","token_type":"bearer","expires_in":"3600"}"#).unwrap();
        assert_eq!(r.expires_in, Some(3600));
        let r = ok(r#"{"access_token":"t","token_type":"BEARER","expires_in":3599.9}"#).unwrap();
        assert_eq!(r.expires_in, Some(3599));
        let r = ok(r#"{"access_token":"t","token_type":"bearer","expires_in":null}"#).unwrap();
        assert_eq!(r.expires_in, None);
        for bad in [
            r#"-1"#,
            r#""-1""#,
            "1e300",
            r#""soon""#,
            "true",
            "31536001",
            "18446744073709551616",
        ] {
            let body =
                format!(r#"{{"access_token":"t","token_type":"bearer","expires_in":{bad}}}"#);
            assert!(
                matches!(
                    ok(&body),
                    Err(TokenError::InvalidField {
                        field: "expires_in",
                        ..
                    })
                ),
                "{bad}: {:?}",
                ok(&body)
            );
        }
    }

    #[test]
    fn a_success_body_is_never_quoted() {
        for body in [
            r#"{"access_token":"SECRET-1","token_type":"mac"}"#,
            r#"{"access_token":"SECRET 1","token_type":"bearer"}"#,
            r#"{"access_token":"SECRET-1","token_type":"bearer","#,
            r#"access_token=SECRET-1&token_type=bearer"#,
            r#""SECRET-1""#,
        ] {
            let e = ok(body).unwrap_err();
            assert!(!e.to_string().contains("SECRET"), "{e}");
            assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
        }
    }

    #[test]
    fn error_in_a_200_is_a_refusal() {
        let e = ok(r#"{"error":"invalid_client","error_description":"bad kid"}"#).unwrap_err();
        assert!(
            matches!(e, TokenError::Refused { status: 200, ref error, .. }
            if error.error == OAuthErrorCode::InvalidClient)
        );
    }

    #[test]
    fn excerpts_cut_out_token_like_runs_and_controls() {
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.{}", "a".repeat(40), "b".repeat(40));
        let shown = excerpt(format!("bad assertion {jwt}\n\r\t here").as_bytes()).unwrap();
        assert_eq!(shown, "bad assertion […] here");
        assert_eq!(excerpt(b"  \n "), None);
        let long = excerpt("x ".repeat(500).as_bytes()).unwrap();
        assert!(long.chars().count() <= 101);
    }
}
