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

mod claim;
#[cfg(feature = "tool")]
mod client;
mod container;
mod error;
mod member;
#[cfg(feature = "tool")]
mod pages;
#[cfg(feature = "platform")]
mod privacy;
mod query;
#[cfg(feature = "platform")]
mod roster;
#[cfg(feature = "platform")]
mod service;
#[cfg(feature = "platform")]
mod store_roster;
pub mod uri;
#[cfg(feature = "platform")]
mod variables;

pub use claim::NrpsClaim;
#[cfg(feature = "tool")]
pub use client::{DEFAULT_MAX_PAGE_BYTES, DEFAULT_MAX_PAGES, NrpsClient};
pub use container::{ContainerContext, MembershipContainer};
pub use error::Error;
pub use member::{Member, MemberStatus};
#[cfg(feature = "tool")]
pub use pages::{Page, Pages};
#[cfg(feature = "platform")]
pub use privacy::Privacy;
pub use query::{MAX_ROLE_LEN, MembershipQuery};
#[cfg(feature = "platform")]
pub use roster::{
    ChangeMark, Cursor, MAX_CURSOR_LEN, PageRequest, ResourceLinkRecord, Roster, RosterPage,
};
#[cfg(feature = "platform")]
pub use service::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, NRPS_PURPOSE, NrpsService, error_response};
#[cfg(feature = "platform")]
pub use store_roster::{MAX_SCAN_PER_PAGE, StoreRoster};
#[cfg(feature = "platform")]
pub use variables::MemberVariables;

/// Whether a bearer token may be sent to `url`: `https` with a host, or `http` to a loopback host.
pub(crate) fn is_secure_service_url(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// `url` without query, fragment or user info: the form used in errors and logs.
pub(crate) fn shown_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // ok to ignore: these fail only for URLs that cannot have user info in the first place
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.into()
}
