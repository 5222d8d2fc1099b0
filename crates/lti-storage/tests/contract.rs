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

/// A store that keeps the provided `Store::take` (get + compare-and-swap), as a third-party backend that does
/// not override it would: the suite checks that the default is atomic too.
mod provided_take {
    use std::time::Duration;

    use async_trait::async_trait;
    use lti_storage::{CasOutcome, Entry, Error, MemoryStore, Namespace, Store};

    #[derive(Debug)]
    pub(crate) struct ProvidedTake(pub(crate) MemoryStore);

    #[async_trait]
    impl Store for ProvidedTake {
        async fn get(&self, ns: Namespace, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
            self.0.get(ns, key).await
        }
        async fn put(
            &self,
            ns: Namespace,
            key: &[u8],
            value: &[u8],
            ttl: Option<Duration>,
        ) -> Result<(), Error> {
            self.0.put(ns, key, value, ttl).await
        }
        async fn insert_if_absent(
            &self,
            ns: Namespace,
            key: &[u8],
            value: &[u8],
            ttl: Option<Duration>,
        ) -> Result<bool, Error> {
            self.0.insert_if_absent(ns, key, value, ttl).await
        }
        async fn compare_and_swap(
            &self,
            ns: Namespace,
            key: &[u8],
            expected: Option<&[u8]>,
            new: Option<&[u8]>,
            ttl: Option<Duration>,
        ) -> Result<CasOutcome, Error> {
            self.0.compare_and_swap(ns, key, expected, new, ttl).await
        }
        async fn delete(&self, ns: Namespace, key: &[u8]) -> Result<bool, Error> {
            self.0.delete(ns, key).await
        }
        async fn scan_prefix(
            &self,
            ns: Namespace,
            prefix: &[u8],
            start_after: Option<&[u8]>,
            limit: usize,
        ) -> Result<Vec<Entry>, Error> {
            self.0.scan_prefix(ns, prefix, start_after, limit).await
        }
        async fn purge_expired(&self, ns: Namespace, limit: usize) -> Result<usize, Error> {
            self.0.purge_expired(ns, limit).await
        }
        async fn flush(&self) -> Result<(), Error> {
            self.0.flush().await
        }
    }
}

store_contract_tests!(memory_with_provided_take, |clock| async move {
    provided_take::ProvidedTake(MemoryStore::with_clock(clock))
});
