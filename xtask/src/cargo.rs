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
