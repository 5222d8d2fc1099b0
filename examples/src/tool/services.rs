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

use super::activities::{Activity, GRADE_TAG, Grading, PARTICIPATION_TAG};
use super::error::ToolServerError;
use super::essays::PendingEssay;
use super::launches::{LaunchRecord, Launches};
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
        Ok(endpoint) => {
            let launch = LaunchRef {
                id: &record.id,
                client_id: client_id.as_deref().unwrap_or_default(),
            };
            ags(server, &message, endpoint, &launch).await
        }
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

/// The catalogue activity a launch is for: the `activity` custom parameter deep linking put on the link.
pub(crate) fn activity_of(message: &LtiMessage) -> Option<&'static Activity> {
    message
        .custom
        .as_ref()
        .and_then(|c| c.get("activity"))
        .and_then(Activity::find)
}

/// The line item the tool binds the launch's resource link to: a graded catalogue activity's `grade` item (the
/// one deep linking created: same `resourceId` and `tag`), else a generic `reference-tool` item.
fn template(message: &LtiMessage) -> LineItem {
    let link = message.resource_link.as_ref().and_then(|r| r.id.clone());
    let graded = activity_of(message).and_then(|a| a.score_maximum.map(|m| (a, m)));
    let mut template = match graded {
        Some((activity, maximum)) => {
            let mut template = LineItem::new(activity.title, maximum);
            template.resource_id = Some(activity.slug.to_owned());
            template.tag = Some(GRADE_TAG.to_owned());
            template
        }
        None => {
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
            template.resource_id = Some("reference-tool".to_owned());
            template.tag = Some("reference-tool".to_owned());
            template
        }
    };
    template.resource_link_id = link;
    template
}

/// A line item as a step's detail, with its due date (`endDateTime`) as `due` (`null` when none).
fn line_item_detail(item: &LineItem) -> Value {
    let mut detail = serde_json::to_value(item).unwrap_or_default();
    if let Some(map) = detail.as_object_mut() {
        map.insert(
            "due".to_owned(),
            item.end_date_time
                .map_or(Value::Null, |t| Value::String(t.to_string())),
        );
    }
    detail
}

/// AGS: the link's line item (with its due date), then by activity: a machine grade and a participation mark,
/// an essay submitted for manual grading (or, for an instructor, the essays pending), or a plain score; then
/// the results.
async fn ags(
    server: &ToolServer,
    message: &LtiMessage,
    endpoint: TokenEndpoint,
    launch: &LaunchRef<'_>,
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
        client.find_or_create(&template(message)).await
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
    steps.push(step("line_item", StepStatus::Ok, line_item_detail(&item)));
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
    let grading = activity_of(message).map(|a| a.grading);
    let instructor = message.typed_roles().is_instructor();
    let done = match grading {
        Some(Grading::Manual) if instructor => {
            steps.push(pending_step(server, message, launch).await);
            true
        }
        Some(Grading::Manual) => {
            let submitted = submit_essay(server, message, &client, &item, launch).await;
            let ok = submitted.status == StepStatus::Ok;
            steps.push(submitted);
            ok
        }
        _ => {
            let score = Score::new(
                user.clone(),
                client.next_timestamp(),
                ActivityProgress::Completed,
                GradingProgress::FullyGraded,
            )
            .given(maximum * GRADE, maximum)
            .with_comment("posted by the lti-rs reference tool");
            match client.post_score(&id, &score).await {
                Ok(()) => {
                    steps.push(step(
                        "score",
                        StepStatus::Ok,
                        json!({"user_id": user.as_str(), "score_given": maximum * GRADE, "score_maximum": maximum}),
                    ));
                    if grading == Some(Grading::MachineWithParticipation) {
                        let participation = participation(message, &client, &item, &user).await;
                        let ok = participation.status == StepStatus::Ok;
                        steps.push(participation);
                        ok
                    } else {
                        true
                    }
                }
                Err(e) => {
                    steps.push(failed_ags("score", &e));
                    false
                }
            }
        }
    };
    if !done {
        return steps;
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

/// The launch being served: its id at the tool and the client id of its registration.
pub(crate) struct LaunchRef<'a> {
    /// The launch id (the capability in the instructor pages' URLs).
    pub(crate) id: &'a str,
    /// The tool's client id at the platform.
    pub(crate) client_id: &'a str,
}

/// A second line item for the same resource link, tagged `participation`, found or created, and a full mark
/// in it: two grades for one assessment in two columns (guide 2.3.4, 2.4.3).
async fn participation(
    message: &LtiMessage,
    client: &AgsClient,
    main: &LineItem,
    user: &lti_core::UserId,
) -> StepReport {
    let mut template = LineItem::new(format!("{}: participation", main.label), 1.0);
    template.resource_link_id = main.resource_link_id.clone();
    template.resource_id = main.resource_id.clone();
    template.tag = Some(PARTICIPATION_TAG.to_owned());
    let item = match client.find_or_create(&template).await {
        Ok(item) => item,
        Err(e) => return failed_ags("participation", &e),
    };
    let Some(id) = item.id.clone() else {
        return step(
            "participation",
            StepStatus::Failed,
            json!({"code": "reference_tool.ags.no_id", "message": "the platform's line item has no id"}),
        );
    };
    let score = Score::new(
        user.clone(),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(1.0, 1.0)
    .with_comment("took part");
    match client.post_score(&id, &score).await {
        Ok(()) => step(
            "participation",
            StepStatus::Ok,
            json!({
                "line_item": id.as_str(),
                "tag": PARTICIPATION_TAG,
                "resource_link_id": message.resource_link.as_ref().and_then(|r| r.id.as_ref()).map(|i| i.as_str()),
                "user_id": user.as_str(),
                "score_given": 1.0,
                "score_maximum": 1.0,
            }),
        ),
        Err(e) => failed_ags("participation", &e),
    }
}

/// A learner's essay: `Submitted` / `PendingManual` with no score, and the record the instructor grades later.
async fn submit_essay(
    server: &ToolServer,
    message: &LtiMessage,
    client: &AgsClient,
    item: &LineItem,
    launch: &LaunchRef<'_>,
) -> StepReport {
    let (Some(id), Some(user), Some(issuer), Some(deployment), Some(context), Some(link)) = (
        item.id.clone(),
        message.sub.clone(),
        message.iss.as_ref(),
        message.deployment_id.as_ref(),
        message.context.as_ref().and_then(|c| c.id.as_ref()),
        message.resource_link.as_ref().and_then(|r| r.id.as_ref()),
    ) else {
        return step(
            "submission",
            StepStatus::Failed,
            json!({"code": "reference_tool.essay.incomplete",
                   "message": "an essay needs the line item id, user, issuer, deployment, context and resource link"}),
        );
    };
    let timestamp = client.next_timestamp();
    let score = Score::new(
        user.clone(),
        timestamp,
        ActivityProgress::Submitted,
        GradingProgress::PendingManual,
    )
    .with_comment("submitted; waiting for the instructor");
    if let Err(e) = client.post_score(&id, &score).await {
        return failed_ags("submission", &e);
    }
    let record_id = match Launches::new_id() {
        Ok(record_id) => record_id,
        Err(e) => return store_failed("submission", &e),
    };
    let essay = PendingEssay {
        id: record_id,
        issuer: issuer.as_str().to_owned(),
        client_id: launch.client_id.to_owned(),
        deployment_id: deployment.as_str().to_owned(),
        context_id: context.as_str().to_owned(),
        resource_link_id: link.as_str().to_owned(),
        user_id: user.as_str().to_owned(),
        label: item.label.clone(),
        line_item: id,
        score_maximum: item.score_maximum.unwrap_or(1.0),
        claim: client.claim().clone(),
        submitted_at: timestamp,
    };
    if let Err(e) = server.essays().submit(essay).await {
        return store_failed("submission", &e);
    }
    step(
        "submission",
        StepStatus::Ok,
        json!({
            "user_id": user.as_str(),
            "activity_progress": "Submitted",
            "grading_progress": "PendingManual",
            "score_given": null,
            "message": "kept for the instructor's grading page",
        }),
    )
}

/// An instructor's launch of a manually graded activity: how many essays wait, and where to grade them.
async fn pending_step(
    server: &ToolServer,
    message: &LtiMessage,
    launch: &LaunchRef<'_>,
) -> StepReport {
    let (Some(issuer), Some(deployment), Some(context)) = (
        message.iss.as_ref(),
        message.deployment_id.as_ref(),
        message.context.as_ref().and_then(|c| c.id.as_ref()),
    ) else {
        return step(
            "pending",
            StepStatus::Failed,
            json!({"code": "reference_tool.essay.incomplete", "message": "no issuer, deployment or context"}),
        );
    };
    match server
        .essays()
        .pending(
            issuer.as_str(),
            launch.client_id,
            deployment.as_str(),
            context.as_str(),
        )
        .await
    {
        Ok(pending) => step(
            "pending",
            StepStatus::Ok,
            json!({"pending": pending.len(), "grading_page": format!("/launches/{}/grading", launch.id)}),
        ),
        Err(e) => store_failed("pending", &e),
    }
}

/// Posts the instructor's grade for `essay` (`Completed`, `FullyGraded`, `scoreGiven`) with a client built from
/// the stored record alone: the registration's token endpoint, the stored claim, a fresh token. No learner
/// launch is involved.
///
/// # Errors
/// The step's failure detail (`code`, `status`, `message`).
pub(crate) async fn grade_essay(
    server: &ToolServer,
    essay: &PendingEssay,
    given: f64,
    grader: Option<&lti_core::UserId>,
) -> Result<(), Value> {
    let registration = server
        .registry()
        .find(
            &lti_core::Issuer::new(essay.issuer.as_str()),
            Some(&ClientId::new(essay.client_id.as_str())),
        )
        .await
        .ok()
        .flatten()
        .ok_or_else(|| {
            json!({"code": "reference_tool.platform.gone", "status": 409, "message": "the platform is no longer registered"})
        })?;
    let deployment = lti_core::DeploymentId::new(essay.deployment_id.as_str());
    let endpoint = service_token_endpoint(&registration, Some(&deployment)).map_err(|e| {
        json!({"code": "reference_tool.token_endpoint", "status": 500, "message": e.to_string()})
    })?;
    let client = AgsClient::new(
        server.tokens().clone(),
        endpoint,
        essay.claim.clone(),
        server.clock().clone(),
    );
    let mut score = Score::new(
        lti_core::UserId::new(essay.user_id.as_str()),
        client.next_timestamp(),
        ActivityProgress::Completed,
        GradingProgress::FullyGraded,
    )
    .given(given, essay.score_maximum)
    .with_comment("graded by the instructor in the lti-rs reference tool");
    score.scoring_user_id = grader.cloned();
    client
        .post_score(&essay.line_item, &score)
        .await
        .map_err(|e| ags_detail(&e))
}

/// Sets (or clears) the due date (`endDateTime`) of the line item the launch's resource link is bound to:
/// read it, change it, write it back with [`AgsClient::update_line_item`]; returns it as the platform stored it.
///
/// # Errors
/// The failure detail (`code`, `status`, `message`).
pub(crate) async fn set_due(
    server: &ToolServer,
    record: &LaunchRecord,
    due: Option<lti_ags::Timestamp>,
) -> Result<LineItem, Value> {
    let message = record.message().map_err(
        |e| json!({"code": e.code(), "status": e.status().as_u16(), "message": e.public_message()}),
    )?;
    let endpoint = endpoint(server, &message, record.report.client_id.as_deref()).await?;
    let claim = match AgsEndpointClaim::from_message(&message) {
        Ok(Some(claim)) => claim,
        Ok(None) => {
            return Err(
                json!({"code": "reference_tool.service.not_offered", "status": 409, "message": "the launch offers no AGS claim"}),
            );
        }
        Err(e) => {
            return Err(
                json!({"code": e.code().as_str(), "status": 400, "message": e.to_string()}),
            );
        }
    };
    let client = AgsClient::new(
        server.tokens().clone(),
        endpoint,
        claim,
        server.clock().clone(),
    );
    let mut item = client
        .find_or_create(&template(&message))
        .await
        .map_err(|e| ags_detail(&e))?;
    item.end_date_time = due;
    client
        .update_line_item(&item)
        .await
        .map_err(|e| ags_detail(&e))
}

fn ags_detail(e: &lti_ags::Error) -> Value {
    json!({"code": e.code(), "status": e.status().as_u16(), "message": e.to_string()})
}

fn store_failed(name: &str, e: &ToolServerError) -> StepReport {
    tracing::error!(error = %e, "store failed");
    step(
        name,
        StepStatus::Failed,
        json!({"code": e.code(), "message": e.public_message()}),
    )
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
    step(name, StepStatus::Failed, ags_detail(e))
}

fn failed_core(name: &str, e: &lti_core::Error) -> StepReport {
    step(
        name,
        StepStatus::Failed,
        json!({"code": e.code().as_str(), "message": e.to_string()}),
    )
}
