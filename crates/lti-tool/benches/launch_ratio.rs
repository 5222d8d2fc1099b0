//! Launch validation against the raw RS256 signature check, in alternating blocks so that the noise of a shared
//! machine hits every side alike (criterion runs its cases minutes apart).
//!
//! Each block times the same number of: raw RS256 verifies (aws-lc-rs with the parsed key, the floor),
//! `Tool::launch` over a `MemoryStore`, over a `SledStore` with `NonceDurability::Background`, and over a
//! `SledStore` with the default `NonceDurability::Flush`. Every launch has its own login and token (signed
//! before the timed part). Prints per-launch times and rates, and each mode's rate as a share of the raw rate.
//!
//! Run: `cargo bench -p lti-tool --bench launch_ratio` (pin it for steadier numbers: `taskset -c 1 ...`).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

#[path = "../tests/support/platform.rs"]
mod platform;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use lti_security::Algorithm;
use lti_storage::{SledStore, Store};
use lti_tool::{NonceDurability, ToolConfig};
use platform::{Platform, TOOL};

const BLOCKS: usize = 21;
const PER_BLOCK: usize = 100;

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = |durability| {
        ToolConfig::new(format!("{TOOL}/launch").parse().unwrap()).with_nonce_durability(durability)
    };
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let sled = |i: usize| -> Option<Arc<dyn Store>> {
        Some(Arc::new(SledStore::open(dirs[i].path()).unwrap()))
    };
    let modes: Vec<(&str, Platform)> = vec![
        (
            "memory store",
            Platform::with(config(NonceDurability::Flush), None),
        ),
        (
            "sled, background durability",
            Platform::with(config(NonceDurability::Background), sled(0)),
        ),
        (
            "sled, flush per launch (default)",
            Platform::with(config(NonceDurability::Flush), sled(1)),
        ),
    ];
    for (_, p) in &modes {
        rt.block_on(p.launch_with(|_| {})).unwrap(); // warm the JWKS cache
    }

    // The floor: the same platform key, a token of the same shape.
    let p0 = &modes[0].1;
    let login = rt.block_on(p0.login());
    let token = p0.sign(&p0.claims(&login));
    let (signing_input, sig) = token.rsplit_once('.').unwrap();
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .unwrap();
    let public = p0.key.verifying_key().clone();

    eprintln!("signing {} tokens...", BLOCKS * PER_BLOCK * modes.len());
    let mut requests: Vec<Vec<Vec<http::Request<bytes::Bytes>>>> = modes
        .iter()
        .map(|(_, p)| {
            (0..BLOCKS)
                .map(|_| {
                    (0..PER_BLOCK)
                        .map(|_| {
                            let login = rt.block_on(p.login());
                            let token = p.sign(&p.claims(&login));
                            p.post(&token, &login.state, Some(&login.cookie))
                        })
                        .collect()
                })
                .collect()
        })
        .collect();

    let mut raw_times = Vec::with_capacity(BLOCKS);
    let mut mode_times = vec![Vec::with_capacity(BLOCKS); modes.len()];
    for block in 0..BLOCKS {
        let start = Instant::now();
        for _ in 0..PER_BLOCK {
            public
                .verify(
                    Algorithm::Rs256,
                    black_box(signing_input.as_bytes()),
                    black_box(&signature),
                )
                .unwrap();
        }
        raw_times.push(start.elapsed().as_secs_f64() / PER_BLOCK as f64);
        for (m, (_, p)) in modes.iter().enumerate() {
            let batch = std::mem::take(&mut requests[m][block]);
            let start = Instant::now();
            for request in batch {
                black_box(rt.block_on(p.tool.launch(request)).unwrap());
            }
            mode_times[m].push(start.elapsed().as_secs_f64() / PER_BLOCK as f64);
        }
    }
    // Block 0 warms caches and the CPU's frequency.
    let median = |v: &[f64]| {
        let mut v = v[1..].to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let raw = median(&raw_times);
    println!(
        "{} alternating blocks of {PER_BLOCK}; medians per operation",
        BLOCKS - 1
    );
    println!(
        "{:<36} {:>9.1} µs {:>9.0} /s",
        "raw RS256 verify (floor)",
        raw * 1e6,
        1.0 / raw
    );
    for (m, (name, _)) in modes.iter().enumerate() {
        let t = median(&mode_times[m]);
        println!(
            "{:<36} {:>9.1} µs {:>9.0} /s   {:>5.1}% of the raw verify rate",
            format!("launch, {name}"),
            t * 1e6,
            1.0 / t,
            raw / t * 100.0
        );
    }
}
