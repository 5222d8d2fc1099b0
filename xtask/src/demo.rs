//! `cargo xtask demo`: the reference platform and reference tool end to end (to be written).

/// Runs the demo.
///
/// # Errors
/// Always, for now: the demo is not written yet.
pub(crate) fn run() -> Result<(), String> {
    println!("demo: not written yet");
    Err("the demo task is not written yet".to_owned())
}
