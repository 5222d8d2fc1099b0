//! `/launch-as`: the development login that signs a person in and starts a launch — a resource link launch, or
//! a deep linking request ("add content") — with the course, the roles and the service claims.

use axum::http::StatusCode;
use lti_ags::gradebook::LineItemKey;
use lti_core::claims::{Context, ResourceLink};
use lti_core::message::MessageType;
use lti_core::uri::claim;
use lti_core::{ClientId, DeploymentId, ResourceLinkId, ToolRegistration};
use lti_deep_linking::DeepLinkingSettings;
use lti_platform::{LaunchRequest, LaunchUser, LoginStart, ToolRegistry as _};
use url::form_urlencoded;

use lti_nrps::{ContainerContext, Member};

use super::course::CourseLink;
use super::error::AppError;
use super::state::PlatformState;

/// The context type sent with the course [Core §5.4.1].
const COURSE_OFFERING: &str = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering";
/// The longest parameter value accepted.
const MAX_PARAM: usize = 255;

/// Which message a `/launch-as` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LaunchKind {
    /// `message=resource` (default): an `LtiResourceLinkRequest` of `link`.
    Resource,
    /// `message=deeplink`: an `LtiDeepLinkingRequest` to the tool of `link` (or `tool`), instructors only.
    DeepLink,
}

/// The parsed query of `/launch-as?user=U&context=C&link=L&message=resource|deeplink[&tool=CLIENT_ID]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LaunchAs {
    /// Who signs in.
    pub user: String,
    /// The course.
    pub context: String,
    /// The resource link (required for a resource launch).
    pub link: Option<String>,
    /// The tool's client id (deep linking, instead of `link`).
    pub tool: Option<String>,
    /// The message.
    pub kind: LaunchKind,
}

impl LaunchAs {
    /// Parses the query string: each parameter at most once, at most 255 bytes.
    ///
    /// # Errors
    /// 400 `missing_parameter`, `repeated_parameter`, `invalid_parameter` naming the parameter.
    pub fn parse(query: &str) -> Result<Self, AppError> {
        let mut user = None;
        let mut context = None;
        let mut link = None;
        let mut tool = None;
        let mut message = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "user" => &mut user,
                "context" => &mut context,
                "link" => &mut link,
                "tool" => &mut tool,
                "message" => &mut message,
                _ => continue,
            };
            if slot.is_some() {
                return Err(bad(
                    "repeated_parameter",
                    format!("parameter `{name}` is repeated"),
                ));
            }
            if value.is_empty() || value.len() > MAX_PARAM {
                return Err(bad(
                    "invalid_parameter",
                    format!("parameter `{name}` must be 1 to {MAX_PARAM} bytes"),
                ));
            }
            *slot = Some(value.into_owned());
        }
        let required = |v: Option<String>, name: &str| {
            v.ok_or_else(|| {
                bad(
                    "missing_parameter",
                    format!("parameter `{name}` is required"),
                )
            })
        };
        let kind = match message.as_deref() {
            None | Some("resource") => LaunchKind::Resource,
            Some("deeplink") => LaunchKind::DeepLink,
            Some(other) => {
                return Err(bad(
                    "invalid_parameter",
                    format!(
                        "parameter `message`: expected `resource` or `deeplink` (found `{}`)",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        };
        Ok(Self {
            user: required(user, "user")?,
            context: required(context, "context")?,
            link,
            tool,
            kind,
        })
    }
}

fn bad(code: &'static str, message: String) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, code, message)
}

/// Starts the launch `params` asks for: checks that the course, the member and the link (or tool) exist and
/// that only instructors deep link, then asks the facade for the login initiation.
///
/// # Errors
/// 404 `unknown_context` / `unknown_link` / `unknown_tool`, 400 `unknown_user`, 403 `not_instructor`, the
/// facade's launch errors.
pub async fn start(
    state: &PlatformState,
    params: &LaunchAs,
) -> Result<(Member, LoginStart), AppError> {
    let courses = state.courses();
    let course = courses.course(&params.context).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "unknown_context",
            format!("no course `{}`", params.context),
        )
    })?;
    let member = courses
        .member(course.id.as_str(), &params.user)
        .await?
        .filter(Member::is_active)
        .ok_or_else(|| {
            bad(
                "unknown_user",
                format!(
                    "user `{}` is not a member of `{}`",
                    params.user,
                    course.id.as_str()
                ),
            )
        })?;
    let link = match &params.link {
        Some(id) => Some(courses.link(course.id.as_str(), id).await?.ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "unknown_link",
                format!("no resource link `{id}` in `{}`", course.id.as_str()),
            )
        })?),
        None => None,
    };
    let start = match params.kind {
        LaunchKind::Resource => {
            let link = link.ok_or_else(|| {
                bad(
                    "missing_parameter",
                    "parameter `link` is required".to_owned(),
                )
            })?;
            let registration = registration(state, &link.client_id).await?;
            let request = resource_request(state, &course, &member, &link, &registration).await?;
            state.platform().start_launch(request).await?
        }
        LaunchKind::DeepLink => {
            if !member.roles.is_instructor() {
                return Err(AppError::new(
                    StatusCode::FORBIDDEN,
                    "not_instructor",
                    format!(
                        "only instructors add content; `{}` is not one",
                        member.user_id.as_str()
                    ),
                ));
            }
            let client_id = match (&params.tool, &link) {
                (Some(tool), _) => tool.clone(),
                (None, Some(link)) => link.client_id.clone(),
                (None, None) => {
                    return Err(bad(
                        "missing_parameter",
                        "parameter `link` or `tool` is required".to_owned(),
                    ));
                }
            };
            let deployed = courses
                .links(course.id.as_str())
                .await?
                .iter()
                .any(|l| l.client_id == client_id);
            if !deployed {
                return Err(AppError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_tool",
                    format!("no tool `{client_id}` in `{}`", course.id.as_str()),
                ));
            }
            let registration = registration(state, &client_id).await?;
            let deployment = match &link {
                Some(link) if link.client_id == client_id => {
                    DeploymentId::new(link.deployment_id.as_str())
                }
                _ => registration.deployments().next().cloned().ok_or_else(|| {
                    AppError::new(
                        StatusCode::NOT_FOUND,
                        "unknown_tool",
                        format!("tool `{client_id}` has no deployment"),
                    )
                })?,
            };
            let mut request = LaunchRequest::new(
                registration.client_id().clone(),
                deployment,
                MessageType::LtiDeepLinkingRequest,
                Some(launch_user(&member)),
            )
            .with_roles(member.roles.iter().cloned())
            .with_context(context(&course));
            add_service_claims(state, &mut request, &course, &registration, None)?;
            let mut settings = DeepLinkingSettings::new(
                state.endpoints().deep_link_return.as_str(),
                ["ltiResourceLink"],
                ["iframe", "window"],
            )
            .with_accept_multiple(true)
            .with_accept_lineitem(true);
            settings.title = course.title.clone();
            state.deep_linking().start(request, settings).await?
        }
    };
    tracing::info!(
        user = member.user_id.as_str(),
        context = course.id.as_str(),
        message = ?params.kind,
        "launch started"
    );
    Ok((member, start))
}

async fn registration(
    state: &PlatformState,
    client_id: &str,
) -> Result<ToolRegistration, AppError> {
    state
        .tools()
        .find(&ClientId::new(client_id))
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "unknown_tool",
                format!("no tool with client id `{client_id}`"),
            )
        })
}

async fn resource_request(
    state: &PlatformState,
    course: &ContainerContext,
    member: &Member,
    link: &CourseLink,
    registration: &ToolRegistration,
) -> Result<LaunchRequest, AppError> {
    let mut resource_link = ResourceLink::new(ResourceLinkId::new(link.id.as_str()));
    resource_link.title = Some(link.title.clone());
    resource_link.description = link.text.clone();
    let mut request = LaunchRequest::resource_link(
        ClientId::new(link.client_id.as_str()),
        DeploymentId::new(link.deployment_id.as_str()),
        Some(launch_user(member)),
        resource_link,
    )
    .with_roles(member.roles.iter().cloned())
    .with_context(context(course));
    if let Some(url) = &link.url {
        request = request.with_target_link_uri(lti_core::TargetLinkUri::new(url.as_str()));
    }
    for (name, value) in &link.custom {
        request = request.with_custom(name.clone(), value.clone());
    }
    let line_item = state.courses().line_item_of(link).await?;
    add_service_claims(
        state,
        &mut request,
        course,
        registration,
        line_item.as_ref(),
    )?;
    Ok(request)
}

/// The AGS endpoint claim (the tool's granted AGS scopes, the scoped line items URL and, for a link bound to
/// one line item, its URL) and the NRPS claim (the scoped membership URL), each when the tool may use it.
fn add_service_claims(
    state: &PlatformState,
    request: &mut LaunchRequest,
    course: &ContainerContext,
    registration: &ToolRegistration,
    line_item: Option<&LineItemKey>,
) -> Result<(), AppError> {
    let client_id = registration.client_id();
    let ags_scopes: Vec<&str> = registration
        .scopes()
        .filter(|s| lti_ags::scope::ALL.contains(s))
        .collect();
    if !ags_scopes.is_empty() {
        let ags = state
            .ags()
            .endpoint_claim(&course.id, client_id, &ags_scopes, line_item);
        let value = serde_json::to_value(&ags).map_err(|e| AppError::internal(&e))?;
        request
            .extra_claims
            .insert(claim::AGS_ENDPOINT.to_owned(), value);
    }
    if registration.allows_scope(lti_nrps::uri::SCOPE_CONTEXT_MEMBERSHIP_READONLY) {
        let nrps = state.nrps().claim(&course.id, client_id);
        let value = serde_json::to_value(&nrps).map_err(|e| AppError::internal(&e))?;
        request.extra_claims.insert(claim::NRPS.to_owned(), value);
    }
    Ok(())
}

fn launch_user(member: &Member) -> LaunchUser {
    let mut user = LaunchUser::new(member.user_id.clone());
    user.name = member.name.clone();
    user.given_name = member.given_name.clone();
    user.family_name = member.family_name.clone();
    user.email = member.email.clone();
    user
}

fn context(course: &ContainerContext) -> Context {
    let mut context = Context::new(course.id.clone());
    context.title = course.title.clone();
    context.label = course.label.clone();
    context.context_type = vec![COURSE_OFFERING.to_owned()];
    context
}
