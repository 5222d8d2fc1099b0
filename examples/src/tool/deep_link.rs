//! Answering a deep-linking request: the chosen catalogue activities as `ltiResourceLink` items (graded ones
//! with a line item when the platform accepts line items), signed with the tool's key and posted back through
//! the browser by the facade's auto-submit page.

use bytes::Bytes;
use http::StatusCode;
use lti_core::ClientId;
use lti_core::message::LtiMessage;
use lti_deep_linking::items::{LineItem, LtiResourceLink};
use lti_deep_linking::{DeepLinkingRequest, DeepLinkingResponse};
use lti_tool::deep_linking_response_page;

use super::activities::{Activity, GRADE_TAG};
use super::server::ToolServer;

/// Why the tool could not answer: status, machine code and message.
pub(crate) type Refusal = (StatusCode, &'static str, String);

/// The deep-linking request of a stored, verified message.
pub(crate) fn request(
    message: &LtiMessage,
    client_id: &str,
) -> Result<DeepLinkingRequest, Refusal> {
    DeepLinkingRequest::from_message(message, ClientId::new(client_id)).map_err(refusal)
}

/// The signed response carrying `chosen`, as the auto-submit page to the platform's return URL.
pub(crate) fn respond(
    server: &ToolServer,
    request: &DeepLinkingRequest,
    chosen: &[&Activity],
) -> Result<http::Response<Bytes>, Refusal> {
    let settings = request.settings();
    let line_items = settings.accept_lineitem == Some(true);
    let mut builder = DeepLinkingResponse::builder(request);
    for activity in chosen {
        let mut item = LtiResourceLink::new()
            .with_url(server.config().activity_url(activity.slug).as_str())
            .with_title(activity.title)
            .with_custom("activity", activity.slug);
        if let (Some(maximum), true) = (activity.score_maximum, line_items) {
            let mut line_item = LineItem::new(maximum);
            line_item.label = Some(activity.title.to_owned());
            line_item.resource_id = Some(activity.slug.to_owned());
            line_item.tag = Some(GRADE_TAG.to_owned());
            item = item.with_line_item(line_item);
        }
        builder = builder.item(item);
    }
    let count = chosen.len();
    let response = builder
        .msg(format!(
            "{count} activit{} added",
            if count == 1 { "y" } else { "ies" }
        ))
        .build()
        .map_err(refusal)?;
    let signed = response
        .sign(&server.keys().signing_key(), server.clock().unix_seconds())
        .map_err(refusal)?;
    tracing::info!(items = count, return_url = %settings.deep_link_return_url, "deep linking response signed");
    Ok(deep_linking_response_page(&signed))
}

fn refusal(e: lti_deep_linking::Error) -> Refusal {
    let message = if e.is_internal() {
        tracing::error!(error = %e, "deep linking failed");
        "internal error; see the tool's logs".to_owned()
    } else {
        e.to_string()
    };
    (e.status(), e.code(), message)
}
