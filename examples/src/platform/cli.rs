//! The command line, hand-written over `std::env::args` (no parser dependency).
//!
//! ```text
//! reference-platform serve [--listen ADDR] [--data DIR] [--issuer URL]
//! reference-platform tools add FILE [--data DIR] [--issuer URL]
//! reference-platform --help
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;

use super::routes::app;
use super::state::{ISSUER_FILE, PlatformState};

/// The help text.
pub const HELP: &str = "\
reference-platform: an LTI 1.3 platform to develop tools against (lti-rs)

USAGE:
  reference-platform serve [--listen ADDR] [--data DIR] [--issuer URL]
      Serve the platform. First start creates DIR with the key file (mode 0600) and
      the store, and seeds the course `demo-course` (instructor-1, learner-1, ...).
  reference-platform tools add FILE [--data DIR] [--issuer URL]
      Register the tool described by FILE (LTI Dynamic Registration client-registration
      JSON) while the server is stopped; prints client_id, deployment_id and the
      platform's endpoints as JSON.
  reference-platform --help

OPTIONS:
  --listen ADDR   address to listen on (default 127.0.0.1:8080)
  --data DIR      data directory (default ./reference-platform-data)
  --issuer URL    the platform's issuer and base URL (serve: default http://ADDR;
                  tools add: default the issuer the server last ran with)

Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) for more.
";

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `serve`.
    Serve(Options),
    /// `tools add FILE`.
    AddTool {
        /// The client-registration JSON file.
        file: PathBuf,
        /// The common options.
        options: Options,
    },
    /// `--help`.
    Help,
}

/// The options every command takes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The data directory.
    pub data: PathBuf,
    /// The issuer, when given.
    pub issuer: Option<String>,
}

/// A command line that cannot be run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}\n\nRun `reference-platform --help` for usage.")]
pub struct CliError(pub String);

/// Parses the arguments after the program name.
///
/// # Errors
/// [`CliError`] naming the unknown command, option or bad value.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, CliError> {
    let mut args = args.into_iter();
    let mut positional = Vec::new();
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut data = PathBuf::from("reference-platform-data");
    let mut issuer = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| CliError(format!("option `{name}` needs a value")))
        };
        match arg.as_str() {
            "-h" | "--help" | "help" => return Ok(Command::Help),
            "--listen" => {
                let v = value("--listen")?;
                listen = v.parse().map_err(|e| {
                    CliError(format!(
                        "--listen `{v}`: {e} (expected e.g. 127.0.0.1:8080)"
                    ))
                })?;
            }
            "--data" => data = PathBuf::from(value("--data")?),
            "--issuer" => issuer = Some(value("--issuer")?),
            other if other.starts_with('-') => {
                return Err(CliError(format!("unknown option `{other}`")));
            }
            _ => positional.push(arg),
        }
    }
    let options = Options {
        issuer,
        listen,
        data,
    };
    match positional
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Ok(Command::Help),
        ["serve"] => Ok(Command::Serve(options)),
        ["tools", "add", file] => Ok(Command::AddTool {
            file: PathBuf::from(file),
            options,
        }),
        ["tools", "add"] => Err(CliError("`tools add` needs a FILE".to_owned())),
        other => Err(CliError(format!("unknown command `{}`", other.join(" ")))),
    }
}

/// Runs a command.
///
/// # Errors
/// Start-up failures (data directory, keys, store, listen address), an unreadable or refused registration.
pub async fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Help => {
            print!("{HELP}");
            Ok(())
        }
        Command::Serve(options) => {
            let issuer = options
                .issuer
                .clone()
                .unwrap_or_else(|| format!("http://{}", options.listen));
            let state = PlatformState::open(&options.data, &issuer).await?;
            let listener = tokio::net::TcpListener::bind(options.listen).await?;
            tracing::info!(listen = %options.listen, issuer = %issuer, "listening");
            eprintln!(
                "reference platform on http://{} (issuer {}); course at {}/courses/demo-course",
                options.listen,
                issuer,
                issuer.trim_end_matches('/')
            );
            axum::serve(listener, app(state))
                .with_graceful_shutdown(async {
                    // a failed signal handler only means no graceful stop; the store flushes every write anyway
                    let _ = tokio::signal::ctrl_c().await;
                    tracing::info!("shutting down");
                })
                .await?;
            Ok(())
        }
        Command::AddTool { file, options } => {
            let body = std::fs::read(&file)
                .map_err(|e| CliError(format!("cannot read `{}`: {e}", file.display())))?;
            // the issuer the server last ran with, unless one is given
            let issuer = match options.issuer.clone() {
                Some(issuer) => issuer,
                None => std::fs::read_to_string(options.data.join(ISSUER_FILE))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_else(|_| format!("http://{}", options.listen)),
            };
            let state = PlatformState::open(&options.data, &issuer).await?;
            let registered = state
                .tools()
                .register(&body, state.endpoints(), state.courses())
                .await?;
            println!("{}", serde_json::to_string_pretty(&registered)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn serve_with_options() {
        let Command::Serve(o) = parse(args("serve --listen 127.0.0.1:9000 --data /tmp/x")).unwrap()
        else {
            panic!("not serve")
        };
        assert_eq!(o.listen.port(), 9000);
        assert_eq!(o.issuer, None);
        assert_eq!(o.data, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn tools_add_and_errors() {
        assert!(matches!(
            parse(args("tools add reg.json --issuer https://lms.example")),
            Ok(Command::AddTool { ref file, ref options }) if file == &PathBuf::from("reg.json") && options.issuer.as_deref() == Some("https://lms.example")
        ));
        assert_eq!(parse(args("--help")), Ok(Command::Help));
        assert!(
            parse(args("serve --listen nowhere"))
                .unwrap_err()
                .0
                .contains("--listen")
        );
        assert!(
            parse(args("serve --bogus"))
                .unwrap_err()
                .0
                .contains("--bogus")
        );
        assert!(
            parse(args("serve --data"))
                .unwrap_err()
                .0
                .contains("needs a value")
        );
        assert!(
            parse(args("launch"))
                .unwrap_err()
                .0
                .contains("unknown command")
        );
    }
}
