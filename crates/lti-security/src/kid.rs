//! The key id newtype.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A JWK key id (`kid`, [RFC 7517 §4.5]): an opaque, case-sensitive string compared exactly.
///
/// [RFC 7517 §4.5]: https://www.rfc-editor.org/rfc/rfc7517#section-4.5
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kid(String);

impl Kid {
    /// Wraps `kid`.
    pub fn new(kid: impl Into<String>) -> Self {
        Self(kid.into())
    }

    /// The key id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({:?})", self.0)
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Kid {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for Kid {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl AsRef<str> for Kid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
