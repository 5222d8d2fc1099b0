//! The `context` claim [Core §5.4.1].

use serde::{Deserialize, Deserializer, Serialize};

use serde_json::{Map, Value};

use super::Claim;
use crate::ContextId;
use crate::context_type::ContextType;
use crate::uri::claim;

/// The context (course offering, section, group) of the launch:
/// `https://purl.imsglobal.org/spec/lti/claim/context` [Core §5.4.1]. Optional: a launch without it is valid
/// (checklist C39).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Context {
    /// The context id: required within the claim, ≤ 255 chars, unique per deployment [Core §5.4.1]. Optional
    /// here so the rules report [`Error::ContextIdMissing`](crate::Error::ContextIdMissing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ContextId>,
    /// Context type URIs (e.g. `http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering`) [Core App. A.1].
    /// Kept as sent (a lone string is read as a one-element array); `crate::context_type` parses them.
    #[serde(
        default,
        rename = "type",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub context_type: Vec<String>,
    /// Short label, such as a course code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Full title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Members not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Context {
    /// A context with only its `id`.
    pub fn new(id: ContextId) -> Self {
        Self {
            id: Some(id),
            ..Self::default()
        }
    }
}

impl Context {
    /// The context types parsed ([`ContextType`]: full URIs, deprecated short names and URNs, unknown kept).
    pub fn types(&self) -> Vec<ContextType> {
        self.context_type
            .iter()
            .map(|t| ContextType::parse(t))
            .collect()
    }
}

impl Claim for Context {
    const URI: &'static str = claim::CONTEXT;
}

/// Reads a string array, accepting a lone string (seen from some platforms) as one element.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}
