#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
mod error;
mod expiry;
mod memory;
mod sled_store;
mod store;
#[cfg(feature = "test-suite")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-suite")))]
pub mod test_suite;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, ErrorKind};
pub use memory::MemoryStore;
#[cfg(feature = "sled")]
#[cfg_attr(docsrs, doc(cfg(feature = "sled")))]
pub use sled_store::SledStore;
pub use store::{CasOutcome, Entry, MAX_KEY_LEN, MAX_SCAN_LIMIT, Namespace, Store};
