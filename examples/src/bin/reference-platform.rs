//! The reference platform: an LTI 1.3 platform (LMS stand-in) to develop tools against.
//!
//! Run with `cargo run -p lti-examples --bin reference-platform -- serve --data ./platform-data`
//! (`--help` for the options).

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let command = match lti_examples::platform::cli::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match lti_examples::platform::cli::run(command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reference-platform: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
