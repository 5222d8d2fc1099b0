//! Custom-property variable substitution, platform side [Core §5.4.6, App. B] (checklist E62).
//!
//! A custom value that is exactly `$Name` asks the platform to substitute the variable `Name` at launch time:
//! - supported (and the tool is authorised to see it) with a value → the value;
//! - supported but without a value for this launch → `""`;
//! - unsupported or not authorised → the value is sent **unchanged** (`"$Name"`), which tells the tool so.
//!
//! A [`VariableSource`] answers for one launch. [`MessageVariables`] answers every variable that can be read
//! from the message itself (user, person, context, resource link, message, platform, membership), honouring the
//! registration's privacy settings; a platform adds its own (`Person.sourcedId`, `CourseSection.*`, vendor
//! variables such as `$com.example.Term.id`) with [`MessageVariables::with`].

use std::collections::BTreeMap;

use crate::claims::Custom;
use crate::message::LtiMessage;

/// Answers variable names (without the `$`) for one launch.
pub trait VariableSource {
    /// `Some(value)` for a supported, authorised variable (`Some("")` when it has no value for this launch);
    /// `None` for an unsupported or unauthorised one, which is then sent unchanged.
    fn resolve(&self, name: &str) -> Option<String>;
}

impl VariableSource for BTreeMap<String, String> {
    fn resolve(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Substitutes every custom value that is exactly `$Name` with `source`'s answer for `Name`, leaving unsupported
/// variables and every other value unchanged. Returns how many values were substituted.
pub fn substitute(custom: &mut Custom, source: &dyn VariableSource) -> usize {
    let mut substituted = 0;
    for value in custom.0.values_mut() {
        let Some(name) = value.strip_prefix('$') else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if let Some(resolved) = source.resolve(name) {
            *value = resolved;
            substituted += 1;
        }
    }
    substituted
}

/// The variables readable from a launch's own message [Core App. B.1–B.4, B.9–B.11], plus the platform's
/// additions.
///
/// Supported: `User.id`, `User.scope.mentor`, `Person.name.full`, `Person.name.given`, `Person.name.family`,
/// `Person.name.middle`, `Person.email.primary`, `Context.id`, `Context.type`, `Context.label`, `Context.title`,
/// `ResourceLink.id`, `ResourceLink.title`, `ResourceLink.description`, `Membership.role`, `Message.locale`,
/// `Message.returnUrl`, `Message.documentTarget`, `Message.height`, `Message.width`,
/// `ToolPlatform.productFamilyCode`, `ToolPlatform.version`, `ToolPlatformInstance.guid`,
/// `ToolPlatformInstance.name`, `ToolPlatformInstance.description`, `ToolPlatformInstance.url`,
/// `ToolPlatformInstance.contactEmail`. Lists are comma separated. The `Person.name.*` variables are supported
/// only when the tool may receive names, `Person.email.primary` only when it may receive the email: otherwise
/// they stay unchanged, as for an unauthorised tool.
#[derive(Debug, Clone)]
pub struct MessageVariables<'a> {
    message: &'a LtiMessage,
    include_name: bool,
    include_email: bool,
    extra: BTreeMap<String, String>,
}

impl<'a> MessageVariables<'a> {
    /// The variables of `message`, with the tool's privacy settings.
    pub fn new(message: &'a LtiMessage, include_name: bool, include_email: bool) -> Self {
        Self {
            message,
            include_name,
            include_email,
            extra: BTreeMap::new(),
        }
    }

    /// Adds (or overrides) a variable the platform supports, e.g. `("Person.sourcedId", "sis-42")`.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    fn read_message(&self, name: &str) -> Option<String> {
        let m = self.message;
        let text = |v: Option<&str>| Some(v.unwrap_or_default().to_owned());
        let context = m.context.as_ref();
        let link = m.resource_link.as_ref();
        let presentation = m.launch_presentation.as_ref();
        let platform = m.tool_platform.as_ref();
        match name {
            "User.id" => text(m.sub.as_ref().map(|v| v.as_str())),
            "User.scope.mentor" => Some(
                m.role_scope_mentor
                    .as_ref()
                    .map(|s| s.0.iter().map(|u| u.as_str()).collect::<Vec<_>>().join(","))
                    .unwrap_or_default(),
            ),
            "Person.name.full" if self.include_name => text(m.name.as_deref()),
            "Person.name.given" if self.include_name => text(m.given_name.as_deref()),
            "Person.name.family" if self.include_name => text(m.family_name.as_deref()),
            "Person.name.middle" if self.include_name => text(m.middle_name.as_deref()),
            "Person.email.primary" if self.include_email => text(m.email.as_deref()),
            "Context.id" => text(context.and_then(|c| c.id.as_ref()).map(|v| v.as_str())),
            "Context.type" => Some(
                context
                    .map(|c| c.context_type.join(","))
                    .unwrap_or_default(),
            ),
            "Context.label" => text(context.and_then(|c| c.label.as_deref())),
            "Context.title" => text(context.and_then(|c| c.title.as_deref())),
            "ResourceLink.id" => text(link.and_then(|l| l.id.as_ref()).map(|v| v.as_str())),
            "ResourceLink.title" => text(link.and_then(|l| l.title.as_deref())),
            "ResourceLink.description" => text(link.and_then(|l| l.description.as_deref())),
            "Membership.role" => Some(m.roles.as_deref().unwrap_or_default().join(",")),
            "Message.locale" => text(
                presentation
                    .and_then(|p| p.locale.as_deref())
                    .or(m.locale.as_deref()),
            ),
            "Message.returnUrl" => text(presentation.and_then(|p| p.return_url.as_deref())),
            "Message.documentTarget" => text(
                presentation
                    .and_then(|p| p.document_target.as_ref())
                    .map(|t| t.as_str()),
            ),
            "Message.height" => Some(
                presentation
                    .and_then(|p| p.height)
                    .map(|h| h.to_string())
                    .unwrap_or_default(),
            ),
            "Message.width" => Some(
                presentation
                    .and_then(|p| p.width)
                    .map(|w| w.to_string())
                    .unwrap_or_default(),
            ),
            "ToolPlatform.productFamilyCode" => {
                text(platform.and_then(|p| p.product_family_code.as_deref()))
            }
            "ToolPlatform.version" => text(platform.and_then(|p| p.version.as_deref())),
            "ToolPlatformInstance.guid" => {
                text(platform.and_then(|p| p.guid.as_ref()).map(|g| g.as_str()))
            }
            "ToolPlatformInstance.name" => text(platform.and_then(|p| p.name.as_deref())),
            "ToolPlatformInstance.description" => {
                text(platform.and_then(|p| p.description.as_deref()))
            }
            "ToolPlatformInstance.url" => text(platform.and_then(|p| p.url.as_deref())),
            "ToolPlatformInstance.contactEmail" => {
                text(platform.and_then(|p| p.contact_email.as_deref()))
            }
            _ => None,
        }
    }
}

impl VariableSource for MessageVariables<'_> {
    fn resolve(&self, name: &str) -> Option<String> {
        self.extra
            .get(name)
            .cloned()
            .or_else(|| self.read_message(name))
    }
}
