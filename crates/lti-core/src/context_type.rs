//! Context types of the `…/claim/context` `type` array [Core §5.4.1, App. A.1].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Prefix of the context type URIs [Core App. A.1].
pub const CONTEXT_TYPE_PREFIX: &str = "http://purl.imsglobal.org/vocab/lis/v2/course#";
/// Deprecated LTI 1.1 URN prefix of the context types [Core App. A.1].
pub const LEGACY_CONTEXT_TYPE_URN_PREFIX: &str = "urn:lti:context-type:ims/lis/";

/// The kind of a context [Core App. A.1].
///
/// Parses the full URI (MUST), and the deprecated simple name and `urn:lti:context-type:ims/lis/` forms (MAY);
/// anything else is kept verbatim as [`ContextType::Unknown`], never rejected [Core §3.5]. Serializes as the
/// canonical URI ([`as_uri`](Self::as_uri)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContextType {
    /// `…/course#CourseTemplate`: a course template.
    CourseTemplate,
    /// `…/course#CourseOffering`: a course offering (the course as taught in a term).
    CourseOffering,
    /// `…/course#CourseSection`: a section of an offering.
    CourseSection,
    /// `…/course#Group`: a group.
    Group,
    /// Any other string, verbatim.
    Unknown(String),
}

impl ContextType {
    /// The known types, in the order of the spec table.
    pub const KNOWN: [Self; 4] = [
        Self::CourseTemplate,
        Self::CourseOffering,
        Self::CourseSection,
        Self::Group,
    ];

    /// Parses a context type string; never fails.
    pub fn parse(raw: &str) -> Self {
        let name = raw
            .strip_prefix(CONTEXT_TYPE_PREFIX)
            .or_else(|| raw.strip_prefix(LEGACY_CONTEXT_TYPE_URN_PREFIX))
            .unwrap_or(raw);
        match name {
            "CourseTemplate" => Self::CourseTemplate,
            "CourseOffering" => Self::CourseOffering,
            "CourseSection" => Self::CourseSection,
            "Group" => Self::Group,
            _ => Self::Unknown(raw.to_owned()),
        }
    }

    /// The vocabulary name (`"CourseOffering"`), or `None` for an unknown type.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Self::CourseTemplate => Some("CourseTemplate"),
            Self::CourseOffering => Some("CourseOffering"),
            Self::CourseSection => Some("CourseSection"),
            Self::Group => Some("Group"),
            Self::Unknown(_) => None,
        }
    }

    /// The canonical URI (`http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering`), or the raw string of an
    /// unknown type.
    pub fn as_uri(&self) -> String {
        match (self.name(), self) {
            (Some(name), _) => format!("{CONTEXT_TYPE_PREFIX}{name}"),
            (None, Self::Unknown(raw)) => raw.clone(),
            (None, _) => String::new(),
        }
    }
}

impl fmt::Display for ContextType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_uri())
    }
}

impl From<&str> for ContextType {
    fn from(raw: &str) -> Self {
        Self::parse(raw)
    }
}

impl Serialize for ContextType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_uri())
    }
}

impl<'de> Deserialize<'de> for ContextType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Self::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_every_type_parses() {
        for ty in ContextType::KNOWN {
            let name = ty.name().unwrap();
            assert_eq!(ContextType::parse(&ty.as_uri()), ty);
            assert_eq!(ContextType::parse(name), ty);
            assert_eq!(
                ContextType::parse(&format!("{LEGACY_CONTEXT_TYPE_URN_PREFIX}{name}")),
                ty
            );
        }
    }

    #[test]
    fn unknown_types_are_kept_verbatim() {
        for raw in [
            "",
            "course",
            "http://example.com/type#Club",
            "http://purl.imsglobal.org/vocab/lis/v2/course#",
        ] {
            let ty = ContextType::parse(raw);
            assert_eq!(ty, ContextType::Unknown(raw.to_owned()));
            assert_eq!(ty.as_uri(), raw);
        }
    }

    #[test]
    fn serde_round_trip_uses_the_canonical_uri() {
        let types: Vec<ContextType> =
            serde_json::from_str(r#"["CourseSection","urn:lti:context-type:ims/lis/Group","x"]"#)
                .unwrap();
        assert_eq!(
            types,
            [
                ContextType::CourseSection,
                ContextType::Group,
                ContextType::Unknown("x".into())
            ]
        );
        let json = serde_json::to_string(&types).unwrap();
        assert_eq!(
            json,
            r#"["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection","http://purl.imsglobal.org/vocab/lis/v2/course#Group","x"]"#
        );
    }
}
