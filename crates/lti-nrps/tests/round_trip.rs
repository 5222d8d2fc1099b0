//! Placeholder, replaced by the in-process round trip.
