#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The README names `ReqwestClient`, which exists only with the `reqwest` feature.
#![cfg_attr(not(feature = "reqwest"), allow(rustdoc::broken_intra_doc_links))]

mod client;
mod error;
mod exchange;
mod fn_client;
mod handler;
mod link;
mod redact;
#[cfg(feature = "reqwest")]
mod reqwest_client;
mod router;

pub use client::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, HttpClient, MAX_REDIRECTS, RequestOptions,
};
pub use error::HttpError;
pub use fn_client::FnClient;
pub use handler::Handler;
pub use link::{
    Link, LinkError, MAX_LINK_HEADER_BYTES, MAX_LINK_PARAMS, MAX_LINKS, find_link, format_links,
    parse_link_header, parse_link_headers,
};
pub use redact::redacted_url;
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use reqwest_client::{DEFAULT_USER_AGENT, ReqwestClient, ReqwestClientBuilder};
pub use router::RouterClient;
