//! Running `cargo` as a child process: one named step, stdio inherited, timed, failing with the step's name.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The cargo that runs this xtask (`CARGO`, set by `cargo run`), or `cargo` from `PATH`.
pub(crate) fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// One `cargo` invocation with a name for headers and error messages.
#[derive(Debug)]
pub(crate) struct Step {
    /// Short name shown in `==> name` and in the failure message.
    pub(crate) name: String,
    /// Arguments after `cargo`.
    pub(crate) args: Vec<String>,
    /// Extra environment for this step only.
    pub(crate) env: Vec<(String, String)>,
}

impl Step {
    /// A step running `cargo <args>`.
    pub(crate) fn new(name: impl Into<String>, args: &[&str]) -> Self {
        Self {
            name: name.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: Vec::new(),
        }
    }

    /// Adds arguments after the current ones.
    pub(crate) fn args(mut self, more: &[&str]) -> Self {
        self.args.extend(more.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Sets an environment variable for this step only.
    pub(crate) fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    /// The command line as a person would type it (for the header).
    pub(crate) fn command_line(&self) -> String {
        let env: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\" "))
            .collect();
        format!("{}cargo {}", env.concat(), self.args.join(" "))
    }

    /// Prints the header, runs the step in `dir` with inherited stdio and returns how long it took.
    ///
    /// # Errors
    /// When cargo cannot be started or exits unsuccessfully; the message names the step.
    pub(crate) fn run(&self, dir: &Path) -> Result<Duration, String> {
        println!("==> {}: {}", self.name, self.command_line());
        let start = Instant::now();
        let status = Command::new(cargo_program())
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .status()
            .map_err(|e| format!("step `{}` failed: could not start cargo: {e}", self.name))?;
        let took = start.elapsed();
        if status.success() {
            Ok(took)
        } else {
            Err(format!(
                "step `{}` failed ({status}) after {}",
                self.name,
                format_duration(took)
            ))
        }
    }
}

/// Totals of the `test result:` lines of a `cargo test` run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TestTotals {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
}

impl TestTotals {
    /// Adds the counts of one `test result: ok. 3 passed; 0 failed; 1 ignored; ...` line; other lines are
    /// ignored.
    pub(crate) fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(what), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match what {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                "ignored" => self.ignored += count,
                _ => {}
            }
        }
    }
}

impl Step {
    /// Like [`run`](Self::run) for a `cargo test` step: stdout is streamed through line by line and the
    /// `test result:` lines are added up, so the caller can print one closing total.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub(crate) fn run_tests(&self, dir: &Path) -> Result<(Duration, TestTotals), String> {
        use std::io::{BufRead, BufReader, Write};
        println!("==> {}: {}", self.name, self.command_line());
        let start = Instant::now();
        let mut child = Command::new(cargo_program())
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("step `{}` failed: could not start cargo: {e}", self.name))?;
        let mut totals = TestTotals::default();
        if let Some(stdout) = child.stdout.take() {
            let out = std::io::stdout();
            for line in BufReader::new(stdout).lines() {
                let line =
                    line.map_err(|e| format!("step `{}`: reading test output: {e}", self.name))?;
                totals.add_line(&line);
                let mut lock = out.lock();
                // a closed stdout (e.g. `| head`) must not hide the test result
                let _ = writeln!(lock, "{line}");
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("step `{}` failed: waiting for cargo: {e}", self.name))?;
        let took = start.elapsed();
        if status.success() {
            Ok((took, totals))
        } else {
            Err(format!(
                "step `{}` failed ({status}) after {}: {} passed, {} failed",
                self.name,
                format_duration(took),
                totals.passed,
                totals.failed
            ))
        }
    }
}

/// `1m 05.3s` or `4.2s`.
pub(crate) fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 60.0 {
        let minutes = d.as_secs() / 60;
        let rest = secs % 60.0;
        format!("{minutes}m {rest:04.1}s")
    } else {
        format!("{secs:.1}s")
    }
}
