//! The `custom` claim [Core §5.4.6, App. B].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::Claim;
use crate::uri::claim;

/// Custom properties: `https://purl.imsglobal.org/spec/lti/claim/custom`, an object of string values
/// [Core §5.4.6].
///
/// Values are always strings on the wire. Reading is lenient in one way and strict in another:
/// - numbers and booleans (which some platforms send) are turned into their JSON text (`7`, `2.5`, `true`);
/// - `""` and unresolved variables such as `"$Context.id"` are kept as sent (checklist C42);
/// - `null`, arrays and objects are rejected, naming the key: the spec says `null` is not a valid value, and
///   guessing a string for it would hide a platform bug.
///
/// Values are written as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Custom(pub BTreeMap<String, String>);

impl Custom {
    /// No custom properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Whether `value` is an unresolved substitution variable (starts with `$`), which a platform sends when it
    /// does not support the variable [Core App. B].
    pub fn is_unresolved_variable(value: &str) -> bool {
        value.starts_with('$')
    }
}

impl Claim for Custom {
    const URI: &'static str = claim::CUSTOM;
}

impl<'de> Deserialize<'de> for Custom {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Custom;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Custom, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Bool(b) => b.to_string(),
                        serde_json::Value::Number(n) => n.to_string(),
                        serde_json::Value::Null => {
                            return Err(de::Error::custom(format!(
                                "custom property `{}` is null: expected a string",
                                crate::error::clip(&key)
                            )));
                        }
                        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                            return Err(de::Error::custom(format!(
                                "custom property `{}` is an array or object: expected a string",
                                crate::error::clip(&key)
                            )));
                        }
                    };
                    if out.insert(key, value).is_some() {
                        return Err(de::Error::custom("duplicate custom property"));
                    }
                }
                Ok(Custom(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}
