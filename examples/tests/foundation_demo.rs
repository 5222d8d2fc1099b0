//! The demo a newcomer runs first (`cargo xtask demo`) must keep working: run it twice on one data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn run(dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_foundation-demo"))
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn kid_after(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(|rest| rest.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{output}"))
}

#[test]
fn demo_runs_refuses_hostile_tokens_and_keeps_keys_across_runs() {
    let dir = std::env::temp_dir().join(format!("lti-demo-test-{}", std::process::id()));
    let first = run(&dir);
    assert_eq!(first.matches("refused:").count(), 6, "{first}");
    assert!(
        first.contains("token under the old kid still verifies: true"),
        "{first}"
    );
    // the second run opens the same ring: its active key is the one the first run rotated to
    let rotated_to = kid_after(&first, "rotated:")
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let second = run(&dir);
    assert_eq!(kid_after(&second, "active kid:"), rotated_to, "{second}");
    std::fs::remove_dir_all(&dir).unwrap();
}
