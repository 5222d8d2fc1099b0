//! `cargo xtask ci`: the checks CI runs, in order, stopping at the first failure.
//!
//! Tests run last so that cargo test's own summary lines close the output of a passing run.

use crate::cargo::{Step, format_duration};
use crate::workspace;

/// Runs every CI step in order.
///
/// # Errors
/// The first step that fails, by name.
pub(crate) fn run() -> Result<(), String> {
    let root = workspace::root()?;
    let libraries = workspace::library_crates(&root)?;
    if libraries.is_empty() {
        return Err("found no library crates under crates/ (cargo metadata)".to_owned());
    }
    let steps = steps(&libraries);
    let total = steps.len();
    for (index, step) in steps.iter().enumerate() {
        let took = step.run(&root)?;
        if index + 1 < total {
            println!("    {} ok in {}", step.name, format_duration(took));
        }
        // The last step is the test run: nothing is printed after it on success, so cargo test's summary
        // stays the last thing CI shows.
    }
    Ok(())
}

/// The steps, in the order they run.
fn steps(libraries: &[String]) -> Vec<Step> {
    let mut steps = vec![
        // rustfmt colours its diff whatever CARGO_TERM_COLOR says; CI logs want plain text.
        Step::new(
            "fmt",
            &["fmt", "--all", "--check", "--", "--color", "never"],
        ),
        Step::new(
            "clippy workspace all features",
            &["clippy", "--workspace", "--all-targets", "--all-features"],
        )
        .args(&["--", "-D", "warnings"]),
    ];
    // One package at a time, so features that another package turns on cannot hide a missing feature gate.
    // `--no-deps` lints only the named package (its workspace dependencies get their own steps).
    for library in libraries {
        steps.push(
            Step::new(
                format!("clippy {library} default features"),
                &["clippy", "-p", library, "--no-deps", "--all-targets"],
            )
            .args(&["--", "-D", "warnings"]),
        );
        steps.push(
            Step::new(
                format!("clippy {library} no default features"),
                &[
                    "clippy",
                    "-p",
                    library,
                    "--no-deps",
                    "--all-targets",
                    "--no-default-features",
                ],
            )
            .args(&["--", "-D", "warnings"]),
        );
    }
    let rustdocflags = match std::env::var("RUSTDOCFLAGS") {
        Ok(existing) if !existing.trim().is_empty() => format!("{existing} -D warnings"),
        _ => "-D warnings".to_owned(),
    };
    steps.push(
        Step::new(
            "doc",
            &["doc", "--workspace", "--no-deps", "--all-features"],
        )
        .env("RUSTDOCFLAGS", rustdocflags),
    );
    // The README's test command.
    steps.push(Step::new(
        "test",
        &["test", "--workspace", "--all-features"],
    ));
    steps
}

#[cfg(test)]
mod tests {
    use super::steps;

    #[test]
    fn order_is_fmt_clippy_doc_then_tests_last() {
        let steps = steps(&["lti-http".to_owned()]);
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "fmt",
                "clippy workspace all features",
                "clippy lti-http default features",
                "clippy lti-http no default features",
                "doc",
                "test",
            ]
        );
        assert_eq!(
            steps.last().map(|s| s.args.join(" ")),
            Some("test --workspace --all-features".to_owned())
        );
    }

    #[test]
    fn clippy_denies_warnings() {
        for step in steps(&["lti-http".to_owned()]) {
            if step.args.first().map(String::as_str) == Some("clippy") {
                assert!(step.args.ends_with(&[
                    "--".to_owned(),
                    "-D".to_owned(),
                    "warnings".to_owned()
                ]));
            }
        }
    }
}
