//! `cargo xtask ci`: the checks CI runs, in order, stopping at the first failure.
//!
//! Tests run last; a passing run closes with one line of totals over every test binary:
//! `tests: N passed, 0 failed`.

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
    let mut steps = steps(&libraries);
    // The last step is the test run; it is run apart so its results can be added up.
    let tests = steps
        .pop()
        .ok_or_else(|| "no test step configured".to_owned())?;
    for step in &steps {
        let took = step.run(&root)?;
        println!("    {} ok in {}", step.name, format_duration(took));
    }
    let (_took, totals) = tests.run_tests(&root)?;
    // One plain closing line with the totals over every test binary and doc-test run, so whoever reads the end
    // of the log sees the whole count rather than the last crate's doc tests.
    println!("tests: {} passed, {} failed", totals.passed, totals.failed);
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
    fn test_totals_add_up_result_lines() {
        let mut totals = crate::cargo::TestTotals::default();
        for line in [
            "test result: ok. 19 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.06s",
            "running 3 tests",
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            "test foo ... ok",
        ] {
            totals.add_line(line);
        }
        assert_eq!((totals.passed, totals.failed, totals.ignored), (20, 1, 2));
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
