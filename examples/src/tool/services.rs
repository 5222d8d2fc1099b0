//! Running the services a launch offers, each step recorded in the launch report:
//!
//! - NRPS: the whole roster, every page (`rel="next"` followed by [`lti_nrps::NrpsClient`]);
//! - AGS: find-or-create this resource link's line item (or use the one the claim names), post a score for the
//!   launching user, read the results ([`lti_ags::AgsClient`]).
//!
//! Both clients take their access tokens from the tool's [`lti_tool::TokenSource`] (a JWT client assertion
//! signed with the tool's key ring), for exactly the scope each call needs, at the token endpoint of the
//! launch's platform registration.

use lti_ags::{
    ActivityProgress, AgsClient, AgsEndpointClaim, GradingProgress, LineItem, ResultQuery, Score,
};
use lti_core::message::LtiMessage;
use lti_core::{ClientId, PlatformRegistration};
use lti_nrps::{MembershipQuery, NrpsClaim, NrpsClient};
use lti_tool::{PlatformRegistry as _, TokenEndpoint, service_token_endpoint};
use serde_json::{Value, json};

use super::error::ToolServerError;
use super::launches::LaunchRecord;
use super::report::{ServiceReport, StepReport, StepStatus};
use super::server::ToolServer;

/// The services the tool knows how to run.
pub(crate) const SERVICES: [&str; 2] = ["nrps", "ags"];
/// The most roster members read in one run.
const MAX_MEMBERS: usize = 10_000;
/// The most members and results shown in the report.
const SHOWN: usize = 20;
/// The fraction of the maximum the reference tool grades with.
const GRADE: f64 = 0.8;

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
    let steps = match endpoint(server, &message, client_id.as_deref()).await {
        Ok(endpoint) if service == "nrps" => nrps(server, &message, endpoint).await,
        Ok(endpoint) => ags(server, &message, endpoint).await,
        Err(detail) => vec![step("token_endpoint", StepStatus::Failed, detail)],
    };
    report.status = if steps.iter().all(|s| s.status == StepStatus::Ok) {
        StepStatus::Ok
    } else {
        StepStatus::Failed
    };
    report.steps = steps;
    let out = report.clone();
    server.launches().save(record).await?;
    tracing::info!(service, status = ?out.status, "service run");
    Ok(Some(out))
}

/// NRPS: every member, every page.
async fn nrps(
    server: &ToolServer,
    message: &LtiMessage,
    endpoint: TokenEndpoint,
) -> Vec<StepReport> {
    let claim = match message
        .names_role_service
        .as_ref()
        .map(NrpsClaim::from_launch)
    {
        Some(Ok(claim)) => claim,
        Some(Err(e)) => return vec![failed("roster", e.status().as_u16(), &e)],
        None => return vec![not_offered("roster")],
    };
    let client = NrpsClient::new(server.tokens().clone(), endpoint);
    let mut pages = match client.members(&claim, &MembershipQuery::default()) {
        Ok(pages) => pages,
        Err(e) => return vec![failed("roster", e.status().as_u16(), &e)],
    };
    match pages.collect_members(MAX_MEMBERS).await {
        Ok(members) => {
            let shown: Vec<Value> = members
                .iter()
                .take(SHOWN)
                .map(|m| {
                    json!({
                        "user_id": m.user_id.as_str(),
                        "roles": m.roles.raw().collect::<Vec<_>>(),
                        "status": m.status,
                        "name": m.name,
                    })
                })
                .collect();
            vec![step(
                "roster",
                StepStatus::Ok,
                json!({
                    "members": members.len(),
                    "pages": pages.pages_read(),
                    "differences": pages.differences().map(url::Url::as_str),
                    "first_members": shown,
                }),
            )]
        }
        Err(e) => vec![failed("roster", e.status().as_u16(), &e)],
    }
}

/// AGS: line item, score for the launching user, results.
async fn ags(
    server: &ToolServer,
    message: &LtiMessage,
    endpoint: TokenEndpoint,
) -> Vec<StepReport> {
    let claim = match AgsEndpointClaim::from_message(message) {
        Ok(Some(claim)) => claim,
        Ok(None) => return vec![not_offered("line_item")],
        Err(e) => return vec![failed_core("line_item", &e)],
    };
    let bound = claim.lineitem.clone();
    let can_manage = claim.lineitems.is_some() && claim.offers(lti_ags::scope::LINE_ITEM);
    let client = AgsClient::new(
        server.tokens().clone(),
        endpoint,
        claim,
        server.clock().clone(),
    );
    let mut steps = Vec::new();

    let item = if can_manage {
        let mut template = LineItem::new(
            format!(
                "lti-rs reference tool: {}",
                message
                    .resource_link
                    .as_ref()
                    .and_then(|r| r.title.clone())
                    .unwrap_or_else(|| "launch".to_owned())
            ),
            10.0,
        );
        template.resource_link_id = message.resource_link.as_ref().and_then(|r| r.id.clone());
        template.resource_id = Some("reference-tool".to_owned());
        template.tag = Some("reference-tool".to_owned());
        client.find_or_create(&template).await
    } else if let Some(id) = &bound {
        client.line_item(id).await
    } else {
        steps.push(step(
            "line_item",
            StepStatus::Failed,
            json!({"code": "reference_tool.ags.no_line_item",
                   "message": "the claim offers neither a line item container with the lineitem scope nor a line item"}),
        ));
        return steps;
    };
    let item = match item {
        Ok(item) => item,
        Err(e) => {
            steps.push(failed_ags("line_item", &e));
            return steps;
        }
    };
    steps.push(step(
        "line_item",
        StepStatus::Ok,
        serde_json::to_value(&item).unwrap_or_default(),
    ));
    let Some(id) = item.id.clone() else {
        steps.push(step(
            "score",
            StepStatus::Failed,
            json!({"code": "reference_tool.ags.no_id", "message": "the platform's line item has no id"}),
        ));
        return steps;
    };

    let Some(user) = message.sub.clone() else {
        steps.push(step(
            "score",
            StepStatus::Failed,
            json!({"code": "reference_tool.ags.anonymous", "message": "an anonymous launch has no user to grade"}),
        ));
        return steps;
    };
    let maximum = item.score_maximum.unwrap_or(10.0);
    let score = Score::new(
        user.clone(),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(maximum * GRADE, maximum)
    .with_comment("posted by the lti-rs reference tool");
    match client.post_score(&id, &score).await {
        Ok(()) => steps.push(step(
            "score",
            StepStatus::Ok,
            json!({"user_id": user.as_str(), "score_given": maximum * GRADE, "score_maximum": maximum}),
        )),
        Err(e) => {
            steps.push(failed_ags("score", &e));
            return steps;
        }
    }

    match client.results(&id, &ResultQuery::default()).await {
        Ok(results) => {
            let mine = results.iter().find(|r| r.user_id == user);
            steps.push(step(
                "results",
                StepStatus::Ok,
                json!({
                    "results": results.len(),
                    "launching_user": mine.map(|r| json!({"result_score": r.result_score, "result_maximum": r.result_maximum})),
                    "first_results": results.iter().take(SHOWN).map(|r| json!({"user_id": r.user_id.as_str(), "result_score": r.result_score})).collect::<Vec<_>>(),
                }),
            ));
        }
        Err(e) => steps.push(failed_ags("results", &e)),
    }
    steps
}

/// The token endpoint of the launch's platform registration, with the launch's deployment.
async fn endpoint(
    server: &ToolServer,
    message: &LtiMessage,
    client_id: Option<&str>,
) -> Result<TokenEndpoint, Value> {
    let (Some(issuer), Some(client_id)) = (message.iss.as_ref(), client_id) else {
        return Err(
            json!({"code": "reference_tool.launch.incomplete", "message": "no issuer or client id"}),
        );
    };
    let registration: Option<PlatformRegistration> = server
        .registry()
        .find(issuer, Some(&ClientId::new(client_id)))
        .await
        .ok()
        .flatten();
    let Some(registration) = registration else {
        return Err(
            json!({"code": "reference_tool.platform.gone", "message": "the platform is no longer registered"}),
        );
    };
    service_token_endpoint(&registration, message.deployment_id.as_ref())
        .map_err(|e| json!({"code": "reference_tool.token_endpoint", "message": e.to_string()}))
}

fn step(name: &str, status: StepStatus, detail: Value) -> StepReport {
    StepReport {
        step: name.to_owned(),
        status,
        detail,
    }
}

fn not_offered(name: &str) -> StepReport {
    step(
        name,
        StepStatus::Failed,
        json!({"code": "reference_tool.service.not_offered", "message": "the launch has no claim for it"}),
    )
}

fn failed(name: &str, status: u16, e: &dyn std::fmt::Display) -> StepReport {
    step(
        name,
        StepStatus::Failed,
        json!({"status": status, "message": e.to_string()}),
    )
}

fn failed_ags(name: &str, e: &lti_ags::Error) -> StepReport {
    step(
        name,
        StepStatus::Failed,
        json!({"code": e.code(), "status": e.status().as_u16(), "message": e.to_string()}),
    )
}

fn failed_core(name: &str, e: &lti_core::Error) -> StepReport {
    step(
        name,
        StepStatus::Failed,
        json!({"code": e.code().as_str(), "message": e.to_string()}),
    )
}
