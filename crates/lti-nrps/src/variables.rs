//! [`MemberVariables`]: the custom-parameter variables of one member's launch of a resource link, for the
//! `message` section of an `rlid` answer [NRPS §3.5; Core App. B].

use lti_core::variables::VariableSource;

use crate::{ContainerContext, Member, Privacy, ResourceLinkRecord};

/// Resolves `$User.*`, `$Person.*`, `$Context.*`, `$ResourceLink.*` and `$Membership.role` for one member, as
/// that member's own launch of the link would [NRPS §3.5].
///
/// The `Person.name.*` variables resolve only with [`Privacy::include_name`], `Person.email.primary` only with
/// [`Privacy::include_email`]; otherwise they stay unsubstituted (`"$Person.name.given"`), which tells the tool
/// it may not have them [Core App. B].
#[derive(Debug, Clone, Copy)]
pub struct MemberVariables<'a> {
    member: &'a Member,
    context: &'a ContainerContext,
    link: &'a ResourceLinkRecord,
    privacy: Privacy,
}

impl<'a> MemberVariables<'a> {
    /// The variables of `member` launching `link` in `context`.
    pub fn new(
        member: &'a Member,
        context: &'a ContainerContext,
        link: &'a ResourceLinkRecord,
        privacy: Privacy,
    ) -> Self {
        Self {
            member,
            context,
            link,
            privacy,
        }
    }
}

impl VariableSource for MemberVariables<'_> {
    fn resolve(&self, name: &str) -> Option<String> {
        let m = self.member;
        let text = |v: Option<&str>| Some(v.unwrap_or_default().to_owned());
        let name_ok = self.privacy.include_name;
        match name {
            "User.id" => Some(m.user_id.as_str().to_owned()),
            "Person.sourcedId" => text(m.lis_person_sourcedid.as_deref()),
            "Person.name.full" if name_ok => text(m.name.as_deref()),
            "Person.name.given" if name_ok => text(m.given_name.as_deref()),
            "Person.name.family" if name_ok => text(m.family_name.as_deref()),
            "Person.name.middle" if name_ok => text(m.middle_name.as_deref()),
            "Person.email.primary" if self.privacy.include_email => text(m.email.as_deref()),
            "Membership.role" => Some(m.roles.raw().collect::<Vec<_>>().join(",")),
            "Context.id" => Some(self.context.id.as_str().to_owned()),
            "Context.label" => text(self.context.label.as_deref()),
            "Context.title" => text(self.context.title.as_deref()),
            "ResourceLink.id" => Some(self.link.id.as_str().to_owned()),
            "ResourceLink.title" => text(self.link.title.as_deref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use lti_core::claims::Custom;
    use lti_core::variables::substitute;

    use super::*;

    #[test]
    fn member_variables_follow_the_privacy_flags() {
        let member = Member::new("u1", [lti_core::Role::parse("Learner")])
            .with_names("Jane Public", "Jane", "Public")
            .with_email("jane@example.edu");
        let context = ContainerContext::new("c1").with_label("CPS 435");
        let link = ResourceLinkRecord::new("rl1", "tool");
        let mut custom = Custom::new();
        for (k, v) in [
            ("uid", "$User.id"),
            ("given", "$Person.name.given"),
            ("mail", "$Person.email.primary"),
            ("label", "$Context.label"),
            ("role", "$Membership.role"),
            ("other", "$Unknown.var"),
            ("plain", "Canada"),
        ] {
            custom.0.insert(k.into(), v.into());
        }
        let mut shared = custom.clone();
        substitute(
            &mut shared,
            &MemberVariables::new(&member, &context, &link, Privacy::new(true, false)),
        );
        assert_eq!(shared.get("uid"), Some("u1"));
        assert_eq!(shared.get("given"), Some("Jane"));
        assert_eq!(shared.get("mail"), Some("$Person.email.primary"));
        assert_eq!(shared.get("label"), Some("CPS 435"));
        assert_eq!(shared.get("role"), Some("Learner"));
        assert_eq!(shared.get("other"), Some("$Unknown.var"));
        assert_eq!(shared.get("plain"), Some("Canada"));
        let mut anonymous = custom;
        substitute(
            &mut anonymous,
            &MemberVariables::new(&member, &context, &link, Privacy::anonymous()),
        );
        assert_eq!(anonymous.get("given"), Some("$Person.name.given"));
    }
}
