//! Our full RS256 verify path as a fraction of the raw aws-lc-rs verify rate, measured in alternating blocks so
//! that the noise of a shared machine hits both sides alike (criterion measures one after the other, minutes
//! apart, and on a virtual machine the two drift by more than the overhead we are looking for).
//!
//! Run: `cargo bench -p lti-security --bench verify_ratio`. Prints the median ratio over the blocks.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{self, KeyPair};
use base64::Engine;
use lti_security::{Algorithm, ClaimRules, JwtVerifier, KeySet, ManualClock, SigningKey, sign_jwt};

const NOW: u64 = 1_700_000_000;
const BLOCKS: usize = 41;
const PER_BLOCK: u32 = 400;

fn main() {
    let key = SigningKey::generate(Algorithm::Rs256).unwrap();
    let claims: serde_json::Value =
        serde_json::from_str(include_str!("launch_claims.json")).unwrap();
    let token = sign_jwt(&key, &claims).unwrap();
    let (signing_input, sig_b64) = token.rsplit_once('.').unwrap();
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig_b64)
        .unwrap();
    let keys = KeySet::from_keys([key.verifying_key().clone()]);
    let verifier = JwtVerifier::new(Arc::new(ManualClock::at_unix_seconds(NOW + 10)));
    let rules = ClaimRules::new()
        .issuer("https://platform.example")
        .audience("client-1");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(&pkcs8).unwrap();
    let raw = PublicKeyComponents {
        n: pair
            .public_key()
            .modulus()
            .big_endian_without_leading_zero(),
        e: pair
            .public_key()
            .exponent()
            .big_endian_without_leading_zero(),
    }
    .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
    .unwrap();

    let mut ratios = Vec::with_capacity(BLOCKS);
    let (mut raw_total, mut full_total) = (0.0, 0.0);
    for block in 0..BLOCKS + 1 {
        let start = Instant::now();
        for _ in 0..PER_BLOCK {
            raw.verify_sig(black_box(signing_input.as_bytes()), black_box(&signature))
                .unwrap();
        }
        let raw_time = start.elapsed().as_secs_f64();
        let start = Instant::now();
        for _ in 0..PER_BLOCK {
            rt.block_on(verifier.verify(black_box(&token), &keys, &rules))
                .unwrap();
        }
        let full_time = start.elapsed().as_secs_f64();
        if block > 0 {
            // block 0 warms caches and the CPU's frequency
            ratios.push(raw_time / full_time);
            raw_total += raw_time;
            full_total += full_time;
        }
    }
    ratios.sort_by(f64::total_cmp);
    let n = f64::from(PER_BLOCK) * BLOCKS as f64;
    println!("payload: launch-shaped id_token, {} bytes", token.len());
    println!("raw aws-lc-rs RS256 verify: {:>8.0} /s", n / raw_total);
    println!(
        "lti-security full verify:   {:>8.0} /s  (parse + allow-list + key lookup + signature + claims)",
        n / full_total
    );
    println!(
        "full / raw rate: median {:.1}%  (min {:.1}%, max {:.1}%, {BLOCKS} alternating blocks of {PER_BLOCK})",
        ratios[BLOCKS / 2] * 100.0,
        ratios[0] * 100.0,
        ratios[BLOCKS - 1] * 100.0
    );
}
