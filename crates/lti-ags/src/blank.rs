//! Serde helpers for members that may come as absent, `null` or blank, all meaning "no value" [AGS §3.2.10,
//! §3.2.11, §3.2.12, §3.4.11].

use serde::{Deserialize, Deserializer};

use crate::Timestamp;

/// `null`, `""` and whitespace-only read as `None`.
pub(crate) fn string<'de, D: Deserializer<'de>, T: From<String>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.trim().is_empty()).map(T::from))
}

/// `null`, `""` and whitespace-only read as `None`; anything else must be an RFC 3339 timestamp.
pub(crate) fn timestamp<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    match value.filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(text) => Timestamp::parse(&text)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}
