//! Platform side: reading the response form the browser posts to `deep_link_return_url` [DL §2.3].

use lti_security::DEFAULT_MAX_TOKEN_BYTES;

use crate::Error;
use crate::uri::JWT_FIELD;

/// The largest response form body accepted: the largest token plus room for the field name.
pub const MAX_RESPONSE_FORM_BYTES: usize = DEFAULT_MAX_TOKEN_BYTES + 1024;

/// The `JWT` field of an `application/x-www-form-urlencoded` body (checklist I87): present exactly once,
/// non-empty; other fields are ignored.
///
/// # Errors
/// [`Error::Form`] when the body is too large, or the field is missing, empty or repeated.
pub fn jwt_from_form(body: &[u8]) -> Result<String, Error> {
    if body.len() > MAX_RESPONSE_FORM_BYTES {
        return Err(Error::Form {
            reason: "body too large",
        });
    }
    let mut found = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        if name == JWT_FIELD {
            if found.is_some() {
                return Err(Error::Form {
                    reason: "field `JWT` is sent more than once",
                });
            }
            found = Some(value.into_owned());
        }
    }
    match found {
        Some(jwt) if !jwt.is_empty() => Ok(jwt),
        Some(_) => Err(Error::Form {
            reason: "field `JWT` is empty",
        }),
        None => Err(Error::Form {
            reason: "field `JWT` is missing",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c87_exactly_one_jwt_field() {
        assert_eq!(jwt_from_form(b"JWT=a.b.c&x=1").unwrap(), "a.b.c");
        assert!(jwt_from_form(b"JWT=a&JWT=b").is_err());
        assert!(jwt_from_form(b"jwt=a").is_err());
        assert!(jwt_from_form(b"JWT=").is_err());
        assert!(jwt_from_form(&vec![b'a'; MAX_RESPONSE_FORM_BYTES + 1]).is_err());
    }
}
