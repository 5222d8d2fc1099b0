//! The membership container: the body of every NRPS answer [NRPS §2.1, §2.2].

use lti_core::ContextId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Member;

/// The context a membership container is about [NRPS §2.2]: `id` is required, `label` and `title` optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerContext {
    /// The context id, as in the launch's `…/claim/context` `id`.
    pub id: ContextId,
    /// Short label (e.g. a course code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Full title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Members of the object this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ContainerContext {
    /// A context with only its id.
    pub fn new(id: impl Into<ContextId>) -> Self {
        Self {
            id: id.into(),
            label: None,
            title: None,
            extra: Map::new(),
        }
    }

    /// Sets the label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// `application/vnd.ims.lti-nrps.v2.membershipcontainer+json`: one page of a context's (or a resource link's)
/// membership [NRPS §2.1] (checklist N125).
///
/// A platform always writes `id`; a tool reads a container without one (some platforms leave it out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MembershipContainer {
    /// The URL of this (possibly filtered) container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The context [NRPS §2.2].
    pub context: ContainerContext,
    /// The members of this page.
    #[serde(default)]
    pub members: Vec<Member>,
    /// Members of the object this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MembershipContainer {
    /// A container for `context` with `members`.
    pub fn new(id: impl Into<String>, context: ContainerContext, members: Vec<Member>) -> Self {
        Self {
            id: Some(id.into()),
            context,
            members,
            extra: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemberStatus;

    /// The example of NRPS §2.1 (spec/nrps.md §4).
    #[test]
    fn c125_spec_example_parses() {
        let json = r#"{
          "id": "https://lms.example.com/sections/2923/memberships",
          "context": {"id": "2923-abc", "label": "CPS 435", "title": "CPS 435 Learning Analytics"},
          "members": [
            {"status": "Active", "name": "Jane Q. Public", "given_name": "Jane", "family_name": "Doe",
             "email": "jane@platform.example.edu", "user_id": "0ae836b9-7fc9-4060-006f-27b2066ac545",
             "lis_person_sourcedid": "59254-6782-12ab",
             "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]}
          ]
        }"#;
        let c: MembershipContainer = serde_json::from_str(json).unwrap();
        assert_eq!(c.context.id, "2923-abc");
        assert_eq!(c.context.label.as_deref(), Some("CPS 435"));
        let m = &c.members[0];
        assert_eq!(m.user_id, "0ae836b9-7fc9-4060-006f-27b2066ac545");
        assert_eq!(m.status, MemberStatus::Active);
        assert!(m.roles.is_instructor());
        assert_eq!(m.lis_person_sourcedid.as_deref(), Some("59254-6782-12ab"));
    }

    #[test]
    fn c125_context_id_is_required() {
        assert!(
            serde_json::from_str::<MembershipContainer>(r#"{"context":{},"members":[]}"#).is_err()
        );
        assert!(serde_json::from_str::<MembershipContainer>(r#"{"members":[]}"#).is_err());
        let c: MembershipContainer = serde_json::from_str(r#"{"context":{"id":"c"}}"#).unwrap();
        assert!(c.members.is_empty() && c.id.is_none());
    }
}
