//! Storage errors.

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key is longer than [`MAX_KEY_LEN`](crate::MAX_KEY_LEN).
    #[error("storage key is {len} bytes; the limit is {limit}")]
    KeyTooLong {
        /// The key's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A scan `limit` of 0 or above [`MAX_SCAN_LIMIT`](crate::MAX_SCAN_LIMIT).
    #[error("scan limit must be 1..={max} (found {found})")]
    InvalidLimit {
        /// The limit asked for.
        found: usize,
        /// The largest allowed.
        max: usize,
    },
    /// A stored record could not be decoded (written by something else, or damaged).
    #[error("stored record in namespace `{namespace}` is corrupt: {reason}")]
    Corrupt {
        /// The namespace.
        namespace: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The backend failed (I/O, database, lock poisoned).
    #[error("storage backend `{backend}` failed")]
    Backend {
        /// The backend's name (`sled`, `memory`, ...).
        backend: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// The portable kind, for callers that react the same way whatever the backend.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::KeyTooLong { .. } | Self::InvalidLimit { .. } => ErrorKind::InvalidArgument,
            Self::Corrupt { .. } => ErrorKind::Corrupt,
            Self::Backend { .. } => ErrorKind::Backend,
        }
    }

    /// A [`Error::Backend`] from `backend` with `source` as the cause.
    pub(crate) fn backend(
        backend: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Backend {
            backend,
            source: source.into(),
        }
    }

    /// A [`Error::Backend`] from `backend` for a poisoned lock.
    pub(crate) fn poisoned(backend: &'static str) -> Self {
        Self::backend(backend, LockPoisoned)
    }
}

/// The cause carried by [`Error::Backend`] when an in-process lock was poisoned: a thread panicked while it held
/// the lock, so the data behind it may be half-updated.
#[derive(Debug, thiserror::Error)]
#[error("a lock was poisoned by a thread that panicked while holding it")]
pub(crate) struct LockPoisoned;

/// A backend-independent classification of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller passed something the contract does not allow.
    InvalidArgument,
    /// A stored record is unreadable.
    Corrupt,
    /// The backend failed; retrying may help.
    Backend,
}
