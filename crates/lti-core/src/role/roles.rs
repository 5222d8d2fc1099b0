//! The whole roles claim and the questions a tool asks of it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ContextRole, InstitutionRole, LtiSystemRole, Role, RoleKind, SystemRole};

/// The roles of the user in a launch (`https://purl.imsglobal.org/spec/lti/claim/roles`), in the order received
/// [Core §5.3.7].
///
/// On the wire a JSON array of strings; `[]` and `[""]` are valid (an anonymous or role-less launch,
/// [Core §5.3.7.1]) and unknown strings are kept. Serializes back to the raw strings.
///
/// # Helper semantics
/// The `is_*` helpers answer "should the tool treat the user as …" and are decided as follows:
/// * **Context roles win.** A context role (principal or sub-role) is what the user is *in this context*. The
///   institution roles `Faculty`/`Instructor`, `Student`/`Learner` and `Mentor` are only a fallback, used when the
///   claim holds no context role at all (a launch without a context, or a platform that sends only institution
///   roles). So a faculty member enrolled as a learner in a course is a learner there, not an instructor.
/// * [`is_instructor`](Self::is_instructor) is the `Instructor` principal or any of its sub-roles
///   (`TeachingAssistant`, `Grader`, ...). Context `Administrator` and `ContentDeveloper` do *not* count: ask
///   [`is_admin`](Self::is_admin) or [`is_content_developer`](Self::is_content_developer) as well when a tool
///   wants "staff".
/// * [`is_admin`](Self::is_admin) is any administrator in any vocabulary: system `Administrator` or `SysAdmin`,
///   institution `Administrator`, context `Administrator` or its sub-roles. System `AccountAdmin` is not included.
/// * `TestUser` is a marker beside a real role [Core App. A.2.4]; it changes no other answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(Vec<Role>);

impl Roles {
    /// Parses each string (never fails, see [`Role::parse`]).
    pub fn parse<I, S>(raw: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self(raw.into_iter().map(Role::parse).collect())
    }

    /// The roles in the order received.
    pub fn as_slice(&self) -> &[Role] {
        &self.0
    }

    /// Iterates over the roles in the order received.
    pub fn iter(&self) -> std::slice::Iter<'_, Role> {
        self.0.iter()
    }

    /// Number of entries (including `""` and unknown ones).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the claim is `[]`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The raw strings, in the order received.
    pub fn raw(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Role::raw)
    }

    /// Whether the claim contains `role` (compared as in [`Role`]'s `PartialEq`: short and full forms match).
    pub fn has(&self, role: &Role) -> bool {
        self.0.contains(role)
    }

    /// Context roles and sub-roles [Core App. A.2.3].
    pub fn context_roles(&self) -> impl Iterator<Item = &Role> {
        self.0.iter().filter(|r| r.context_principal().is_some())
    }

    /// Institution roles [Core App. A.2.2].
    pub fn institution_roles(&self) -> impl Iterator<Item = &Role> {
        self.0
            .iter()
            .filter(|r| matches!(r.kind(), RoleKind::Institution(_)))
    }

    /// System roles [Core App. A.2.1] (not the LTI `TestUser` marker, see [`is_test_user`](Self::is_test_user)).
    pub fn system_roles(&self) -> impl Iterator<Item = &Role> {
        self.0
            .iter()
            .filter(|r| matches!(r.kind(), RoleKind::System(_)))
    }

    /// Roles that were not recognised (including `""`), kept verbatim.
    pub fn unknown_roles(&self) -> impl Iterator<Item = &Role> {
        self.0.iter().filter(|r| r.is_unknown())
    }

    /// Instructor in the context (the principal or a sub-role), or, with no context role at all, institution
    /// `Faculty`/`Instructor`. See the type docs.
    pub fn is_instructor(&self) -> bool {
        self.context_or_institution(
            ContextRole::Instructor,
            &[InstitutionRole::Faculty, InstitutionRole::Instructor],
        )
    }

    /// Learner in the context (the principal or a sub-role), or, with no context role at all, institution
    /// `Student`/`Learner`. See the type docs.
    pub fn is_learner(&self) -> bool {
        self.context_or_institution(
            ContextRole::Learner,
            &[InstitutionRole::Student, InstitutionRole::Learner],
        )
    }

    /// Mentor in the context (the principal or a sub-role), or, with no context role at all, institution
    /// `Mentor`. See the type docs.
    pub fn is_mentor(&self) -> bool {
        self.context_or_institution(ContextRole::Mentor, &[InstitutionRole::Mentor])
    }

    /// Content developer in the context (the principal or a sub-role).
    pub fn is_content_developer(&self) -> bool {
        self.has_principal(ContextRole::ContentDeveloper)
    }

    /// An administrator in any vocabulary: system `Administrator`/`SysAdmin`, institution `Administrator`, context
    /// `Administrator` or its sub-roles.
    pub fn is_admin(&self) -> bool {
        self.has_principal(ContextRole::Administrator)
            || self.0.iter().any(|r| {
                matches!(
                    r.kind(),
                    RoleKind::System(SystemRole::Administrator | SystemRole::SysAdmin)
                        | RoleKind::Institution(InstitutionRole::Administrator)
                )
            })
    }

    /// Whether the platform marked the user as a test user (`…/lti/system/person#TestUser`) [Core App. A.2.4].
    pub fn is_test_user(&self) -> bool {
        self.0
            .iter()
            .any(|r| r.kind() == RoleKind::LtiSystem(LtiSystemRole::TestUser))
    }

    fn has_principal(&self, principal: ContextRole) -> bool {
        self.0
            .iter()
            .any(|r| r.context_principal() == Some(principal))
    }

    fn context_or_institution(&self, principal: ContextRole, fallback: &[InstitutionRole]) -> bool {
        if self.context_roles().next().is_some() {
            return self.has_principal(principal);
        }
        self.0
            .iter()
            .any(|r| matches!(r.kind(), RoleKind::Institution(i) if fallback.contains(&i)))
    }
}

impl<'a> IntoIterator for &'a Roles {
    type Item = &'a Role;
    type IntoIter = std::slice::Iter<'a, Role>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Roles {
    type Item = Role;
    type IntoIter = std::vec::IntoIter<Role>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<T: IntoIterator<Item = Role>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl From<Vec<Role>> for Roles {
    fn from(roles: Vec<Role>) -> Self {
        Self(roles)
    }
}

impl Serialize for Roles {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Role::raw))
    }
}

impl<'de> Deserialize<'de> for Roles {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<String>::deserialize(deserializer).map(Self::parse)
    }
}
