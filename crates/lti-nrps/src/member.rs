//! One member of a membership container and its status [NRPS §2.2, §2.3, §3.2].

use std::fmt;

use lti_core::{Role, Roles, UserId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A member's status in the context [NRPS §2.3].
///
/// Absent on the wire means [`Active`](Self::Active) (checklist M123). [`Deleted`](Self::Deleted) appears only
/// in a differences answer, for a member who left (checklist N128). A value outside the vocabulary is kept as
/// [`Other`](Self::Other): receivers do not reject what they do not know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MemberStatus {
    /// A current member (the default).
    #[default]
    Active,
    /// Still enrolled but not active (e.g. a suspended enrolment).
    Inactive,
    /// No longer a member: only in a differences answer [NRPS §2.4.3].
    Deleted,
    /// Any other value, verbatim.
    Other(String),
}

impl MemberStatus {
    /// The status as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Deleted => "Deleted",
            Self::Other(other) => other,
        }
    }

    /// Reads a wire value; never fails.
    pub fn from_wire(value: &str) -> Self {
        match value {
            "Active" => Self::Active,
            "Inactive" => Self::Inactive,
            "Deleted" => Self::Deleted,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MemberStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MemberStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_wire(&value))
    }
}

/// A `status` that is `null` reads as absent, hence `Active`.
fn status_or_default<'de, D: Deserializer<'de>>(deserializer: D) -> Result<MemberStatus, D::Error> {
    Option::<MemberStatus>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// One member of a context (or resource link) [NRPS §2.2].
///
/// `user_id` and `roles` are what a tool can rely on; every personal field is optional and present only when
/// the platform has the user's consent and the tool is allowed to see it (checklist M123). Roles go through
/// `lti-core`'s role parser: short context names (`"Learner"`), full URIs and unknown strings are all kept, and
/// [`Roles`] answers the usual questions (`is_learner()`, ...). Unknown members of the object are kept in
/// [`extra`](Self::extra) and written back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Member {
    /// The user's id: the same value as `sub` in this user's launches [NRPS §2.2].
    pub user_id: UserId,
    /// The member's roles in the context [NRPS §2.2]. A missing `roles` reads as none.
    #[serde(default)]
    pub roles: Roles,
    /// `Active` when absent [NRPS §2.3].
    #[serde(default, deserialize_with = "status_or_default")]
    pub status: MemberStatus,
    /// Full name (privacy: name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given name (privacy: name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name (privacy: name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Middle name (privacy: name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Email address (privacy: email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// URL of a profile picture (privacy: name, as it identifies the person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// The LIS person sourcedId (the institution's SIS id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lis_person_sourcedid: Option<String>,
    /// The user id this user had in LTI 1.1 launches, for migrations [NRPS §3, example; Migr].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lti11_legacy_user_id: Option<String>,
    /// Only in an `rlid` answer: what this member's launch of that link would carry, as LTI 1.3 claims keyed by
    /// claim URI; each has `…/claim/message_type` = `LtiResourceLinkRequest` [NRPS §3.2, §3.6.2.1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Vec<Map<String, Value>>>,
    /// Members of the object this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Member {
    /// An active member with `roles` and nothing else.
    pub fn new(user_id: impl Into<UserId>, roles: impl IntoIterator<Item = Role>) -> Self {
        Self {
            user_id: user_id.into(),
            roles: roles.into_iter().collect(),
            status: MemberStatus::Active,
            name: None,
            given_name: None,
            family_name: None,
            middle_name: None,
            email: None,
            picture: None,
            lis_person_sourcedid: None,
            lti11_legacy_user_id: None,
            message: None,
            extra: Map::new(),
        }
    }

    /// Sets the status.
    #[must_use]
    pub fn with_status(mut self, status: MemberStatus) -> Self {
        self.status = status;
        self
    }

    /// Sets the full, given and family names.
    #[must_use]
    pub fn with_names(
        mut self,
        name: impl Into<String>,
        given_name: impl Into<String>,
        family_name: impl Into<String>,
    ) -> Self {
        self.name = Some(name.into());
        self.given_name = Some(given_name.into());
        self.family_name = Some(family_name.into());
        self
    }

    /// Sets the email address.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the LTI 1.1 user id.
    #[must_use]
    pub fn with_lti11_legacy_user_id(mut self, id: impl Into<String>) -> Self {
        self.lti11_legacy_user_id = Some(id.into());
        self
    }

    /// Sets the LIS person sourcedId.
    #[must_use]
    pub fn with_lis_person_sourcedid(mut self, id: impl Into<String>) -> Self {
        self.lis_person_sourcedid = Some(id.into());
        self
    }

    /// Whether the member has `role` (short and full forms of a context role match, as in [`Role`]'s
    /// equality) [NRPS §2.4.1].
    pub fn has_role(&self, role: &Role) -> bool {
        self.roles.has(role)
    }

    /// Whether the member is [`Active`](MemberStatus::Active).
    pub fn is_active(&self) -> bool {
        self.status == MemberStatus::Active
    }

    /// Whether the member left (a differences answer) [NRPS §2.4.3].
    pub fn is_deleted(&self) -> bool {
        self.status == MemberStatus::Deleted
    }

    /// Drops the fields the tool may not see: names and picture unless `include_name`, email unless
    /// `include_email` [NRPS §2.2; Core §5.4 privacy].
    pub fn redact(&mut self, include_name: bool, include_email: bool) {
        if !include_name {
            self.name = None;
            self.given_name = None;
            self.family_name = None;
            self.middle_name = None;
            self.picture = None;
        }
        if !include_email {
            self.email = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use lti_core::role::ContextRole;

    use super::*;

    #[test]
    fn c123_missing_status_is_active_and_pii_may_be_absent() {
        let m: Member = serde_json::from_str(r#"{"user_id":"u1","roles":["Learner"]}"#).unwrap();
        assert_eq!(m.status, MemberStatus::Active);
        assert!(m.name.is_none() && m.email.is_none() && m.picture.is_none());
        assert!(m.has_role(&Role::context(ContextRole::Learner)));
        let m: Member =
            serde_json::from_str(r#"{"user_id":"u1","roles":[],"status":null}"#).unwrap();
        assert!(m.is_active());
    }

    #[test]
    fn statuses_round_trip_and_unknown_values_are_kept() {
        for (wire, status) in [
            ("Active", MemberStatus::Active),
            ("Inactive", MemberStatus::Inactive),
            ("Deleted", MemberStatus::Deleted),
            ("Suspended", MemberStatus::Other("Suspended".into())),
        ] {
            let json = format!(r#"{{"user_id":"u","roles":[],"status":"{wire}"}}"#);
            let m: Member = serde_json::from_str(&json).unwrap();
            assert_eq!(m.status, status);
            assert_eq!(serde_json::to_value(&m).unwrap()["status"], wire);
        }
    }

    #[test]
    fn unknown_members_and_the_message_section_round_trip() {
        let json = serde_json::json!({
            "user_id": "u", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
            "lti11_legacy_user_id": "668321221-2879",
            "x-vendor": {"a": 1},
            "message": [{"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest"}]
        });
        let m: Member = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(m.lti11_legacy_user_id.as_deref(), Some("668321221-2879"));
        assert_eq!(m.extra["x-vendor"]["a"], 1);
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(back["x-vendor"], json["x-vendor"]);
        assert_eq!(back["message"], json["message"]);
        assert_eq!(back["roles"], json["roles"]);
    }

    #[test]
    fn a_member_without_user_id_or_with_wrong_types_is_refused() {
        assert!(serde_json::from_str::<Member>(r#"{"roles":[]}"#).is_err());
        assert!(serde_json::from_str::<Member>(r#"{"user_id":5,"roles":[]}"#).is_err());
        assert!(serde_json::from_str::<Member>(r#"{"user_id":"u","roles":"Learner"}"#).is_err());
    }

    #[test]
    fn redact_follows_the_two_privacy_flags() {
        let full = Member::new("u", [])
            .with_names("Jane Q. Public", "Jane", "Public")
            .with_email("jane@example.edu");
        let mut m = full.clone();
        m.redact(false, true);
        assert!(m.name.is_none() && m.given_name.is_none() && m.family_name.is_none());
        assert_eq!(m.email.as_deref(), Some("jane@example.edu"));
        let mut m = full.clone();
        m.redact(true, false);
        assert_eq!(m.name.as_deref(), Some("Jane Q. Public"));
        assert!(m.email.is_none());
        let mut m = full;
        m.redact(true, true);
        assert!(m.name.is_some() && m.email.is_some());
    }
}
