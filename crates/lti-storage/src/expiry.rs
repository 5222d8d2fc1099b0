//! TTL arithmetic shared by the backends: expiry instants are whole milliseconds since the Unix epoch.

use std::time::Duration;

/// When an entry written at `now_ms` with `ttl` expires, in milliseconds since the Unix epoch; `None` for no TTL.
///
/// Sub-millisecond TTLs round up, so a non-zero TTL is never expired on arrival; a zero TTL is expired at once.
/// The result saturates instead of overflowing and is never 0, so a backend may use 0 to mean "no expiry".
pub(crate) fn expires_at(now_ms: u64, ttl: Option<Duration>) -> Option<u64> {
    let ttl = ttl?;
    let ttl_ms = u64::try_from(ttl.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
    Some(now_ms.saturating_add(ttl_ms).max(1))
}

/// Whether an entry that expires at `expires_at_ms` is expired at `now_ms` (expiry is inclusive: an entry is
/// gone *at* its expiry instant).
pub(crate) fn is_expired(expires_at_ms: u64, now_ms: u64) -> bool {
    now_ms >= expires_at_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_rounds_up_to_whole_milliseconds() {
        assert_eq!(expires_at(1_000, None), None);
        assert_eq!(expires_at(1_000, Some(Duration::from_secs(2))), Some(3_000));
        assert_eq!(
            expires_at(1_000, Some(Duration::from_micros(1))),
            Some(1_001)
        );
        assert_eq!(expires_at(1_000, Some(Duration::ZERO)), Some(1_000));
    }

    #[test]
    fn expiry_saturates_and_is_never_zero() {
        assert_eq!(
            expires_at(u64::MAX - 1, Some(Duration::MAX)),
            Some(u64::MAX)
        );
        assert_eq!(expires_at(0, Some(Duration::ZERO)), Some(1));
    }

    #[test]
    fn expired_at_and_after_the_instant() {
        assert!(!is_expired(1_000, 999));
        assert!(is_expired(1_000, 1_000));
        assert!(is_expired(1_000, 1_001));
    }
}
