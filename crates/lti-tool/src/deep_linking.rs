//! Deep linking on the tool side [DL §2; `deep-linking.md` §1–2]: accept `LtiDeepLinkingRequest` at the launch
//! endpoint, read the request from the validated [`Launch`], and answer with the auto-submitting response page.
//!
//! The protocol rules (settings, items, signing) live in `lti-deep-linking`; this module only wires them to the
//! facade.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use lti_deep_linking::{
    DeepLinkingRequest, DeepLinkingRequestRules, Error as DeepLinkingError,
    SignedDeepLinkingResponse,
};

use crate::{Launch, ToolBuilder};

impl ToolBuilder {
    /// Also accepts `LtiDeepLinkingRequest` at the launch endpoint, with its required-claim rules
    /// ([`DeepLinkingRequestRules`]: the settings claim with return URL, `accept_types` and
    /// `accept_presentation_document_targets`; no `resource_link`) (checklist I84).
    pub fn deep_linking(self) -> Self {
        self.add_message_rules(Arc::new(DeepLinkingRequestRules::new()))
    }
}

/// The deep linking request of a validated launch: the platform issuer, the client id, the deployment and the
/// typed settings, ready for [`DeepLinkingResponse::builder`](lti_deep_linking::DeepLinkingResponse::builder).
///
/// # Errors
/// [`DeepLinkingError::NotDeepLinkingRequest`] when the launch is another message type;
/// [`DeepLinkingError::Request`] when its settings are unusable.
pub fn deep_linking_request(launch: &Launch) -> Result<DeepLinkingRequest, DeepLinkingError> {
    DeepLinkingRequest::from_message(launch.message(), launch.registration().client_id().clone())
}

/// The page to answer the browser with: it posts the signed response (field `JWT`) to the platform's
/// `deep_link_return_url` in the same frame or window (checklist I87). `200`, HTML, `Cache-Control: no-store`.
pub fn deep_linking_response_page(signed: &SignedDeepLinkingResponse) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from(signed.form_html()));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
