//! Roles: every vocabulary of Core App. A.2, short names, legacy URNs, unknown roles and the helper truth table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use lti_core::role::{
    CONTEXT_ROLE_PREFIX, CONTEXT_SUB_ROLE_PREFIX, ContextRole, ContextSubRole,
    DEPRECATED_PERSON_ROLE_PREFIX, INSTITUTION_ROLE_PREFIX, InstitutionRole,
    LTI_SYSTEM_ROLE_PREFIX, LtiSystemRole, Role, RoleKind, Roles, SYSTEM_ROLE_PREFIX, SubRole,
    SystemRole,
};

#[rustfmt::skip]
const SYSTEM: &[&str] = &["Administrator", "None", "AccountAdmin", "Creator", "SysAdmin", "SysSupport", "User"];
#[rustfmt::skip]
const INSTITUTION: &[&str] = &[
    "Administrator", "Faculty", "Guest", "None", "Other", "Staff", "Student",
    "Alumni", "Instructor", "Learner", "Member", "Mentor", "Observer", "ProspectiveStudent",
];
#[rustfmt::skip]
const CONTEXT: &[&str] = &[
    "Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member", "Officer",
];
/// The sub-role table of core.md §3.2, copied verbatim.
#[rustfmt::skip]
const SUB_ROLES: &[(&str, &[&str])] = &[
    ("Administrator", &["Administrator", "Developer", "ExternalDeveloper", "ExternalSupport",
        "ExternalSystemAdministrator", "Support", "SystemAdministrator"]),
    ("ContentDeveloper", &["ContentDeveloper", "ContentExpert", "ExternalContentExpert", "Librarian"]),
    ("Instructor", &["ExternalInstructor", "Grader", "GuestInstructor", "Lecturer", "PrimaryInstructor",
        "SecondaryInstructor", "TeachingAssistant", "TeachingAssistantGroup", "TeachingAssistantOffering",
        "TeachingAssistantSection", "TeachingAssistantSectionAssociation", "TeachingAssistantTemplate"]),
    ("Learner", &["ExternalLearner", "GuestLearner", "Instructor", "Learner", "NonCreditLearner"]),
    ("Manager", &["AreaManager", "CourseCoordinator", "ExternalObserver", "Manager", "Observer"]),
    ("Member", &["Member"]),
    ("Mentor", &["Advisor", "Auditor", "ExternalAdvisor", "ExternalAuditor", "ExternalLearningFacilitator",
        "ExternalMentor", "ExternalReviewer", "ExternalTutor", "LearningFacilitator", "Mentor", "Reviewer", "Tutor"]),
    ("Officer", &["Chair", "Communications", "Secretary", "Treasurer", "Vice-Chair"]),
];

fn round_trips(uri: &str) -> Role {
    let role = Role::parse(uri);
    assert!(!role.is_unknown(), "{uri} not recognised");
    assert_eq!(role.as_uri(), uri);
    assert_eq!(role.raw(), uri);
    assert_eq!(Role::from_kind(role.kind()).as_uri(), uri);
    role
}

#[test]
fn c44_every_system_role_round_trips() {
    for name in SYSTEM {
        let role = round_trips(&format!("{SYSTEM_ROLE_PREFIX}{name}"));
        assert_eq!(
            role.kind(),
            RoleKind::System(SystemRole::from_name(name).unwrap())
        );
    }
    assert_eq!(SystemRole::ALL.len(), SYSTEM.len());
}

#[test]
fn c44_every_institution_role_round_trips() {
    for name in INSTITUTION {
        let role = round_trips(&format!("{INSTITUTION_ROLE_PREFIX}{name}"));
        assert_eq!(
            role.kind(),
            RoleKind::Institution(InstitutionRole::from_name(name).unwrap())
        );
    }
    assert_eq!(InstitutionRole::ALL.len(), INSTITUTION.len());
}

#[test]
fn c44_every_context_role_round_trips() {
    for name in CONTEXT {
        let role = round_trips(&format!("{CONTEXT_ROLE_PREFIX}{name}"));
        assert_eq!(
            role.kind(),
            RoleKind::Context(ContextRole::from_name(name).unwrap())
        );
    }
    assert_eq!(ContextRole::ALL.len(), CONTEXT.len());
}

#[test]
fn c44_every_context_sub_role_round_trips_with_its_principal() {
    let mut count = 0;
    for (principal, subs) in SUB_ROLES {
        let p = ContextRole::from_name(principal).unwrap();
        assert_eq!(p.sub_roles().len(), subs.len(), "{principal}");
        for sub in *subs {
            let role = round_trips(&format!("{CONTEXT_SUB_ROLE_PREFIX}{principal}#{sub}"));
            let RoleKind::ContextSub(parsed) = role.kind() else {
                panic!("{principal}#{sub} is not a sub-role");
            };
            assert_eq!(parsed.principal(), p);
            assert_eq!(parsed.sub().name(), *sub);
            assert_eq!(role.context_principal(), Some(p));
            count += 1;
        }
    }
    assert_eq!(count, 51);
}

#[test]
fn c44_vice_chair_keeps_its_hyphen() {
    let role = round_trips("http://purl.imsglobal.org/vocab/lis/v2/membership/Officer#Vice-Chair");
    assert_eq!(
        role.kind(),
        RoleKind::ContextSub(
            ContextSubRole::new(ContextRole::Officer, SubRole::ViceChair).unwrap()
        )
    );
    assert!(SubRole::from_name("ViceChair").is_none());
}

#[test]
fn c44_sub_role_under_the_wrong_principal_is_unknown() {
    for raw in [
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Grader",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#Nope",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Nope#Grader",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor",
    ] {
        let role = Role::parse(raw);
        assert!(role.is_unknown(), "{raw}");
        assert_eq!(role.as_uri(), raw);
    }
    assert!(ContextSubRole::new(ContextRole::Learner, SubRole::Grader).is_none());
}

#[test]
fn c44_test_user_round_trips() {
    let role = round_trips(&format!("{LTI_SYSTEM_ROLE_PREFIX}TestUser"));
    assert_eq!(role.kind(), RoleKind::LtiSystem(LtiSystemRole::TestUser));
    assert_eq!(role, Role::test_user());
}

#[test]
fn deprecated_person_prefix_maps_to_the_current_uri() {
    for name in INSTITUTION {
        let role = Role::parse(format!("{DEPRECATED_PERSON_ROLE_PREFIX}{name}"));
        assert_eq!(role.as_uri(), format!("{INSTITUTION_ROLE_PREFIX}{name}"));
    }
    for name in ["AccountAdmin", "Creator", "SysAdmin", "SysSupport", "User"] {
        let role = Role::parse(format!("{DEPRECATED_PERSON_ROLE_PREFIX}{name}"));
        assert_eq!(role.as_uri(), format!("{SYSTEM_ROLE_PREFIX}{name}"));
    }
    let raw = "http://purl.imsglobal.org/vocab/lis/v2/person#Student";
    assert_eq!(Role::parse(raw).raw(), raw);
}

#[test]
fn c37_short_role_maps_to_membership() {
    for name in CONTEXT {
        let role = Role::parse(*name);
        assert_eq!(
            role.as_uri(),
            format!("http://purl.imsglobal.org/vocab/lis/v2/membership#{name}")
        );
        assert_eq!(role.raw(), *name);
        assert_eq!(role, Role::parse(format!("{CONTEXT_ROLE_PREFIX}{name}")));
    }
    let roles: Roles = serde_json::from_str(r#"["Instructor"]"#).unwrap();
    assert!(roles.is_instructor());
    let roles: Roles = serde_json::from_str(r#"["Learner"]"#).unwrap();
    assert!(roles.is_learner());
    // Short names are context roles only: institution-only names stay unknown.
    assert!(Role::parse("Faculty").is_unknown());
    assert!(Role::parse("instructor").is_unknown());
}

#[test]
fn legacy_lti11_urns_map_to_lti13_roles() {
    let cases = [
        (
            "urn:lti:role:ims/lis/Instructor",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        ),
        (
            "urn:lti:role:ims/lis/Learner",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
        ),
        (
            "urn:lti:role:ims/lis/Instructor/TeachingAssistant",
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        ),
        (
            "urn:lti:role:ims/lis/TeachingAssistant",
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        ),
        (
            "urn:lti:role:ims/lis/Learner/NonCreditLearner",
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#NonCreditLearner",
        ),
        (
            "urn:lti:sysrole:ims/lis/SysAdmin",
            "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
        ),
        (
            "urn:lti:sysrole:ims/lis/Administrator",
            "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        ),
        (
            "urn:lti:instrole:ims/lis/Faculty",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
        ),
        (
            "urn:lti:instrole:ims/lis/Student",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
        ),
    ];
    for (urn, uri) in cases {
        let role = Role::parse(urn);
        assert_eq!(role.as_uri(), uri, "{urn}");
        assert_eq!(role.raw(), urn);
    }
    assert!(Role::parse("urn:lti:role:ims/lis/Nope").is_unknown());
    assert!(Role::parse("urn:lti:role:ims/lis/Learner/Grader").is_unknown());
}

#[test]
fn c36_empty_and_no_roles_are_accepted() {
    let roles: Roles = serde_json::from_str("[]").unwrap();
    assert!(roles.is_empty());
    assert!(!roles.is_instructor() && !roles.is_learner() && !roles.is_admin());
    let roles: Roles = serde_json::from_str(r#"[""]"#).unwrap();
    assert_eq!(roles.len(), 1);
    assert!(roles.as_slice()[0].is_unknown());
    assert_eq!(roles.as_slice()[0].raw(), "");
    assert!(!roles.is_instructor() && !roles.is_learner());
}

#[test]
fn c38_unknown_roles_are_kept_verbatim_beside_known_ones() {
    let json = r#"["http://example.com/role#Wizard","http://purl.imsglobal.org/vocab/lis/v2/membership#Learner","Wizard",""]"#;
    let roles: Roles = serde_json::from_str(json).unwrap();
    assert_eq!(roles.len(), 4);
    assert!(roles.is_learner());
    let unknown: Vec<&str> = roles.unknown_roles().map(Role::raw).collect();
    assert_eq!(unknown, ["http://example.com/role#Wizard", "Wizard", ""]);
    assert_eq!(Role::parse("Wizard").as_uri(), "Wizard");
    // Raw order and text survive a round trip.
    assert_eq!(serde_json::to_string(&roles).unwrap(), json);
    let only_unknown: Roles =
        serde_json::from_str(r#"["http://example.com/role#Wizard"]"#).unwrap();
    assert!(!only_unknown.is_learner() && !only_unknown.is_instructor());
}

#[test]
fn roles_must_be_an_array_of_strings() {
    assert!(serde_json::from_str::<Roles>(r#""Instructor""#).is_err());
    assert!(serde_json::from_str::<Roles>("[1]").is_err());
}

#[test]
fn has_compares_short_and_full_forms() {
    let roles = Roles::parse(["Instructor", "x"]);
    assert!(roles.has(&Role::context(ContextRole::Instructor)));
    assert!(roles.has(&Role::parse(
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
    )));
    assert!(roles.has(&Role::parse("x")));
    assert!(!roles.has(&Role::parse("y")));
    assert!(!roles.has(&Role::institution(InstitutionRole::Instructor)));
}

#[test]
fn vocabulary_filters() {
    let roles = Roles::parse([
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#User",
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Staff",
        "Learner",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#GuestLearner",
        "http://purl.imsglobal.org/vocab/lti/system/person#TestUser",
    ]);
    assert_eq!(roles.system_roles().count(), 1);
    assert_eq!(roles.institution_roles().count(), 1);
    assert_eq!(roles.context_roles().count(), 2);
    assert_eq!(roles.unknown_roles().count(), 0);
}

/// Expected answers as letters: i = instructor, l = learner, a = admin, m = mentor, d = content developer,
/// t = test user.
#[rustfmt::skip]
const TRUTH_TABLE: &[(&[&str], &str)] = &[
    (&["membership#Instructor"], "i"),
    (&["Instructor"], "i"),
    (&["urn:lti:role:ims/lis/Instructor"], "i"),
    (&["membership/Instructor#TeachingAssistant"], "i"),
    (&["membership/Instructor#Grader"], "i"),
    (&["membership#Learner"], "l"),
    (&["membership/Learner#Instructor"], "l"),
    (&["membership#Mentor"], "m"),
    (&["membership/Mentor#Tutor"], "m"),
    (&["membership#ContentDeveloper"], "d"),
    (&["membership/ContentDeveloper#Librarian"], "d"),
    (&["membership#Administrator"], "a"),
    (&["membership/Administrator#Support"], "a"),
    (&["system/person#Administrator"], "a"),
    (&["system/person#SysAdmin"], "a"),
    (&["system/person#AccountAdmin"], ""),
    (&["institution/person#Administrator"], "a"),
    // Institution roles are a fallback only when no context role is present.
    (&["institution/person#Faculty"], "i"),
    (&["institution/person#Instructor"], "i"),
    (&["institution/person#Student"], "l"),
    (&["institution/person#Learner"], "l"),
    (&["institution/person#Mentor"], "m"),
    (&["institution/person#Faculty", "membership#Learner"], "l"),
    (&["institution/person#Student", "membership#Instructor"], "i"),
    (&["institution/person#Faculty", "institution/person#Administrator", "membership#Learner"], "la"),
    (&["membership#Learner", "membership#Instructor"], "il"),
    (&["membership#Learner", "TestUser"], "lt"),
    (&["TestUser"], "t"),
    (&["http://example.com/role#Wizard"], ""),
    (&[""], ""),
    (&[], ""),
];

fn expand(short: &str) -> String {
    match short {
        "TestUser" => format!("{LTI_SYSTEM_ROLE_PREFIX}TestUser"),
        s if s.starts_with("membership")
            || s.starts_with("system/")
            || s.starts_with("institution/") =>
        {
            format!("http://purl.imsglobal.org/vocab/lis/v2/{s}")
        }
        s => s.to_owned(),
    }
}

#[test]
fn c44_helper_truth_table() {
    for (raw, want) in TRUTH_TABLE {
        let roles = Roles::parse(raw.iter().map(|r| expand(r)));
        let got: String = [
            ('i', roles.is_instructor()),
            ('l', roles.is_learner()),
            ('a', roles.is_admin()),
            ('m', roles.is_mentor()),
            ('d', roles.is_content_developer()),
            ('t', roles.is_test_user()),
        ]
        .iter()
        .filter(|(_, yes)| *yes)
        .map(|(c, _)| *c)
        .collect();
        assert_eq!(got, *want, "{raw:?}");
    }
}

#[test]
fn roles_parse_from_the_raw_claim_strings() {
    let raw: Vec<String> = vec!["Learner".into(), "x".into()];
    let roles = Roles::parse(&raw);
    assert!(roles.is_learner());
    assert_eq!(roles.raw().collect::<Vec<_>>(), ["Learner", "x"]);
}
