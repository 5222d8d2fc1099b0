//! The [`Store`] contract as executable tests, so every backend (ours and yours) is held to the same rules.
//!
//! Each case is a `pub async fn(Arc<dyn Store>, Arc<ManualClock>)` that panics when the backend breaks the
//! contract. The store must be fresh (empty) and read its time from the given clock. Stamp one test per case out
//! with [`store_contract_tests!`](crate::store_contract_tests), or run them all in one test with [`run_all`]:
//!
//! ```
//! # mod demo {
//! use lti_storage::MemoryStore;
//!
//! lti_storage::store_contract_tests!(memory, |clock| async move { MemoryStore::with_clock(clock) });
//! # }
//! ```
//!
//! The constructor is async so that backends which connect (PostgreSQL, Redis) can; a backend that needs
//! cleanup should own it (drop a schema, delete a directory) so it happens when the store is dropped.
//!
//! Cases use the namespaces [`NS`] and [`NS_OTHER`] and start the clock at [`START_UNIX_SECONDS`].
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test suite: a failed assertion is how it reports"
)]

mod atomic;
mod basics;
mod counting;
mod scan;
mod ttl;

use std::future::Future;
use std::sync::Arc;

pub use self::atomic::{
    compare_and_swap_semantics, concurrent_compare_and_swap_loses_no_update,
    concurrent_insert_if_absent_has_one_winner, concurrent_insert_over_expired_has_one_winner,
    concurrent_take_has_one_winner, take_semantics,
};
pub use self::basics::{
    flush_succeeds, get_put_delete, key_too_long_is_rejected, namespaces_are_isolated,
};
pub use self::counting::CountingStore;
pub use self::scan::{
    scan_prefix_bounds, scan_prefix_limits, scan_prefix_paging, scan_prefix_skips_expired,
};
pub use self::ttl::{expired_counts_as_absent, purge_expired_removes_only_expired, ttl_expiry};
use crate::{ManualClock, Namespace, Store};

/// The namespace most cases write to.
pub const NS: Namespace = Namespace::new("lti.storage.contract");

/// A second namespace, for the isolation case.
pub const NS_OTHER: Namespace = Namespace::new("lti.storage.contract-other");

/// Where each case's [`ManualClock`] starts (2023-11-14T22:13:20Z).
pub const START_UNIX_SECONDS: u64 = 1_700_000_000;

/// Runs every contract case in turn, each on a fresh store from `make`, inside the caller's tokio runtime
/// (a multi-threaded one, so the concurrency cases race for real).
///
/// # Panics
/// When the backend breaks the contract: the message names the case and what was wrong.
pub async fn run_all<M, Fut, S>(make: M)
where
    M: Fn(Arc<ManualClock>) -> Fut,
    Fut: Future<Output = S>,
    S: Store + 'static,
{
    // keep in step with `store_contract_tests!`
    macro_rules! run {
        ($($case:ident)*) => {$(
            let clock = Arc::new(ManualClock::at_unix_seconds(START_UNIX_SECONDS));
            let store: Arc<dyn Store> = Arc::new(make(Arc::clone(&clock)).await);
            $case(store, clock).await;
        )*};
    }
    run! {
        get_put_delete namespaces_are_isolated key_too_long_is_rejected flush_succeeds
        ttl_expiry expired_counts_as_absent purge_expired_removes_only_expired
        concurrent_insert_if_absent_has_one_winner concurrent_insert_over_expired_has_one_winner
        compare_and_swap_semantics concurrent_compare_and_swap_loses_no_update
        take_semantics concurrent_take_has_one_winner
        scan_prefix_bounds scan_prefix_paging scan_prefix_limits scan_prefix_skips_expired
    }
}

/// Runs one `case` on a fresh store from `make`, on a new multi-threaded tokio runtime with four workers; what
/// `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]` would do. Used by
/// [`store_contract_tests!`](crate::store_contract_tests).
///
/// # Panics
/// When the runtime cannot start or the case fails.
pub fn run_case<M, Fut, S, C, CaseFut>(make: M, case: C)
where
    M: FnOnce(Arc<ManualClock>) -> Fut,
    Fut: Future<Output = S>,
    S: Store + 'static,
    C: FnOnce(Arc<dyn Store>, Arc<ManualClock>) -> CaseFut,
    CaseFut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("start a tokio runtime for the contract case");
    runtime.block_on(async move {
        let clock = Arc::new(ManualClock::at_unix_seconds(START_UNIX_SECONDS));
        let store: Arc<dyn Store> = Arc::new(make(Arc::clone(&clock)).await);
        case(store, clock).await;
    });
}

/// Stamps out one `#[test]` per contract case, in a module named `$module`, for the backend that `$make` builds.
///
/// `$make` is a closure from the case's `Arc<ManualClock>` to a future of a fresh store that uses that clock.
/// The module imports the caller's scope (`use super::*`).
///
/// ```
/// # mod demo {
/// use lti_storage::MemoryStore;
///
/// lti_storage::store_contract_tests!(memory, |clock| async move { MemoryStore::with_clock(clock) });
/// # }
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    ($module:ident, $make:expr $(,)?) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            // keep in step with `test_suite::run_all`
            $crate::__store_contract_test! { $make;
                get_put_delete namespaces_are_isolated key_too_long_is_rejected flush_succeeds
                ttl_expiry expired_counts_as_absent purge_expired_removes_only_expired
                concurrent_insert_if_absent_has_one_winner concurrent_insert_over_expired_has_one_winner
                compare_and_swap_semantics concurrent_compare_and_swap_loses_no_update
                take_semantics concurrent_take_has_one_winner
                scan_prefix_bounds scan_prefix_paging scan_prefix_limits scan_prefix_skips_expired
            }
        }
    };
}

/// One `#[test]` per case name; the body of [`store_contract_tests!`](crate::store_contract_tests).
#[doc(hidden)]
#[macro_export]
macro_rules! __store_contract_test {
    ($make:expr; $($case:ident)*) => {$(
        #[test]
        fn $case() {
            $crate::test_suite::run_case($make, $crate::test_suite::$case);
        }
    )*};
}
