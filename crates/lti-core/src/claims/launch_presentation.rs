//! The `launch_presentation` claim [Core §5.4.4].

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::Claim;
use crate::uri::claim;

/// How the platform shows the tool: `https://purl.imsglobal.org/spec/lti/claim/launch_presentation`
/// [Core §5.4.4].
///
/// `height` and `width` are read leniently: a JSON number or a numeric string (`"320"`); any other string (such
/// as `"100%"`) is ignored (read as absent), since these are display hints only. Whole values are written as JSON integers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LaunchPresentation {
    /// Where the tool is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_target: Option<DocumentTarget>,
    /// Height of the window or frame, in pixels.
    #[serde(
        default,
        deserialize_with = "lenient_number",
        serialize_with = "whole_as_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<f64>,
    /// Width of the window or frame, in pixels.
    #[serde(
        default,
        deserialize_with = "lenient_number",
        serialize_with = "whole_as_integer",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<f64>,
    /// Where to send the user when done; accepts `lti_errormsg`, `lti_msg`, `lti_errorlog`, `lti_log` query
    /// parameters [Core §5.4.4].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// The user's locale (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LaunchPresentation {
    /// An empty `launch_presentation` claim (fill the fields you have).
    pub fn new() -> Self {
        Self::default()
    }
}

impl Claim for LaunchPresentation {
    const URI: &'static str = claim::LAUNCH_PRESENTATION;
}

/// `launch_presentation.document_target` [Core §5.4.4]. Unknown values are kept in [`Other`](Self::Other).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentTarget {
    /// `frame`.
    Frame,
    /// `iframe`.
    Iframe,
    /// `window`.
    Window,
    /// Any other value, as sent.
    Other(String),
}

impl DocumentTarget {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Frame => "frame",
            Self::Iframe => "iframe",
            Self::Window => "window",
            Self::Other(other) => other,
        }
    }
}

impl From<&str> for DocumentTarget {
    fn from(value: &str) -> Self {
        match value {
            "frame" => Self::Frame,
            "iframe" => Self::Iframe,
            "window" => Self::Window,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl Serialize for DocumentTarget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DocumentTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(Self::from(value.as_str()))
    }
}

/// Writes whole numbers as JSON integers (`320`, not `320.0`), others as floats.
#[allow(clippy::ref_option)] // ok: the signature serde's `serialize_with` calls
fn whole_as_integer<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ok: whole, in range
        Some(v) if v.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(v) => {
            serializer.serialize_u64(*v as u64)
        }
        Some(v) => serializer.serialize_f64(*v),
        None => serializer.serialize_none(),
    }
}

/// A number, a numeric string, or (ignored) any other string or `null`.
fn lenient_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number or a numeric string")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            #[allow(clippy::cast_precision_loss)] // ok: pixel sizes; precision loss only above 2^53
            Ok(Some(v as f64))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            #[allow(clippy::cast_precision_loss)] // ok: as above
            Ok(Some(v as f64))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(v.is_finite().then_some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(V)
}
