//! The typed inputs of one launch and the login initiation that starts it.

use lti_core::claims::{Context, Custom, LaunchPresentation, ResourceLink};
use lti_core::login::{LoginInitiation, auto_submit_form};
use lti_core::message::MessageType;
use lti_core::{ClientId, DeploymentId, LtiMessageHint, Role, TargetLinkUri, UserId};
use serde_json::{Map, Value};
use url::Url;

/// Everything the platform needs to launch one user into one tool: the typed source of the `id_token` claims
/// [Core §5].
///
/// Build it with [`LaunchRequest::resource_link`] (or [`LaunchRequest::new`] for other message types), set the
/// optional parts through the `with_*` methods or the public fields, and pass it to
/// [`Platform::start_launch`](crate::Platform::start_launch).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LaunchRequest {
    /// The tool's client id (selects the [`ToolRegistration`](lti_core::ToolRegistration)).
    pub client_id: ClientId,
    /// The deployment; must be registered for the tool.
    pub deployment_id: DeploymentId,
    /// The launching user; `None` is an anonymous launch (no `sub`, no identity claims) [Core §5.3.6.1].
    pub user: Option<LaunchUser>,
    /// The user's roles, sent as canonical full URIs [Core §5.3.7] (checklist E58).
    pub roles: Vec<Role>,
    /// The users a mentor launches for (`role_scope_mentor`); only with the context `Mentor` role [Core §5.4.3].
    pub role_scope_mentor: Vec<UserId>,
    /// The message type.
    pub message_type: MessageType,
    /// The resource link (required for `LtiResourceLinkRequest`).
    pub resource_link: Option<ResourceLink>,
    /// The context (course) the launch happens in, if any.
    pub context: Option<Context>,
    /// Where the tool should land; `None` uses the registration's `target_link_uri`.
    pub target_link_uri: Option<TargetLinkUri>,
    /// Custom parameters, merged over the registration's (these win) [Core §5.4.6].
    pub custom: Custom,
    /// How the tool is shown [Core §5.4.4].
    pub launch_presentation: Option<LaunchPresentation>,
    /// Further claims (service claims, vendor extensions), by full claim URI.
    pub extra_claims: Map<String, Value>,
    /// The user whose work is reviewed (submission review launches) [SR 1.0].
    pub for_user: Option<lti_core::claims::ForUser>,
}

impl LaunchRequest {
    /// A launch of `message_type` for `user` (`None`: anonymous) with no roles and nothing optional set.
    pub fn new(
        client_id: ClientId,
        deployment_id: DeploymentId,
        message_type: MessageType,
        user: Option<LaunchUser>,
    ) -> Self {
        Self {
            client_id,
            deployment_id,
            user,
            roles: Vec::new(),
            role_scope_mentor: Vec::new(),
            message_type,
            resource_link: None,
            context: None,
            target_link_uri: None,
            custom: Custom::new(),
            launch_presentation: None,
            extra_claims: Map::new(),
            for_user: None,
        }
    }

    /// An `LtiSubmissionReviewRequest` (checklist O131): `reviewer` (an instructor, usually) asks the tool to show
    /// `for_user`'s submission for line item `line_item` of `ags` (the container claim of the context; its
    /// `lineitem` is set to `line_item`). The target is the line item's `submissionReview.url` when it declares
    /// one, else the registration's; its `submissionReview.custom` goes into `custom`. Add the reviewer's roles
    /// and the context as for any launch.
    pub fn submission_review(
        client_id: ClientId,
        deployment_id: DeploymentId,
        reviewer: Option<LaunchUser>,
        for_user: lti_core::claims::ForUser,
        mut ags: lti_ags::AgsEndpointClaim,
        line_item: lti_ags::LineItemId,
        review: Option<&lti_ags::SubmissionReview>,
    ) -> Self {
        ags.lineitem = Some(line_item);
        let mut request = Self::new(
            client_id,
            deployment_id,
            MessageType::LtiSubmissionReviewRequest,
            reviewer,
        )
        .with_ags_endpoint(ags.to_claim());
        request.for_user = Some(for_user);
        if let Some(review) = review {
            request.target_link_uri = review.url.as_deref().map(TargetLinkUri::from);
            for (name, value) in review.custom.iter().flatten() {
                request.custom.0.insert(name.clone(), value.clone());
            }
        }
        request
    }

    /// An `LtiResourceLinkRequest` of `resource_link` for `user` (`None`: anonymous).
    pub fn resource_link(
        client_id: ClientId,
        deployment_id: DeploymentId,
        user: Option<LaunchUser>,
        resource_link: ResourceLink,
    ) -> Self {
        let mut request = Self::new(
            client_id,
            deployment_id,
            MessageType::LtiResourceLinkRequest,
            user,
        );
        request.resource_link = Some(resource_link);
        request
    }

    /// Sets the roles.
    #[must_use]
    pub fn with_roles(mut self, roles: impl IntoIterator<Item = Role>) -> Self {
        self.roles = roles.into_iter().collect();
        self
    }

    /// Sets the context.
    #[must_use]
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = Some(context);
        self
    }

    /// Sets the target link URI.
    #[must_use]
    pub fn with_target_link_uri(mut self, target_link_uri: TargetLinkUri) -> Self {
        self.target_link_uri = Some(target_link_uri);
        self
    }

    /// Adds a custom parameter.
    #[must_use]
    pub fn with_custom(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.0.insert(name.into(), value.into());
        self
    }

    /// Sets the launch presentation.
    #[must_use]
    pub fn with_launch_presentation(mut self, presentation: LaunchPresentation) -> Self {
        self.launch_presentation = Some(presentation);
        self
    }

    /// Sets the mentored users (`role_scope_mentor`).
    #[must_use]
    pub fn with_role_scope_mentor(mut self, users: impl IntoIterator<Item = UserId>) -> Self {
        self.role_scope_mentor = users.into_iter().collect();
        self
    }

    /// Adds a claim by its full URI (a service claim or a vendor extension).
    #[must_use]
    pub fn with_extra_claim(mut self, uri: impl Into<String>, value: Value) -> Self {
        self.extra_claims.insert(uri.into(), value);
        self
    }

    /// Offers Assignment and Grade Services: the endpoint claim, e.g. from
    /// `lti_ags::AgsService::endpoint_claim(..).to_claim()` (its URLs are checked as resolved https service URLs,
    /// checklist E63).
    #[must_use]
    pub fn with_ags_endpoint(self, claim: lti_core::claims::AgsEndpoint) -> Self {
        self.with_extra_claim(lti_core::uri::claim::AGS_ENDPOINT, claim.into_value())
    }

    /// Offers Names and Role Provisioning Services: the membership claim, e.g. from
    /// `lti_nrps::NrpsService::claim(..).to_service_claim()`.
    #[must_use]
    pub fn with_names_role_service(self, claim: lti_core::claims::NamesRoleService) -> Self {
        self.with_extra_claim(lti_core::uri::claim::NRPS, claim.into_value())
    }
}

/// The launching user: the stable id (`sub`) and the OIDC profile claims, which are sent only when the tool's
/// registration allows them (`include_name`, `include_email`) [Core §5.3.6] (checklist E59).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LaunchUser {
    /// The stable platform user id, sent as `sub` and used as `login_hint`.
    pub id: UserId,
    /// Full name (with `include_name`).
    pub name: Option<String>,
    /// Given name (with `include_name`).
    pub given_name: Option<String>,
    /// Family name (with `include_name`).
    pub family_name: Option<String>,
    /// Email address (with `include_email`).
    pub email: Option<String>,
    /// Picture URL (with `include_name`).
    pub picture: Option<String>,
    /// Locale (BCP 47); not personal data, always sent.
    pub locale: Option<String>,
}

impl LaunchUser {
    /// A user known by id only.
    pub fn new(id: UserId) -> Self {
        Self {
            id,
            name: None,
            given_name: None,
            family_name: None,
            email: None,
            picture: None,
            locale: None,
        }
    }

    /// Sets the names.
    #[must_use]
    pub fn with_names(
        mut self,
        name: impl Into<String>,
        given_name: impl Into<String>,
        family_name: impl Into<String>,
    ) -> Self {
        self.name = Some(name.into());
        self.given_name = Some(given_name.into());
        self.family_name = Some(family_name.into());
        self
    }

    /// Sets the email address.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// A started launch: the login initiation to send the browser to the tool's `initiate_login_uri`
/// [Sec §5.1.1.1] (checklist D51, D52).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoginStart {
    /// The GET form: `initiate_login_uri` with `iss`, `login_hint`, `target_link_uri`, `lti_message_hint`,
    /// `lti_deployment_id` and `client_id` in the query.
    pub url: Url,
    /// The tool's `initiate_login_uri` (the POST form's action).
    pub initiate_login_uri: Url,
    /// The initiation parameters.
    pub initiation: LoginInitiation,
}

impl LoginStart {
    /// The `lti_message_hint` that names this launch (single-use, short-lived).
    pub fn message_hint(&self) -> Option<&LtiMessageHint> {
        self.initiation.lti_message_hint.as_ref()
    }

    /// The POST form: an HTML page that auto-submits the initiation to `initiate_login_uri` (values escaped).
    pub fn form_html(&self) -> String {
        auto_submit_form(&self.initiate_login_uri, &self.initiation.to_pairs())
    }
}
