//! The reference platform and reference tool will live here (issue: reference servers). Until then this crate
//! is empty on purpose; `cargo xtask demo` exercises what exists.
