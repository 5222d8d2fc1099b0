//! The `Store` contract suite, run against every backend in this crate.
#![allow(clippy::unwrap_used, reason = "tests")]

use lti_storage::{MemoryStore, SledStore, store_contract_tests};

store_contract_tests!(
    memory,
    |clock| async move { MemoryStore::with_clock(clock) }
);

store_contract_tests!(sled, |clock| async move {
    SledStore::temporary_with_clock(clock).unwrap()
});

/// The same suite through `run_all`, as a backend outside this crate would run it in one test.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_memory() {
    lti_storage::test_suite::run_all(|clock| async move { MemoryStore::with_clock(clock) }).await;
}
