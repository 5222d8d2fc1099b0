#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod error;
#[cfg(feature = "platform")]
mod form;
mod html;
pub mod items;
#[cfg(feature = "platform")]
mod links;
mod message;
#[cfg(feature = "platform")]
mod pending;
mod policy;
mod request;
#[cfg(feature = "tool")]
mod response;
mod rules;
mod settings;
pub mod uri;
#[cfg(feature = "platform")]
mod verify;

pub use error::Error;
#[cfg(feature = "platform")]
pub use form::{MAX_RESPONSE_FORM_BYTES, jwt_from_form};
pub use html::escape_html;
pub use items::ContentItem;
#[cfg(feature = "platform")]
pub use links::{
    CreatedLink, LineItemRecord, ResourceLinkRecord, ResourceLinkStore, StoreResourceLinks,
    create_resource_links,
};
pub use message::ResponseMessage;
#[cfg(feature = "platform")]
pub use pending::{DEFAULT_PENDING_TTL, PendingRequest, PendingRequests};
pub use policy::{MAX_CONTENT_ITEMS, check_items};
pub use request::DeepLinkingRequest;
#[cfg(feature = "tool")]
pub use response::{
    DEFAULT_RESPONSE_TTL, DeepLinkingResponse, ResponseBuilder, SignedDeepLinkingResponse,
};
pub use rules::DeepLinkingRequestRules;
pub use settings::DeepLinkingSettings;
#[cfg(feature = "platform")]
pub use verify::{DEFAULT_MAX_RESPONSE_AGE, ResponseVerifier, VerifiedDeepLinkingResponse};
