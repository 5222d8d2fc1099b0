//! Pluggable HTTP for lti-rs.
//!
//! - Outbound: the object-safe [`HttpClient`] trait over `http::Request<Bytes>` → `http::Response<Bytes>`, with a
//!   per-request timeout and a response-size cap so a hostile JWKS or roster URL cannot exhaust memory.
//!   [`ReqwestClient`] (feature `reqwest`, default) is the production client; [`RouterClient`] dispatches to
//!   in-process handlers so a tool and a platform can talk in one process without sockets.
//! - Inbound: lti-rs handlers take `http::Request<Bytes>` and return `http::Response<Bytes>`, so any server
//!   framework can mount them.
#![forbid(unsafe_code)]

mod client;
mod error;

pub use client::{DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, HttpClient, RequestOptions};
pub use error::HttpError;
