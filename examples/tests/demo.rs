//! `cargo xtask demo`'s flows, run by the test suite: both reference servers on loopback, registered with each
//! other, the use cases played by the headless browser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use lti_examples::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plays_the_use_cases_green() {
    let data = tempfile::tempdir().unwrap();
    let servers = demo::start(data.path()).await.unwrap();
    let mut lines = Vec::new();
    let outcome = demo::play(&servers, &mut |line| lines.push(line.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{e}\nsteps so far:\n{}", lines.join("\n")));
    assert_eq!(outcome.added_links.len(), 2, "two deep-linked activities");
    let learner: Vec<_> = outcome
        .grades
        .iter()
        .filter(|g| g.user == "learner-1")
        .collect();
    assert_eq!(
        learner.len(),
        2,
        "one result per activity: {:?}",
        outcome.grades
    );
    assert_ne!(
        learner[0].column, learner[1].column,
        "two different columns"
    );
    assert!(
        outcome.roster_members >= 120,
        "the seeded roster pages: {}",
        outcome.roster_members
    );
    assert!(outcome.engaged.contains(&"learner-1".to_owned()));
    assert!(lines.len() >= 5, "{lines:?}");
}
