//! Storage for lti-rs: one small key/value contract ([`Store`]) that every stateful part of LTI is built on
//! (single-use nonces and `jti`s, key rings, access tokens, registrations, grades), with an embedded,
//! persistent default ([`SledStore`], feature `sled`) and an in-memory backend ([`MemoryStore`]).
#![forbid(unsafe_code)]

mod clock;
mod error;
mod store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, ErrorKind};
pub use store::{CasOutcome, Entry, MAX_KEY_LEN, MAX_SCAN_LIMIT, Namespace, Store};
