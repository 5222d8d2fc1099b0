//! The launch report: everything the diagnostics page shows, as JSON embedded in the page
//! (`<script type="application/json" id="lti-launch-report">`) so scripts and other implementations can read
//! the outcome of every step.

use lti_core::RoleKind;
use lti_core::message::LtiMessage;
use lti_tool::{Launch, LaunchError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `id` of the `<script type="application/json">` element holding the report.
pub const LAUNCH_REPORT_ID: &str = "lti-launch-report";

/// What happened in one launch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchReport {
    /// Whether the launch was accepted.
    pub ok: bool,
    /// The launch's id at this tool (service buttons and `GET /launches/{id}`); `None` for a refused launch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_id: Option<String>,
    /// Why it was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
    /// `LtiResourceLinkRequest`, `LtiDeepLinkingRequest`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// The platform's issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The tool's client id there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The user (`sub`); absent for an anonymous launch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The roles, typed.
    #[serde(default)]
    pub roles: Vec<RoleReport>,
    /// The `context` claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// The `resource_link` claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_link: Option<Value>,
    /// The signed `target_link_uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_link_uri: Option<String>,
    /// The services the launch offers and what running them gave.
    #[serde(default)]
    pub services: Vec<ServiceReport>,
    /// Every verified claim, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
}

/// A refused launch: the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The stable machine code (e.g. `lti.jwt.signature.invalid`).
    pub code: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The message (generic for 5xx).
    pub message: String,
}

/// One role of the launch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleReport {
    /// The role as sent.
    pub raw: String,
    /// The full URI it stands for.
    pub uri: String,
    /// `system`, `institution`, `context`, `context_sub`, `lti_system` or `unknown`.
    pub kind: String,
}

/// A service offered by the launch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    /// `nrps` or `ags`.
    pub service: String,
    /// The claim that offered it.
    pub claim: Value,
    /// The overall outcome.
    pub status: StepStatus,
    /// Each step, in order.
    #[serde(default)]
    pub steps: Vec<StepReport>,
}

/// One step of a service run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// What the step does (`roster`, `line_item`, `score`, `results`).
    pub step: String,
    /// Its outcome.
    pub status: StepStatus,
    /// What it returned, or the error (`code`, `message`).
    pub detail: Value,
}

/// The outcome of a service or a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepStatus {
    /// Offered, not run yet (press its button, or start the tool with `--auto-services`).
    NotYetRun,
    /// Ran and succeeded.
    Ok,
    /// Ran and failed.
    Failed,
    /// This build cannot run it.
    Unavailable,
}

impl LaunchReport {
    /// The report of an accepted launch, its services listed as not yet run.
    pub fn accepted(launch: &Launch, launch_id: &str) -> Self {
        let message = launch.message();
        let roles = launch
            .roles()
            .iter()
            .map(|r| RoleReport {
                raw: r.raw().to_owned(),
                uri: r.as_uri(),
                kind: role_kind(&r.kind()).to_owned(),
            })
            .collect();
        Self {
            ok: true,
            launch_id: Some(launch_id.to_owned()),
            error: None,
            message_type: message.message_type.as_ref().map(|t| t.as_str().to_owned()),
            issuer: Some(launch.registration().issuer().as_str().to_owned()),
            client_id: Some(launch.registration().client_id().as_str().to_owned()),
            deployment_id: Some(launch.deployment_id().as_str().to_owned()),
            user: launch.user().map(|u| u.as_str().to_owned()),
            roles,
            context: to_value(launch.context()),
            resource_link: to_value(launch.resource_link()),
            target_link_uri: Some(launch.target_link_uri().as_str().to_owned()),
            services: offered_services(message),
            claims: serde_json::to_value(message).ok(),
        }
    }

    /// The report of a refused launch.
    pub fn refused(error: &LaunchError) -> Self {
        let status = error.status();
        let message = if status.is_server_error() {
            "internal error; see the tool's logs".to_owned()
        } else {
            error.to_string()
        };
        Self {
            ok: false,
            launch_id: None,
            error: Some(ErrorReport {
                code: error.code().to_owned(),
                status: status.as_u16(),
                message,
            }),
            message_type: None,
            issuer: None,
            client_id: None,
            deployment_id: None,
            user: None,
            roles: Vec::new(),
            context: None,
            resource_link: None,
            target_link_uri: None,
            services: Vec::new(),
            claims: None,
        }
    }

    /// The report as JSON safe to embed in a `<script>` element (`<`, `>`, `&` escaped as `\u003c` ...).
    pub fn to_embedded_json(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned());
        json.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }

    /// The report of `service`, if the launch offers it.
    pub fn service_mut(&mut self, service: &str) -> Option<&mut ServiceReport> {
        self.services.iter_mut().find(|s| s.service == service)
    }
}

fn role_kind(kind: &RoleKind) -> &'static str {
    match kind {
        RoleKind::System(_) => "system",
        RoleKind::Institution(_) => "institution",
        RoleKind::Context(_) => "context",
        RoleKind::ContextSub(_) => "context_sub",
        RoleKind::LtiSystem(_) => "lti_system",
        _ => "unknown",
    }
}

fn to_value<T: Serialize>(value: Option<&T>) -> Option<Value> {
    value.and_then(|v| serde_json::to_value(v).ok())
}

/// The NRPS and AGS claims of the message, as not-yet-run services.
fn offered_services(message: &LtiMessage) -> Vec<ServiceReport> {
    let mut services = Vec::new();
    if let Some(claim) = &message.names_role_service {
        services.push(ServiceReport {
            service: "nrps".to_owned(),
            claim: claim.as_value().clone(),
            status: StepStatus::NotYetRun,
            steps: Vec::new(),
        });
    }
    if let Some(claim) = &message.ags_endpoint {
        services.push(ServiceReport {
            service: "ags".to_owned(),
            claim: claim.as_value().clone(),
            status: StepStatus::NotYetRun,
            steps: Vec::new(),
        });
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let mut report = LaunchReport::refused(&LaunchError::StateMismatch);
        if let Some(e) = report.error.as_mut() {
            e.message = "</script><script>alert(1)</script>".into();
        }
        let json = report.to_embedded_json();
        assert!(!json.contains('<') && !json.contains('>'), "{json}");
        let back: LaunchReport = serde_json::from_str(&json).unwrap_or_else(|_| unreachable!());
        assert_eq!(back, report);
    }
}
