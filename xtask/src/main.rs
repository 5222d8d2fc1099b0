//! Development tasks for lti-rs, run as `cargo xtask <task>` (the cargo-xtask pattern; the alias lives in
//! `.cargo/config.toml`). Tasks only drive `cargo` and the examples: no product logic lives here.

mod cargo;
mod ci;
mod demo;
mod workspace;

use std::process::ExitCode;

/// The tasks `cargo xtask` knows, with a one-line summary each (printed by `cargo xtask help`).
const TASKS: &[(&str, &str)] = &[
    (
        "ci",
        "everything CI checks, in order: fmt, clippy (workspace and per crate, default and no default features), doc, tests",
    ),
    (
        "demo",
        "start the reference platform and tool, register them with each other, play the use cases over HTTP (`--serve` keeps them running)",
    ),
    ("help", "list the tasks"),
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        None | Some("help" | "--help" | "-h") => {
            print_help();
            Ok(())
        }
        Some("demo") => demo::run(&rest),
        Some(task) if !rest.is_empty() => Err(format!(
            "`cargo xtask {task}` takes no arguments (got `{}`); see `cargo xtask help`",
            rest.join(" ")
        )),
        Some("ci") => ci::run(),
        Some(other) => Err(format!("unknown task `{other}`; see `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!("usage: cargo xtask <task>\n\ntasks:");
    for (name, summary) in TASKS {
        println!("  {name:<6} {summary}");
    }
}
