//! Placeholder, replaced by the page benchmark.
fn main() {}
