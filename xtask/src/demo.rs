//! `cargo xtask demo`: the reference platform and the reference tool on free loopback ports with fresh data
//! directories (`target/lti-demo`), registered with each other, and the implementation guide's use cases played
//! over real HTTP by a headless browser (`examples/src/bin/lti-demo.rs`, `examples/src/demo.rs`). With `--serve`,
//! both keep running afterwards for a browser.

use crate::cargo::Step;
use crate::workspace;

/// Runs the demo; `args` may be `--serve`.
///
/// # Errors
/// An unknown argument, or the demo failing to build or exiting unsuccessfully.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let serve = match args {
        [] => false,
        [flag] if flag == "--serve" => true,
        other => {
            return Err(format!(
                "`cargo xtask demo` takes only `--serve` (got `{}`)",
                other.join(" ")
            ));
        }
    };
    let root = workspace::root()?;
    let data_dir = root.join("target").join("lti-demo");
    let data_dir = data_dir.to_string_lossy();
    let mut step = Step::new(
        "demo",
        &[
            "run",
            "--quiet",
            "--package",
            "lti-examples",
            "--bin",
            "lti-demo",
            "--",
            "--data",
        ],
    )
    .args(&[&data_dir]);
    if serve {
        step = step.args(&["--serve"]);
    }
    step.run(&root).map(|_| ())
}
