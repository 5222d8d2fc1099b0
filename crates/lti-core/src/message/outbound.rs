//! The rules a platform must meet in a message it sends (checklist E57, E60, E61, E63): the tool side is
//! liberal about these, the sending side is strict, so the same rules live here for every sender (the platform
//! facade, a custom platform, a test harness).

use serde_json::Value;
use url::Url;

use super::LtiMessage;
use crate::error::{Error, clip};
use crate::registration::url_rules::is_loopback;
use crate::role::ContextRole;
use crate::uri::claim;

/// The longest JSON pointer an error names.
const MAX_PATH: usize = 200;

/// Checks an outgoing `message` against the sender's rules, in this order:
/// 1. `role_scope_mentor` only with the context role `membership#Mentor` (E61) [Core §5.4.3];
/// 2. `sub`, `deployment_id`, `resource_link.id`, `context.id` and `tool_platform.guid` are 1–255 ASCII
///    characters (E57) [Core §5.3.3, §5.3.5, §5.3.6, §5.4.1, §5.4.2];
/// 3. service URLs (AGS `lineitems`/`lineitem`, NRPS `context_memberships_url`, the deep linking return URL)
///    are absolute `https` URLs (`http` only to a loopback host, for development) with no template placeholder
///    left (`{…}`) (E63) [Core §6.1];
/// 4. no string anywhere in the message (claims, members, array items, custom values) has leading or trailing
///    whitespace (E60).
///
/// The required-claim rules of the message type are separate: [`validate_lti_claims`](super::validate_lti_claims).
///
/// # Errors
/// The first rule broken: [`Error::MentorScopeWithoutMentor`], [`Error::IdentifierInvalid`],
/// [`Error::ServiceUrlInvalid`], [`Error::SurroundingWhitespace`].
pub fn check_outbound(message: &LtiMessage) -> Result<(), Error> {
    if message.role_scope_mentor.is_some()
        && !message
            .typed_roles()
            .iter()
            .any(|r| r.context_principal() == Some(ContextRole::Mentor))
    {
        return Err(Error::MentorScopeWithoutMentor);
    }
    let ids = [
        ("sub", message.sub.as_ref().map(|v| v.as_str())),
        (
            claim::DEPLOYMENT_ID,
            message.deployment_id.as_ref().map(|v| v.as_str()),
        ),
        (
            "https://purl.imsglobal.org/spec/lti/claim/resource_link#id",
            message
                .resource_link
                .as_ref()
                .and_then(|l| l.id.as_ref())
                .map(|v| v.as_str()),
        ),
        (
            "https://purl.imsglobal.org/spec/lti/claim/context#id",
            message
                .context
                .as_ref()
                .and_then(|c| c.id.as_ref())
                .map(|v| v.as_str()),
        ),
        (
            "https://purl.imsglobal.org/spec/lti/claim/tool_platform#guid",
            message
                .tool_platform
                .as_ref()
                .and_then(|p| p.guid.as_ref())
                .map(|v| v.as_str()),
        ),
    ];
    for (claim, value) in ids {
        if let Some(value) = value
            && (value.is_empty() || value.len() > crate::MAX_ID_LEN || !value.is_ascii())
        {
            return Err(Error::IdentifierInvalid {
                claim,
                len: value.len(),
                ascii: value.is_ascii(),
            });
        }
    }
    let json = serde_json::to_value(message).map_err(|e| Error::Malformed {
        reason: clip(&e.to_string()),
    })?;
    check_service_urls(&json)?;
    let mut path = String::new();
    check_whitespace(&json, &mut path)
}

/// The service URLs a message may carry: (claim, member, name in errors).
const SERVICE_URLS: [(&str, &str, &str); 4] = [
    (
        claim::AGS_ENDPOINT,
        "lineitems",
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint#lineitems",
    ),
    (
        claim::AGS_ENDPOINT,
        "lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint#lineitem",
    ),
    (
        claim::NRPS,
        "context_memberships_url",
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice#context_memberships_url",
    ),
    (
        claim::DEEP_LINKING_SETTINGS,
        "deep_link_return_url",
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings#deep_link_return_url",
    ),
];

fn check_service_urls(json: &Value) -> Result<(), Error> {
    for (claim_uri, member, name) in SERVICE_URLS {
        let Some(value) = json.get(claim_uri).and_then(|c| c.get(member)) else {
            continue;
        };
        let invalid = |expected| Error::ServiceUrlInvalid {
            claim: name,
            expected,
            found: clip(&value.to_string()),
        };
        let text = value.as_str().ok_or_else(|| invalid("a string"))?;
        if text.contains(['{', '}']) {
            return Err(invalid("a resolved URL, not a template"));
        }
        let url = Url::parse(text).map_err(|_| invalid("an absolute URL"))?;
        match url.scheme() {
            "https" if url.host().is_some() => {}
            "http" if is_loopback(&url) => {}
            _ => return Err(invalid("an https URL (http only to localhost)")),
        }
    }
    Ok(())
}

/// Rejects any string with leading or trailing whitespace, anywhere in `value`.
fn check_whitespace(value: &Value, path: &mut String) -> Result<(), Error> {
    match value {
        Value::String(s) if s.trim() != s => Err(Error::SurroundingWhitespace {
            path: if path.is_empty() {
                "/".to_owned()
            } else {
                path.chars().take(MAX_PATH).collect()
            },
            found: clip(s),
        }),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                check_whitespace(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('/');
                // JSON pointer escaping [RFC 6901 §3].
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_whitespace(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
