//! Deep linking on the platform side [DL §2; `deep-linking.md` §1, §4]: start an `LtiDeepLinkingRequest` whose
//! `data` is a single-use value the platform keeps, receive the tool's response at the return URL, create
//! resource links from its items, and launch them.
//!
//! The protocol rules live in `lti-deep-linking`; this module wires them to the [`Platform`]'s store, clock,
//! issuer and tool registry.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, header};
use lti_core::claims::{Context, ResourceLink};
use lti_core::message::MessageType;
use lti_core::registration::ToolKeys;
use lti_core::uri::claim;
use lti_deep_linking::{
    CreatedLink, DeepLinkingSettings, Error as DeepLinkingError, PendingRequest,
    ResourceLinkRecord, ResponseVerifier, StoreResourceLinks, VerifiedDeepLinkingResponse,
    create_resource_links, jwt_from_form,
};
use lti_security::{JwksCache, KeyResolver, KeySet};
use tracing::Instrument as _;

use crate::error::escape_html;
use crate::platform::log_error;
use crate::{LaunchRequest, LaunchUser, LoginStart, Platform, PlatformError, response};

/// The platform's deep linking endpoints. Cheap to clone.
///
/// Build it from the [`Platform`] and a [`JwksCache`] (to fetch the tools' key sets; tools registered with a
/// static key need none). Pending requests, used response nonces and created links live in the platform's store.
#[derive(Debug, Clone)]
pub struct DeepLinking {
    platform: Platform,
    verifier: ResponseVerifier,
    jwks: JwksCache,
}

impl DeepLinking {
    /// Deep linking for `platform`, fetching tool keys through `jwks`.
    pub fn new(platform: &Platform, jwks: JwksCache) -> Self {
        let inner = &platform.inner;
        Self {
            verifier: ResponseVerifier::new(
                inner.config.issuer.clone(),
                Arc::clone(&inner.store),
                Arc::clone(&inner.clock),
            ),
            platform: platform.clone(),
            jwks,
        }
    }

    /// Replaces the response verifier's settings (leeway, maximum age), e.g.
    /// `deep_linking.with_verifier(|v| v.with_leeway(d))`.
    #[must_use]
    pub fn with_verifier(mut self, f: impl FnOnce(ResponseVerifier) -> ResponseVerifier) -> Self {
        self.verifier = f(self.verifier);
        self
    }

    /// Starts a deep linking launch (checklist J90): `request` becomes an `LtiDeepLinkingRequest` (it must have
    /// no resource link) carrying `settings`, whose `data` is replaced by a fresh random single-use value kept in
    /// the store with the offered settings, the client, deployment, user and context. The rest is
    /// [`Platform::start_launch`].
    ///
    /// # Errors
    /// [`PlatformError::InvalidLaunch`] for a resource link or unusable settings; the errors of
    /// [`Platform::start_launch`]; [`PlatformError::Storage`] / [`PlatformError::Crypto`].
    pub async fn start(
        &self,
        mut request: LaunchRequest,
        settings: DeepLinkingSettings,
    ) -> Result<LoginStart, PlatformError> {
        if request.resource_link.is_some() {
            return Err(PlatformError::InvalidLaunch {
                field: claim::RESOURCE_LINK.to_owned(),
                reason: "a deep linking request has no resource link [DL §4.4]".to_owned(),
            });
        }
        settings.check().map_err(PlatformError::LaunchMessage)?;
        let registration = self.platform.registration(&request.client_id).await?;
        if !registration.accepts_deployment(&request.deployment_id) {
            return Err(PlatformError::DeploymentUnknown {
                client_id: request.client_id,
                deployment_id: request.deployment_id,
            });
        }
        let mut pending = PendingRequest::new(
            request.client_id.clone(),
            request.deployment_id.clone(),
            settings,
        );
        pending.user_id = request.user.as_ref().map(|u| u.id.clone());
        pending.context_id = request.context.as_ref().and_then(|c| c.id.clone());
        self.verifier
            .pending()
            .remember(&mut pending)
            .await
            .map_err(into_platform_error)?;
        let settings = pending
            .settings
            .to_claim()
            .map_err(PlatformError::LaunchMessage)?;
        request.message_type = MessageType::LtiDeepLinkingRequest;
        request.extra_claims.insert(
            claim::DEEP_LINKING_SETTINGS.to_owned(),
            settings.into_value(),
        );
        self.platform.start_launch(request).await
    }

    /// The return endpoint (mount it at the `deep_link_return_url` offered): a POST of
    /// `application/x-www-form-urlencoded` with field `JWT`, verified by [`ResponseVerifier`] with the sending
    /// tool's keys (checklist J91–J93). Compare [`VerifiedDeepLinkingResponse::user_id`] with the session that
    /// posted it.
    ///
    /// # Errors
    /// The [`DeepLinkingError`] of the first failing check; answer with [`error_page`](Self::error_page).
    pub async fn receive(
        &self,
        request: &http::Request<Bytes>,
    ) -> Result<VerifiedDeepLinkingResponse, DeepLinkingError> {
        self.receive_checked(request, None).await
    }

    /// [`receive`](Self::receive) for the signed-in `user` of the session that posts the response (`None`: no
    /// user): a response to a request started for someone else is refused with 403 **before** its nonce or the
    /// request's `data` is spent, so the rightful user's response stays usable.
    ///
    /// # Errors
    /// As [`receive`](Self::receive), and `UserMismatch` (403).
    pub async fn receive_for(
        &self,
        request: &http::Request<Bytes>,
        user: Option<&lti_core::UserId>,
    ) -> Result<VerifiedDeepLinkingResponse, DeepLinkingError> {
        self.receive_checked(request, Some(user)).await
    }

    async fn receive_checked(
        &self,
        request: &http::Request<Bytes>,
        user: Option<Option<&lti_core::UserId>>,
    ) -> Result<VerifiedDeepLinkingResponse, DeepLinkingError> {
        let span = tracing::info_span!(
            "lti.dl.return",
            client_id = tracing::field::Empty,
            deployment_id = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let result = self
            .receive_inner(request, user)
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        match &result {
            Ok(verified) => {
                span.record("deployment_id", verified.deployment_id().as_str());
                span.record("status", 200u16);
                tracing::debug!(
                    items = verified.items().len(),
                    "deep linking response accepted"
                );
            }
            Err(error) => {
                span.record("status", error.status().as_u16());
                if error.is_internal() {
                    tracing::error!(code = error.code(), %error, "deep linking response failed");
                } else {
                    tracing::debug!(code = error.code(), %error, "deep linking response refused");
                }
            }
        }
        result
    }

    async fn receive_inner(
        &self,
        request: &http::Request<Bytes>,
        user: Option<Option<&lti_core::UserId>>,
    ) -> Result<VerifiedDeepLinkingResponse, DeepLinkingError> {
        if request.method() != Method::POST {
            return Err(DeepLinkingError::Method {
                method: request.method().to_string(),
            });
        }
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(DeepLinkingError::ContentType {
                found: content_type.chars().take(100).collect(),
            });
        }
        let jwt = jwt_from_form(request.body())?;
        let client_id = self.verifier.unverified_client_id(&jwt)?;
        tracing::Span::current().record("client_id", client_id.as_str());
        let registration = self
            .platform
            .inner
            .tools
            .find(&client_id)
            .await
            .map_err(DeepLinkingError::backend)?
            .ok_or_else(|| DeepLinkingError::UnknownClient {
                client_id: client_id.as_str().chars().take(100).collect(),
            })?;
        let keys: Box<dyn KeyResolver> = match registration.keys() {
            ToolKeys::JwksUrl(url) => Box::new(self.jwks.resolver(url.clone())),
            ToolKeys::Static(_) => {
                let key = registration
                    .keys()
                    .static_key()
                    .map_err(DeepLinkingError::backend)?;
                Box::new(KeySet::from_keys(key))
            }
            _ => {
                return Err(DeepLinkingError::backend(
                    "the tool's registration has a kind of key this version cannot use",
                ));
            }
        };
        match user {
            Some(user) => {
                self.verifier
                    .verify_for_user(&jwt, &registration, keys.as_ref(), user)
                    .await
            }
            None => {
                self.verifier
                    .verify(&jwt, &registration, keys.as_ref())
                    .await
            }
        }
    }

    /// Creates the resource links (and, with `accept_lineitem: true`, line items) of a verified response in the
    /// platform's store (checklist J94, J95); see [`create_resource_links`].
    ///
    /// # Errors
    /// As [`create_resource_links`].
    pub async fn create_resource_links(
        &self,
        response: &VerifiedDeepLinkingResponse,
    ) -> Result<Vec<CreatedLink>, DeepLinkingError> {
        create_resource_links(&self.resource_links(), response).await
    }

    /// The resource links and line items created by deep linking, in the platform's store.
    pub fn resource_links(&self) -> StoreResourceLinks {
        StoreResourceLinks::new(Arc::clone(&self.platform.inner.store))
    }

    /// An escaped HTML error page with the error's status; internal details are not shown.
    pub fn error_page(error: &DeepLinkingError) -> http::Response<Bytes> {
        let message = if error.is_internal() {
            "internal error; the details are in the platform's log".to_owned()
        } else {
            error.to_string()
        };
        let body = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Deep linking error</title></head>\n<body>\n<h1>Deep linking error</h1>\n<p>{}</p>\n<p><code>{}</code></p>\n</body></html>\n",
            escape_html(&message),
            error.code()
        );
        response::html(error.status(), body)
    }
}

/// The launch of a resource link created by deep linking, for `user` (checklist J94): an
/// `LtiResourceLinkRequest` with the link's id, title and text, its `url` as `target_link_uri` (none: the
/// tool's default), its `custom` parameters, and its context (id only; add title and label with
/// [`LaunchRequest::with_context`]). Set the roles before starting it.
pub fn launch_request_for(link: &ResourceLinkRecord, user: Option<LaunchUser>) -> LaunchRequest {
    let mut resource_link = ResourceLink::new(link.id.clone());
    resource_link.title = link.title.clone();
    resource_link.description = link.text.clone();
    let mut request = LaunchRequest::resource_link(
        link.client_id.clone(),
        link.deployment_id.clone(),
        user,
        resource_link,
    );
    if let Some(url) = &link.url {
        request.target_link_uri = Some(lti_core::TargetLinkUri::new(url.as_str()));
    }
    request.custom = link.custom.clone();
    if let Some(context_id) = &link.context_id {
        request.context = Some(Context::new(context_id.clone()));
    }
    request
}

fn into_platform_error(error: DeepLinkingError) -> PlatformError {
    match error {
        DeepLinkingError::Storage(e) => PlatformError::Storage(e),
        DeepLinkingError::Crypto(e) => PlatformError::Crypto(e),
        other => {
            let e = PlatformError::InvalidLaunch {
                field: claim::DEEP_LINKING_SETTINGS.to_owned(),
                reason: other.to_string(),
            };
            log_error(&e);
            e
        }
    }
}
