//! `cargo xtask demo`: runs what lti-rs can do today, end to end.
//!
//! Until the reference platform and reference tool exist, that is the foundation demo
//! (`examples/src/bin/foundation-demo.rs`): a key ring in a sled store signs a launch-shaped id_token, a tool
//! verifies it through the JWKS cache, hostile tokens are refused, keys rotate. The demo's data lives in
//! `target/lti-demo`, so a second run shows the keys coming back from the store.

use crate::cargo::Step;
use crate::workspace;

/// Runs the demo.
///
/// # Errors
/// When the demo fails to build or exits unsuccessfully.
pub(crate) fn run() -> Result<(), String> {
    let root = workspace::root()?;
    let data_dir = root.join("target").join("lti-demo");
    let data_dir = data_dir.to_string_lossy();
    Step::new(
        "demo",
        &[
            "run",
            "--quiet",
            "--package",
            "lti-examples",
            "--bin",
            "foundation-demo",
            "--",
        ],
    )
    .args(&[&data_dir])
    .run(&root)
    .map(|_| ())
}
