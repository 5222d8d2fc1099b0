//! Running the services a launch offers (NRPS: the whole roster; AGS: find-or-create a line item, post a score
//! for the launching user, read the results), each step recorded in the launch report.
//!
//! Every run starts with the access token: the platform's token endpoint through
//! [`lti_tool::TokenSource`] (a JWT client assertion signed with the tool's key ring), for exactly the scopes
//! the service claim grants.

use lti_core::message::LtiMessage;
use lti_tool::{Scopes, service_token_endpoint};
use serde_json::{Value, json};

use super::error::ToolServerError;
use super::launches::LaunchRecord;
use super::report::{ServiceReport, StepReport, StepStatus};
use super::server::ToolServer;

/// The services the tool knows how to run.
pub(crate) const SERVICES: [&str; 2] = ["nrps", "ags"];

/// Runs `service` for the launch in `record` and stores the outcome in its report; returns the service's
/// report, or `None` when the launch does not offer it.
///
/// # Errors
/// Only the store: service failures are outcomes in the report, not errors.
pub(crate) async fn run_and_record(
    server: &ToolServer,
    record: &mut LaunchRecord,
    service: &str,
) -> Result<Option<ServiceReport>, ToolServerError> {
    let message = record.message()?;
    let client_id = record.report.client_id.clone();
    let Some(report) = record.report.service_mut(service) else {
        return Ok(None);
    };
    let steps = run(
        server,
        &message,
        client_id.as_deref(),
        service,
        &report.claim,
    )
    .await;
    report.status = if steps.iter().all(|s| s.status == StepStatus::Ok) {
        StepStatus::Ok
    } else if steps.iter().any(|s| s.status == StepStatus::Failed) {
        StepStatus::Failed
    } else {
        StepStatus::Unavailable
    };
    report.steps = steps;
    let out = report.clone();
    server.launches().save(record).await?;
    tracing::info!(service, status = ?out.status, "service run");
    Ok(Some(out))
}

async fn run(
    server: &ToolServer,
    message: &LtiMessage,
    client_id: Option<&str>,
    service: &str,
    claim: &Value,
) -> Vec<StepReport> {
    let mut steps = Vec::new();
    let scopes = granted_scopes(service, claim);
    match access_token(server, message, client_id, &scopes).await {
        Ok(detail) => steps.push(step("access_token", StepStatus::Ok, detail)),
        Err(detail) => {
            steps.push(step("access_token", StepStatus::Failed, detail));
            return steps;
        }
    }
    steps.push(step(
        if service == "nrps" {
            "roster"
        } else {
            "line_item"
        },
        StepStatus::Unavailable,
        json!({"message": "this build has no lti-ags / lti-nrps client yet"}),
    ));
    steps
}

/// The scopes a service claim grants (AGS: its `scope` array; NRPS: the membership scope).
fn granted_scopes(service: &str, claim: &Value) -> Scopes {
    let mut scopes = Scopes::new();
    if service == "nrps" {
        scopes.insert("https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly");
    } else if let Some(list) = claim.get("scope").and_then(Value::as_array) {
        for scope in list.iter().filter_map(Value::as_str) {
            scopes.insert(scope);
        }
    }
    scopes
}

async fn access_token(
    server: &ToolServer,
    message: &LtiMessage,
    client_id: Option<&str>,
    scopes: &Scopes,
) -> Result<Value, Value> {
    let failed =
        |code: &str, e: &dyn std::fmt::Display| json!({"code": code, "message": e.to_string()});
    let (Some(issuer), Some(client_id)) = (message.iss.as_ref(), client_id) else {
        return Err(
            json!({"code": "reference_tool.launch.incomplete", "message": "no issuer or client id"}),
        );
    };
    let client_id = lti_core::ClientId::new(client_id);
    let registration =
        lti_tool::PlatformRegistry::find(server.registry(), issuer, Some(&client_id))
            .await
            .ok()
            .flatten();
    let Some(registration) = registration else {
        return Err(
            json!({"code": "reference_tool.platform.gone", "message": "the platform is no longer registered"}),
        );
    };
    let endpoint = service_token_endpoint(&registration, message.deployment_id.as_ref())
        .map_err(|e| failed("reference_tool.token.endpoint", &e))?;
    let token = server
        .tokens()
        .token(&endpoint, scopes)
        .await
        .map_err(|e| failed("reference_tool.token.refused", &e))?;
    Ok(json!({
        "token_endpoint": endpoint.token_url().as_str(),
        "scopes": token.scopes().iter().collect::<Vec<_>>(),
    }))
}

fn step(name: &str, status: StepStatus, detail: Value) -> StepReport {
    StepReport {
        step: name.to_owned(),
        status,
        detail,
    }
}
