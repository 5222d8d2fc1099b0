//! A platform for the tests: an [`AgsService`] over a [`StoreGradebook`], a [`StoreContextAdoption`], and a
//! [`ServiceAuthorizer`] over the tokens the test's token endpoint issued.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use lti_ags::gradebook::{LineItemKey, LineItemOwner};
use lti_ags::{AgsService, StoreGradebook};
use lti_core::service_access::{
    BearerToken, ScopedUrlKey, ServiceAccessError, ServiceAuthorizer, ServiceCaller, ServiceGate,
    StoreContextAdoption,
};
use lti_core::{ClientId, ContextId, DeploymentId, ResourceLinkId};
use lti_security::oauth::Scopes;
use lti_storage::Store;

pub const BASE: &str = "https://lms.example/lti/ags";
pub const TOOL_A: &str = "tool-a";
pub const TOOL_B: &str = "tool-b";
pub const DEPLOYMENT_A: &str = "deployment-a";
pub const DEPLOYMENT_B: &str = "deployment-b";
/// Tool A is deployed in both; tool B in the first only.
pub const COURSE_1: &str = "Course-1";
pub const COURSE_2: &str = "Course-2";
/// A resource link of tool A in course 1.
pub const LINK_A1: &str = "Link-A1";
/// A resource link of tool B in course 1.
pub const LINK_B1: &str = "Link-B1";

/// Tokens issued by the test's token endpoint: token → caller.
#[derive(Debug, Default)]
pub struct IssuedTokens {
    tokens: Mutex<HashMap<String, ServiceCaller>>,
}

impl IssuedTokens {
    /// Issues a fresh random token for `client_id` (deployment `deployment_id`) with `scopes`.
    pub fn issue(&self, client_id: &str, deployment_id: Option<&str>, scopes: &[&str]) -> String {
        let token = lti_security::random_token(32).unwrap();
        self.remember(&token, client_id, deployment_id, scopes);
        token
    }

    /// Remembers `token` as issued.
    pub fn remember(
        &self,
        token: &str,
        client_id: &str,
        deployment_id: Option<&str>,
        scopes: &[&str],
    ) {
        let caller = ServiceCaller::new(
            ClientId::from(client_id),
            deployment_id.map(DeploymentId::from),
            scopes.iter().copied().collect::<Scopes>(),
        );
        self.tokens.lock().unwrap().insert(token.to_owned(), caller);
    }

    /// Forgets every token (revocation).
    pub fn revoke_all(&self) {
        self.tokens.lock().unwrap().clear();
    }
}

#[async_trait]
impl ServiceAuthorizer for IssuedTokens {
    async fn caller(&self, token: &BearerToken<'_>) -> Result<ServiceCaller, ServiceAccessError> {
        self.tokens
            .lock()
            .unwrap()
            .get(token.secret())
            .cloned()
            .ok_or(ServiceAccessError::InvalidToken {
                reason: "unknown, expired or revoked token",
            })
    }
}

pub struct TestPlatform {
    pub service: Arc<AgsService>,
    pub gradebook: Arc<StoreGradebook>,
    pub adoption: StoreContextAdoption,
    pub tokens: Arc<IssuedTokens>,
    pub urls: ScopedUrlKey,
}

impl TestPlatform {
    pub async fn new(store: Arc<dyn Store>) -> Self {
        let tokens = Arc::new(IssuedTokens::default());
        let adoption = StoreContextAdoption::new(Arc::clone(&store));
        let urls = ScopedUrlKey::new(&[42u8; 32]).unwrap();
        let gate = ServiceGate::new(tokens.clone(), Arc::new(adoption.clone()), urls.clone());
        let gradebook = Arc::new(StoreGradebook::new(store));
        let service = Arc::new(AgsService::new(BASE, gate, gradebook.clone()).unwrap());
        for (client, deployment, course) in [
            (TOOL_A, DEPLOYMENT_A, COURSE_1),
            (TOOL_A, DEPLOYMENT_A, COURSE_2),
            (TOOL_B, DEPLOYMENT_B, COURSE_1),
        ] {
            adoption
                .adopt(
                    &ClientId::from(client),
                    &DeploymentId::from(deployment),
                    &ContextId::from(course),
                )
                .await
                .unwrap();
        }
        gradebook
            .add_resource_link(&owner(TOOL_A, COURSE_1), &ResourceLinkId::from(LINK_A1))
            .await
            .unwrap();
        gradebook
            .add_resource_link(&owner(TOOL_B, COURSE_1), &ResourceLinkId::from(LINK_B1))
            .await
            .unwrap();
        Self {
            service,
            gradebook,
            adoption,
            tokens,
            urls,
        }
    }

    /// The container URL of `client` in `course`.
    pub fn container(&self, client: &str, course: &str) -> String {
        self.service
            .line_items_url(&ContextId::from(course), &ClientId::from(client))
    }

    /// A token of `client` (its deployment) with `scopes`.
    pub fn token(&self, client: &str, scopes: &[&str]) -> String {
        let deployment = if client == TOOL_A {
            DEPLOYMENT_A
        } else {
            DEPLOYMENT_B
        };
        self.tokens.issue(client, Some(deployment), scopes)
    }

    pub async fn call(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        self.service.serve(request).await
    }
}

pub fn owner(client: &str, course: &str) -> LineItemOwner {
    LineItemOwner::new(ContextId::from(course), ClientId::from(client))
}

/// The line item key at the end of a line item URL.
pub fn key_of(url: &str) -> LineItemKey {
    LineItemKey::parse(url.rsplit('/').next().unwrap()).unwrap()
}

/// A request with a bearer token and optional `Content-Type` / `Accept`.
pub fn request(
    method: &str,
    url: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: impl Into<Bytes>,
) -> http::Request<Bytes> {
    let mut builder = http::Request::builder().method(method).uri(url);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    builder.body(body.into()).unwrap()
}

pub fn json_body(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(response.body())
        )
    })
}
