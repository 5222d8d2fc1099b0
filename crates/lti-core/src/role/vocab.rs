//! The role vocabularies of LTI Core 1.3 Appendix A.2, as typed enums with their exact spellings.

/// Defines a vocabulary enum with `ALL`, `name()` and `from_name()`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every name of the vocabulary, in the order of the spec table.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The name exactly as the spec spells it (the URI fragment).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// The variant with this exact (case-sensitive) name, if any.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

vocabulary!(
    /// System roles, prefix [`SYSTEM_ROLE_PREFIX`](super::SYSTEM_ROLE_PREFIX) [Core App. A.2.1].
    SystemRole {
        /// Core: `Administrator`.
        Administrator => "Administrator",
        /// Core: `None`.
        None => "None",
        /// Non-core: `AccountAdmin`.
        AccountAdmin => "AccountAdmin",
        /// Non-core: `Creator`.
        Creator => "Creator",
        /// Non-core: `SysAdmin`.
        SysAdmin => "SysAdmin",
        /// Non-core: `SysSupport`.
        SysSupport => "SysSupport",
        /// Non-core: `User`.
        User => "User",
    }
);

vocabulary!(
    /// Institution roles, prefix [`INSTITUTION_ROLE_PREFIX`](super::INSTITUTION_ROLE_PREFIX) [Core App. A.2.2].
    InstitutionRole {
        /// Core: `Administrator`.
        Administrator => "Administrator",
        /// Core: `Faculty`.
        Faculty => "Faculty",
        /// Core: `Guest`.
        Guest => "Guest",
        /// Core: `None`.
        None => "None",
        /// Core: `Other`.
        Other => "Other",
        /// Core: `Staff`.
        Staff => "Staff",
        /// Core: `Student`.
        Student => "Student",
        /// Non-core: `Alumni`.
        Alumni => "Alumni",
        /// Non-core: `Instructor`.
        Instructor => "Instructor",
        /// Non-core: `Learner`.
        Learner => "Learner",
        /// Non-core: `Member`.
        Member => "Member",
        /// Non-core: `Mentor`.
        Mentor => "Mentor",
        /// Non-core: `Observer`.
        Observer => "Observer",
        /// Non-core: `ProspectiveStudent`.
        ProspectiveStudent => "ProspectiveStudent",
    }
);

vocabulary!(
    /// Context (membership) roles, prefix [`CONTEXT_ROLE_PREFIX`](super::CONTEXT_ROLE_PREFIX) [Core App. A.2.3].
    /// They are also the principals of the context sub-roles [Core App. A.2.3.1].
    ContextRole {
        /// Core: `Administrator`.
        Administrator => "Administrator",
        /// Core: `ContentDeveloper`.
        ContentDeveloper => "ContentDeveloper",
        /// Core: `Instructor`.
        Instructor => "Instructor",
        /// Core: `Learner`.
        Learner => "Learner",
        /// Core: `Mentor`.
        Mentor => "Mentor",
        /// Non-core: `Manager`.
        Manager => "Manager",
        /// Non-core: `Member`.
        Member => "Member",
        /// Non-core: `Officer`.
        Officer => "Officer",
    }
);

vocabulary!(
    /// Every context sub-role name of [Core App. A.2.3.1], across all principals. Which names belong to which
    /// principal is [`ContextRole::sub_roles`].
    SubRole {
        /// `Administrator#Administrator`.
        Administrator => "Administrator",
        /// `Administrator#Developer`.
        Developer => "Developer",
        /// `Administrator#ExternalDeveloper`.
        ExternalDeveloper => "ExternalDeveloper",
        /// `Administrator#ExternalSupport`.
        ExternalSupport => "ExternalSupport",
        /// `Administrator#ExternalSystemAdministrator`.
        ExternalSystemAdministrator => "ExternalSystemAdministrator",
        /// `Administrator#Support`.
        Support => "Support",
        /// `Administrator#SystemAdministrator`.
        SystemAdministrator => "SystemAdministrator",
        /// `ContentDeveloper#ContentDeveloper`.
        ContentDeveloper => "ContentDeveloper",
        /// `ContentDeveloper#ContentExpert`.
        ContentExpert => "ContentExpert",
        /// `ContentDeveloper#ExternalContentExpert`.
        ExternalContentExpert => "ExternalContentExpert",
        /// `ContentDeveloper#Librarian`.
        Librarian => "Librarian",
        /// `Instructor#ExternalInstructor`.
        ExternalInstructor => "ExternalInstructor",
        /// `Instructor#Grader`.
        Grader => "Grader",
        /// `Instructor#GuestInstructor`.
        GuestInstructor => "GuestInstructor",
        /// `Instructor#Lecturer`.
        Lecturer => "Lecturer",
        /// `Instructor#PrimaryInstructor`.
        PrimaryInstructor => "PrimaryInstructor",
        /// `Instructor#SecondaryInstructor`.
        SecondaryInstructor => "SecondaryInstructor",
        /// `Instructor#TeachingAssistant`.
        TeachingAssistant => "TeachingAssistant",
        /// `Instructor#TeachingAssistantGroup`.
        TeachingAssistantGroup => "TeachingAssistantGroup",
        /// `Instructor#TeachingAssistantOffering`.
        TeachingAssistantOffering => "TeachingAssistantOffering",
        /// `Instructor#TeachingAssistantSection`.
        TeachingAssistantSection => "TeachingAssistantSection",
        /// `Instructor#TeachingAssistantSectionAssociation`.
        TeachingAssistantSectionAssociation => "TeachingAssistantSectionAssociation",
        /// `Instructor#TeachingAssistantTemplate`.
        TeachingAssistantTemplate => "TeachingAssistantTemplate",
        /// `Learner#ExternalLearner`.
        ExternalLearner => "ExternalLearner",
        /// `Learner#GuestLearner`.
        GuestLearner => "GuestLearner",
        /// `Learner#Instructor`.
        Instructor => "Instructor",
        /// `Learner#Learner`.
        Learner => "Learner",
        /// `Learner#NonCreditLearner`.
        NonCreditLearner => "NonCreditLearner",
        /// `Manager#AreaManager`.
        AreaManager => "AreaManager",
        /// `Manager#CourseCoordinator`.
        CourseCoordinator => "CourseCoordinator",
        /// `Manager#ExternalObserver`.
        ExternalObserver => "ExternalObserver",
        /// `Manager#Manager`.
        Manager => "Manager",
        /// `Manager#Observer`.
        Observer => "Observer",
        /// `Member#Member`.
        Member => "Member",
        /// `Mentor#Advisor`.
        Advisor => "Advisor",
        /// `Mentor#Auditor`.
        Auditor => "Auditor",
        /// `Mentor#ExternalAdvisor`.
        ExternalAdvisor => "ExternalAdvisor",
        /// `Mentor#ExternalAuditor`.
        ExternalAuditor => "ExternalAuditor",
        /// `Mentor#ExternalLearningFacilitator`.
        ExternalLearningFacilitator => "ExternalLearningFacilitator",
        /// `Mentor#ExternalMentor`.
        ExternalMentor => "ExternalMentor",
        /// `Mentor#ExternalReviewer`.
        ExternalReviewer => "ExternalReviewer",
        /// `Mentor#ExternalTutor`.
        ExternalTutor => "ExternalTutor",
        /// `Mentor#LearningFacilitator`.
        LearningFacilitator => "LearningFacilitator",
        /// `Mentor#Mentor`.
        Mentor => "Mentor",
        /// `Mentor#Reviewer`.
        Reviewer => "Reviewer",
        /// `Mentor#Tutor`.
        Tutor => "Tutor",
        /// `Officer#Chair`.
        Chair => "Chair",
        /// `Officer#Communications`.
        Communications => "Communications",
        /// `Officer#Secretary`.
        Secretary => "Secretary",
        /// `Officer#Treasurer`.
        Treasurer => "Treasurer",
        /// `Officer#Vice-Chair` (the spec spells it with a hyphen).
        ViceChair => "Vice-Chair",
    }
);

impl ContextRole {
    /// The sub-roles defined under this principal [Core App. A.2.3.1], in the order of the spec table.
    pub const fn sub_roles(self) -> &'static [SubRole] {
        use SubRole as S;
        match self {
            Self::Administrator => &[
                S::Administrator,
                S::Developer,
                S::ExternalDeveloper,
                S::ExternalSupport,
                S::ExternalSystemAdministrator,
                S::Support,
                S::SystemAdministrator,
            ],
            Self::ContentDeveloper => &[
                S::ContentDeveloper,
                S::ContentExpert,
                S::ExternalContentExpert,
                S::Librarian,
            ],
            Self::Instructor => &[
                S::ExternalInstructor,
                S::Grader,
                S::GuestInstructor,
                S::Lecturer,
                S::PrimaryInstructor,
                S::SecondaryInstructor,
                S::TeachingAssistant,
                S::TeachingAssistantGroup,
                S::TeachingAssistantOffering,
                S::TeachingAssistantSection,
                S::TeachingAssistantSectionAssociation,
                S::TeachingAssistantTemplate,
            ],
            Self::Learner => &[
                S::ExternalLearner,
                S::GuestLearner,
                S::Instructor,
                S::Learner,
                S::NonCreditLearner,
            ],
            Self::Manager => &[
                S::AreaManager,
                S::CourseCoordinator,
                S::ExternalObserver,
                S::Manager,
                S::Observer,
            ],
            Self::Member => &[S::Member],
            Self::Mentor => &[
                S::Advisor,
                S::Auditor,
                S::ExternalAdvisor,
                S::ExternalAuditor,
                S::ExternalLearningFacilitator,
                S::ExternalMentor,
                S::ExternalReviewer,
                S::ExternalTutor,
                S::LearningFacilitator,
                S::Mentor,
                S::Reviewer,
                S::Tutor,
            ],
            Self::Officer => &[
                S::Chair,
                S::Communications,
                S::Secretary,
                S::Treasurer,
                S::ViceChair,
            ],
        }
    }
}

/// A context sub-role: a principal context role and one of the sub-roles the spec lists under it
/// (`…/membership/{Principal}#{SubRole}`) [Core App. A.2.3.1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContextSubRole {
    principal: ContextRole,
    sub: SubRole,
}

impl ContextSubRole {
    /// The pair, when the spec lists `sub` under `principal` (`Instructor#TeachingAssistant` yes,
    /// `Learner#Grader` no).
    pub fn new(principal: ContextRole, sub: SubRole) -> Option<Self> {
        principal
            .sub_roles()
            .contains(&sub)
            .then_some(Self { principal, sub })
    }

    /// The principal role (`Instructor` in `membership/Instructor#TeachingAssistant`).
    pub const fn principal(self) -> ContextRole {
        self.principal
    }

    /// The sub-role (`TeachingAssistant` in `membership/Instructor#TeachingAssistant`).
    pub const fn sub(self) -> SubRole {
        self.sub
    }
}

vocabulary!(
    /// LTI system roles, prefix [`LTI_SYSTEM_ROLE_PREFIX`](super::LTI_SYSTEM_ROLE_PREFIX) [Core App. A.2.4].
    LtiSystemRole {
        /// `TestUser`: a platform-created test or preview user ("student view"), sent beside a real role.
        TestUser => "TestUser",
    }
);
