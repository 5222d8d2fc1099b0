//! `cargo xtask demo`: starts the reference platform and the reference tool on free loopback ports with fresh
//! data directories, registers each with the other, and plays the implementation guide's use cases over real
//! HTTP, printing each step; exits non-zero on any failure. `--serve` keeps both running afterwards.
//!
//! Run with `cargo run -p lti-examples --bin lti-demo -- [--data DIR] [--serve]`.

use std::path::PathBuf;
use std::process::ExitCode;

use lti_examples::demo;

const USAGE: &str = "usage: lti-demo [--data DIR] [--serve]

  --data DIR   where the two servers keep their data (default: target/lti-demo); emptied first
  --serve      keep both servers running after the demo, until Ctrl-C";

fn main() -> ExitCode {
    let mut data = PathBuf::from("target/lti-demo");
    let mut serve = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => match args.next() {
                Some(dir) => data = PathBuf::from(dir),
                None => {
                    eprintln!("--data needs a directory\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--serve" => serve = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(data, serve))
}

async fn run(data: PathBuf, serve: bool) -> ExitCode {
    for sub in ["platform", "tool"] {
        let dir = data.join(sub);
        if dir.exists()
            && let Err(e) = std::fs::remove_dir_all(&dir)
        {
            eprintln!("cannot empty {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let servers = match demo::start(&data).await {
        Ok(servers) => servers,
        Err(e) => {
            eprintln!("FAILED: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("reference platform: {}", servers.platform_url);
    println!("reference tool:     {}", servers.tool_url);
    let mut step = 0;
    let result = demo::play(&servers, &mut |line| {
        step += 1;
        println!("{step:>2}. {line}");
    })
    .await;
    match result {
        Ok(_) => println!("demo passed"),
        Err(e) => {
            eprintln!("FAILED: {e}");
            return ExitCode::FAILURE;
        }
    }
    if serve {
        println!(
            "\nserving until Ctrl-C:\n  platform course outline: {}courses/{}\n  tool: {}",
            servers.platform_url,
            demo::COURSE,
            servers.tool_url
        );
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("cannot wait for Ctrl-C: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
