//! `cargo xtask demo`'s flows, run by the test suite: both reference servers on loopback, registered with each
//! other, the use cases played by the headless browser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use lti_examples::demo;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plays_the_use_cases_green() {
    let data = tempfile::tempdir().unwrap();
    let servers = demo::start(data.path()).await.unwrap();
    let mut lines = Vec::new();
    let outcome = demo::play(&servers, &mut |line| lines.push(line.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{e}\nsteps so far:\n{}", lines.join("\n")));
    println!("{}", lines.join("\n"));
    assert_eq!(outcome.added_links.len(), 2, "two deep-linked activities");
    let learner: Vec<_> = outcome
        .grades
        .iter()
        .filter(|g| g.user == "learner-1")
        .collect();
    // quiz grade, quiz participation, essay (graded by the instructor): three columns
    assert_eq!(learner.len(), 3, "{:?}", outcome.grades);
    let mut columns: Vec<_> = learner.iter().map(|g| &g.column).collect();
    columns.sort();
    columns.dedup();
    assert_eq!(columns.len(), 3, "three different columns");
    assert!(
        learner
            .iter()
            .any(|g| g.label == "Essay" && g.score == demo::ESSAY_GRADE),
        "the instructor's essay grade: {learner:?}"
    );
    assert_eq!(outcome.quiz_tags, ["grade", "participation"]);
    assert!(outcome.due_from_tool.starts_with("2030-01-31T23:59:00"));
    assert!(outcome.due_at_tool.starts_with("2030-02-15T12:00:00"));
    assert!(
        outcome.roster_members >= 120,
        "the seeded roster pages: {}",
        outcome.roster_members
    );
    assert!(outcome.engaged.contains(&"learner-1".to_owned()));
    assert!(lines.len() >= 9, "{lines:?}");
    for section in ["2.2.2", "2.3.3", "2.3.4", "2.3.5"] {
        assert!(
            lines.iter().any(|l| l.contains(section)),
            "a step names guide {section}: {lines:?}"
        );
    }

    hostile_requests_are_refused(&servers, &outcome).await;
}

/// What the new screens refuse, against the servers the demo left running.
async fn hostile_requests_are_refused(servers: &demo::Servers, outcome: &demo::Outcome) {
    let http = reqwest::Client::new();
    let tool = &servers.tool_url;
    let platform = &servers.platform_url;
    let book: Value = http
        .get(
            platform
                .join("/api/contexts/demo-course/gradebook")
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let key = book["line_items"][0]["key"].as_str().unwrap().to_owned();
    let edit = |key: &str, body: &'static str| {
        let url = platform
            .join(&format!("/api/contexts/demo-course/lineitems/{key}"))
            .unwrap();
        http.post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    // c101: the platform's due-date API names the member and refuses what is not a date or not editable.
    let r = edit(&key, r#"{"endDateTime": "tomorrow"}"#).await.unwrap();
    assert_eq!(r.status(), 400);
    let e = json(r).await;
    assert_eq!(e["error"], "invalid_field");
    assert!(
        e["error_description"]
            .as_str()
            .unwrap()
            .contains("endDateTime"),
        "{e}"
    );
    let r = edit(&key, r#"{"scoreMaximum": 1000}"#).await.unwrap();
    assert_eq!(r.status(), 400);
    let r = edit(&key, r#"{"endDateTime": 17}"#).await.unwrap();
    assert_eq!(r.status(), 400);
    let r = edit(&key, "[1").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(json(r).await["error"], "invalid_json");
    let r = edit("no-such-item", r#"{"endDateTime": null}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = http
        .post(
            platform
                .join(&format!("/api/contexts/nope/lineitems/{key}"))
                .unwrap(),
        )
        .body(r#"{"endDateTime": null}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // the JSON form works too, and `null` clears the due date
    let r = edit(&key, r#"{"endDateTime": "2031-03-01T08:00:00+01:00"}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let item = json(r).await;
    assert!(
        item["endDateTime"]
            .as_str()
            .unwrap()
            .starts_with("2031-03-01T08:00:00")
    );
    assert!(item["id"].as_str().unwrap().contains("/api/lti/ags/"));
    let r = edit(&key, r#"{"endDateTime": null}"#).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(json(r).await.get("endDateTime").is_none());

    // The gradebook page's form: `due` is required, and a bad value is refused with the field named, escaped.
    let page_form = platform
        .join(&format!("/courses/demo-course/gradebook/{key}"))
        .unwrap();
    let r = http
        .post(page_form.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("other=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("missing_parameter"));
    let r = http
        .post(page_form)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form("due", "<b>soon</b>"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("endDateTime") && !body.contains("<b>soon"),
        "{body}"
    );

    // The tool's grading and due-date pages need an instructor's launch: a learner's launch id is refused.
    let learner = &outcome.learner_launch;
    let r = http
        .get(tool.join(&format!("/launches/{learner}/grading")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("reference_tool.instructor_only")
    );
    let r = http
        .post(tool.join(&format!("/launches/{learner}/due")).unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form("due", "2030-01-01T00:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .get(tool.join("/launches/not-a-launch/grading").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The graded essay is no longer pending; an unknown essay id is a 404, a bad due date a 400.
    let instructor = &outcome.instructor_launch;
    let page = http
        .get(
            tool.join(&format!("/launches/{instructor}/grading"))
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("No essay is waiting"), "{page}");
    let r = http
        .post(
            tool.join(&format!("/launches/{instructor}/grading/unknown-essay"))
                .unwrap(),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form("score", "50"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = http
        .post(tool.join(&format!("/launches/{instructor}/due")).unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form("due", "<script>"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("field `due`") && !body.contains("<script>"),
        "{body}"
    );
}

async fn json(r: reqwest::Response) -> Value {
    serde_json::from_str(&r.text().await.unwrap()).unwrap()
}

fn form(name: &str, value: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish()
}
