//! The lti-rs reference tool.
//!
//! Run with `cargo run -p lti-examples --bin reference-tool -- serve --listen 127.0.0.1:8100 --data
//! target/reference-tool --base-url http://localhost:8100`, then register it at a platform with
//! `http://localhost:8100/.well-known/lti-tool-registration.json` and tell it about the platform with
//! `reference-tool platforms add platform.json --data target/reference-tool` (server stopped) or
//! `POST /api/platforms` (server running).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use lti_examples::tool::{PlatformSpec, ToolServer, ToolServerConfig, app, tool_registration};

const HELP: &str = "\
reference-tool: the lti-rs reference LTI 1.3 tool

USAGE:
  reference-tool serve --listen ADDR --data DIR --base-url URL [--auto-services] [--auto-deep-link]
  reference-tool platforms add FILE --data DIR [--base-url URL]
  reference-tool registration --base-url URL
  reference-tool --help

serve           run the tool: launch diagnostics, services, deep linking, JWKS, registration JSON
  --listen        socket address to bind (default 127.0.0.1:8100)
  --data          data directory: sled store and the key file tool.kek (created with mode 0600)
  --base-url      the tool's public URL (https, or http to localhost); every registered URL derives from it
  --auto-services run every service the launch offers during the launch
  --auto-deep-link answer deep-linking requests at once with one graded ltiResourceLink
platforms add   register a platform from a JSON file (issuer, authorization_endpoint, token_endpoint,
                jwks_uri, client_id, deployment_id, optional authorization_server); the server must be
                stopped (sled allows one process), or use POST /api/platforms while it runs
registration    print the tool's Dynamic-Registration JSON (what reference-platform tools add takes)

Logs: RUST_LOG (default info).
";

#[derive(Debug, Default)]
struct Options {
    listen: Option<String>,
    data: Option<PathBuf>,
    base_url: Option<String>,
    auto_services: bool,
    auto_deep_link: bool,
    positional: Vec<String>,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))
        };
        match arg.as_str() {
            "--listen" => options.listen = Some(value("--listen")?),
            "--data" => options.data = Some(PathBuf::from(value("--data")?)),
            "--base-url" => options.base_url = Some(value("--base-url")?),
            "--auto-services" => options.auto_services = true,
            "--auto-deep-link" => options.auto_deep_link = true,
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag} (see --help)"));
            }
            _ => options.positional.push(arg),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    init_logs();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("reference-tool: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let options = parse(args.into_iter())?;
    let positional: Vec<&str> = options.positional.iter().map(String::as_str).collect();
    match positional.as_slice() {
        ["serve"] => serve(&options).await,
        ["platforms", "add", file] => add_platform(&options, file).await,
        ["registration"] => {
            let config = config(&options)?;
            let json = serde_json::to_string_pretty(&tool_registration(&config))
                .map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
        _ => Err(format!(
            "unknown command `{}` (see --help)",
            options.positional.join(" ")
        )),
    }
}

fn config(options: &Options) -> Result<ToolServerConfig, String> {
    let base_url = options
        .base_url
        .as_deref()
        .ok_or("--base-url is required (see --help)")?;
    let data = options
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from("target/reference-tool"));
    Ok(ToolServerConfig::new(base_url, data)
        .map_err(|e| e.to_string())?
        .with_auto_services(options.auto_services)
        .with_auto_deep_link(options.auto_deep_link))
}

async fn serve(options: &Options) -> Result<(), String> {
    let config = config(options)?;
    let listen: SocketAddr = options
        .listen
        .as_deref()
        .unwrap_or("127.0.0.1:8100")
        .parse()
        .map_err(|_| "--listen: expected a socket address like 127.0.0.1:8100")?;
    let server = ToolServer::open(config).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(%listen, base_url = %server.config().base_url(), "listening");
    let maintenance = server.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match maintenance.purge_expired(10_000).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired launch records removed"),
                Err(e) => tracing::warn!(error = %e, "purge of expired launch records failed"),
            }
        }
    });
    axum::serve(listener, app(server))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

async fn add_platform(options: &Options, file: &str) -> Result<(), String> {
    if options.data.is_none() {
        return Err("--data is required (see --help)".to_owned());
    }
    let json = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let spec = PlatformSpec::from_json(&json).map_err(|e| format!("{file}: {e}"))?;
    let mut options_with_url = Options {
        data: options.data.clone(),
        base_url: options.base_url.clone(),
        ..Options::default()
    };
    if options_with_url.base_url.is_none() {
        // the registry does not depend on the base URL; any valid one opens the store
        options_with_url.base_url = Some("http://localhost/".to_owned());
    }
    let server = ToolServer::open(config(&options_with_url)?)
        .await
        .map_err(|e| e.to_string())?;
    server
        .add_platform(&spec)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "registered {} (client id {}, deployment {})",
        spec.issuer, spec.client_id, spec.deployment_id
    );
    Ok(())
}
