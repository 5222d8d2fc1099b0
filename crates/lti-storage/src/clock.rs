//! Injected time.
//!
//! Every expiry decision in lti-rs (store TTLs, token `exp`/`iat`, cache lifetimes) reads the time from a
//! [`Clock`], never from [`SystemTime::now`] directly, so tests can pin the time and step it across a boundary.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current wall-clock time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time as whole seconds since the Unix epoch (a JWT `NumericDate`); 0 before 1970.
    fn unix_seconds(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// The current time as milliseconds since the Unix epoch; 0 before 1970.
    fn unix_millis(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

/// The real clock: [`SystemTime::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to; for tests and simulations.
///
/// Cheap to share: wrap it in an [`Arc`] and hand clones to every component under test.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicU64,
}

impl ManualClock {
    /// A clock stopped at `unix_seconds` seconds after the Unix epoch.
    pub fn at_unix_seconds(unix_seconds: u64) -> Self {
        Self {
            millis: AtomicU64::new(unix_seconds.saturating_mul(1000)),
        }
    }

    /// A clock stopped at the current real time.
    pub fn starting_now() -> Self {
        Self::at_unix_seconds(SystemClock.unix_seconds())
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        // saturate rather than wrap: a huge step must not send the clock back to 1970
        let _ = self
            .millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(ms))
            });
    }

    /// Sets the clock to `unix_seconds` seconds after the Unix epoch (may move it backwards).
    pub fn set_unix_seconds(&self, unix_seconds: u64) {
        self.millis
            .store(unix_seconds.saturating_mul(1000), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::at_unix_seconds(1_000);
        assert_eq!(clock.unix_seconds(), 1_000);
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(clock.unix_millis(), 1_001_500);
        assert_eq!(clock.unix_seconds(), 1_001);
        clock.set_unix_seconds(5);
        assert_eq!(clock.unix_seconds(), 5);
        clock.advance(Duration::MAX);
        assert_eq!(
            clock.millis.load(Ordering::SeqCst),
            u64::MAX,
            "advance saturates"
        );
    }
}
