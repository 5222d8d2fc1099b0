//! `cargo xtask ci | demo`.
fn main() {}
