//! Roles of the `…/claim/roles` claim [Core §5.3.7, App. A.2].
//!
//! A [`Role`] is parsed leniently: full URIs of every vocabulary, the deprecated `…/lis/v2/person#` prefix, the short
//! context names real platforms send (`"Instructor"`), the LTI 1.1 URNs (`urn:lti:role:ims/lis/…`,
//! `urn:lti:sysrole:ims/lis/…`, `urn:lti:instrole:ims/lis/…`), and anything else kept verbatim as
//! [`RoleKind::Unknown`]. Parsing never fails: receivers MUST NOT reject roles they do not understand
//! [Core §5.3.7; Cert §6.1.2 "Unknown Role", "No Role"]. The string as received is kept ([`Role::raw`]); the
//! canonical full URI is [`Role::as_uri`].
//!
//! [`Roles`] is the whole claim with the questions a tool asks (`is_instructor()`, `is_learner()`, ...).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod roles;
mod vocab;

pub use roles::Roles;
pub use vocab::{ContextRole, ContextSubRole, InstitutionRole, LtiSystemRole, SubRole, SystemRole};

/// Prefix of the system roles [Core App. A.2.1].
pub const SYSTEM_ROLE_PREFIX: &str = "http://purl.imsglobal.org/vocab/lis/v2/system/person#";
/// Prefix of the institution roles [Core App. A.2.2].
pub const INSTITUTION_ROLE_PREFIX: &str =
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#";
/// Deprecated prefix shared by system and institution roles (no `system/` or `institution/`) [Core App. A.2.1,
/// A.2.2].
pub const DEPRECATED_PERSON_ROLE_PREFIX: &str = "http://purl.imsglobal.org/vocab/lis/v2/person#";
/// Prefix of the context (membership) roles [Core App. A.2.3].
pub const CONTEXT_ROLE_PREFIX: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#";
/// Prefix of the context sub-roles, followed by `{Principal}#{SubRole}` [Core App. A.2.3.1].
pub const CONTEXT_SUB_ROLE_PREFIX: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership/";
/// Prefix of the LTI system roles (`TestUser`) [Core App. A.2.4].
pub const LTI_SYSTEM_ROLE_PREFIX: &str = "http://purl.imsglobal.org/vocab/lti/system/person#";
/// LTI 1.1 context role URN prefix, followed by `{Role}` or `{Role}/{SubRole}` [LTI 1.1 App. A.2.2].
pub const LEGACY_CONTEXT_ROLE_URN_PREFIX: &str = "urn:lti:role:ims/lis/";
/// LTI 1.1 system role URN prefix [LTI 1.1 App. A.2.1].
pub const LEGACY_SYSTEM_ROLE_URN_PREFIX: &str = "urn:lti:sysrole:ims/lis/";
/// LTI 1.1 institution role URN prefix [LTI 1.1 App. A.2.1].
pub const LEGACY_INSTITUTION_ROLE_URN_PREFIX: &str = "urn:lti:instrole:ims/lis/";

/// What a role string was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoleKind {
    /// A system role [Core App. A.2.1].
    System(SystemRole),
    /// An institution role [Core App. A.2.2].
    Institution(InstitutionRole),
    /// A context (membership) role, also from a short name or an LTI 1.1 URN [Core App. A.2.3].
    Context(ContextRole),
    /// A context sub-role [Core App. A.2.3.1].
    ContextSub(ContextSubRole),
    /// An LTI system role (`TestUser`) [Core App. A.2.4].
    LtiSystem(LtiSystemRole),
    /// Anything else, including `""`; [`Role::raw`] holds it verbatim [Core §5.3.7].
    Unknown,
}

/// One entry of the roles claim: the string as received and what it was recognised as.
///
/// Equality compares the recognised role, so `"Instructor"` equals
/// `"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"`; unknown roles compare by their raw string.
/// Serializes as the raw string.
#[derive(Clone)]
pub struct Role {
    raw: String,
    kind: RoleKind,
}

impl Role {
    /// Parses a role string; never fails (unknown strings become [`RoleKind::Unknown`]).
    ///
    /// The deprecated `…/lis/v2/person#{Name}` prefix is ambiguous between system and institution roles: a name of
    /// the institution list (which includes `Administrator` and `None`) is read as an institution role, a name
    /// only the system list has (`SysAdmin`, `AccountAdmin`, ...) as a system role.
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let kind = recognise(&raw);
        Self { raw, kind }
    }

    /// The role from its kind, with the canonical URI as raw string. `RoleKind::Unknown` gives `""`.
    pub fn from_kind(kind: RoleKind) -> Self {
        let raw = canonical_uri(kind).unwrap_or_default();
        Self { raw, kind }
    }

    /// A context role (canonical URI as raw string).
    pub fn context(role: ContextRole) -> Self {
        Self::from_kind(RoleKind::Context(role))
    }

    /// A context sub-role (canonical URI as raw string).
    pub fn context_sub(role: ContextSubRole) -> Self {
        Self::from_kind(RoleKind::ContextSub(role))
    }

    /// An institution role (canonical URI as raw string).
    pub fn institution(role: InstitutionRole) -> Self {
        Self::from_kind(RoleKind::Institution(role))
    }

    /// A system role (canonical URI as raw string).
    pub fn system(role: SystemRole) -> Self {
        Self::from_kind(RoleKind::System(role))
    }

    /// The LTI `TestUser` marker role [Core App. A.2.4].
    pub fn test_user() -> Self {
        Self::from_kind(RoleKind::LtiSystem(LtiSystemRole::TestUser))
    }

    /// What the string was recognised as.
    pub fn kind(&self) -> RoleKind {
        self.kind
    }

    /// The string exactly as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The canonical full URI (current prefix, never the deprecated or short form); the raw string for an unknown
    /// role.
    pub fn as_uri(&self) -> String {
        canonical_uri(self.kind).unwrap_or_else(|| self.raw.clone())
    }

    /// Whether the role is unknown (kept verbatim).
    pub fn is_unknown(&self) -> bool {
        self.kind == RoleKind::Unknown
    }

    /// The principal context role of a context role or sub-role.
    pub fn context_principal(&self) -> Option<ContextRole> {
        match self.kind {
            RoleKind::Context(role) => Some(role),
            RoleKind::ContextSub(sub) => Some(sub.principal()),
            _ => None,
        }
    }
}

/// The canonical URI of a known kind.
fn canonical_uri(kind: RoleKind) -> Option<String> {
    Some(match kind {
        RoleKind::System(r) => format!("{SYSTEM_ROLE_PREFIX}{}", r.name()),
        RoleKind::Institution(r) => format!("{INSTITUTION_ROLE_PREFIX}{}", r.name()),
        RoleKind::Context(r) => format!("{CONTEXT_ROLE_PREFIX}{}", r.name()),
        RoleKind::ContextSub(s) => format!(
            "{CONTEXT_SUB_ROLE_PREFIX}{}#{}",
            s.principal().name(),
            s.sub().name()
        ),
        RoleKind::LtiSystem(r) => format!("{LTI_SYSTEM_ROLE_PREFIX}{}", r.name()),
        RoleKind::Unknown => return None,
    })
}

/// Recognises a role string (see [`Role::parse`]).
fn recognise(raw: &str) -> RoleKind {
    recognise_known(raw).unwrap_or(RoleKind::Unknown)
}

fn recognise_known(raw: &str) -> Option<RoleKind> {
    if let Some(name) = raw.strip_prefix(SYSTEM_ROLE_PREFIX) {
        return SystemRole::from_name(name).map(RoleKind::System);
    }
    if let Some(name) = raw.strip_prefix(INSTITUTION_ROLE_PREFIX) {
        return InstitutionRole::from_name(name).map(RoleKind::Institution);
    }
    if let Some(name) = raw.strip_prefix(DEPRECATED_PERSON_ROLE_PREFIX) {
        return InstitutionRole::from_name(name)
            .map(RoleKind::Institution)
            .or_else(|| SystemRole::from_name(name).map(RoleKind::System));
    }
    if let Some(name) = raw.strip_prefix(CONTEXT_ROLE_PREFIX) {
        return ContextRole::from_name(name).map(RoleKind::Context);
    }
    if let Some(rest) = raw.strip_prefix(CONTEXT_SUB_ROLE_PREFIX) {
        let (principal, sub) = rest.split_once('#')?;
        return sub_role(principal, sub);
    }
    if let Some(name) = raw.strip_prefix(LTI_SYSTEM_ROLE_PREFIX) {
        return LtiSystemRole::from_name(name).map(RoleKind::LtiSystem);
    }
    if let Some(rest) = raw.strip_prefix(LEGACY_CONTEXT_ROLE_URN_PREFIX) {
        return legacy_context_role(rest);
    }
    if let Some(name) = raw.strip_prefix(LEGACY_SYSTEM_ROLE_URN_PREFIX) {
        return SystemRole::from_name(name).map(RoleKind::System);
    }
    if let Some(name) = raw.strip_prefix(LEGACY_INSTITUTION_ROLE_URN_PREFIX) {
        return InstitutionRole::from_name(name).map(RoleKind::Institution);
    }
    // Deprecated simple names are context roles only [Core App. A.2.3].
    ContextRole::from_name(raw).map(RoleKind::Context)
}

fn sub_role(principal: &str, sub: &str) -> Option<RoleKind> {
    let principal = ContextRole::from_name(principal)?;
    let sub = SubRole::from_name(sub)?;
    ContextSubRole::new(principal, sub).map(RoleKind::ContextSub)
}

/// `urn:lti:role:ims/lis/{Role}` or `…/{Role}/{SubRole}`. LTI 1.1 also listed `TeachingAssistant` as a role of its
/// own; it is read as `Instructor#TeachingAssistant`, its place in the LTI 1.3 vocabulary.
fn legacy_context_role(rest: &str) -> Option<RoleKind> {
    match rest.split_once('/') {
        Some((principal, sub)) => sub_role(principal, sub),
        None if rest == SubRole::TeachingAssistant.name() => {
            ContextSubRole::new(ContextRole::Instructor, SubRole::TeachingAssistant)
                .map(RoleKind::ContextSub)
        }
        None => ContextRole::from_name(rest).map(RoleKind::Context),
    }
}

impl PartialEq for Role {
    fn eq(&self, other: &Self) -> bool {
        match (self.kind, other.kind) {
            (RoleKind::Unknown, RoleKind::Unknown) => self.raw == other.raw,
            (a, b) => a == b,
        }
    }
}

impl Eq for Role {}

impl std::hash::Hash for Role {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        if self.kind == RoleKind::Unknown {
            self.raw.hash(state);
        }
    }
}

impl fmt::Debug for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Role")
            .field("raw", &self.raw)
            .field("kind", &self.kind)
            .finish()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl From<&str> for Role {
    fn from(raw: &str) -> Self {
        Self::parse(raw)
    }
}

impl From<String> for Role {
    fn from(raw: String) -> Self {
        Self::parse(raw)
    }
}

impl From<ContextRole> for Role {
    fn from(role: ContextRole) -> Self {
        Self::context(role)
    }
}

impl From<ContextSubRole> for Role {
    fn from(role: ContextSubRole) -> Self {
        Self::context_sub(role)
    }
}

impl From<InstitutionRole> for Role {
    fn from(role: InstitutionRole) -> Self {
        Self::institution(role)
    }
}

impl From<SystemRole> for Role {
    fn from(role: SystemRole) -> Self {
        Self::system(role)
    }
}

impl From<LtiSystemRole> for Role {
    fn from(role: LtiSystemRole) -> Self {
        Self::from_kind(RoleKind::LtiSystem(role))
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::parse)
    }
}
