//! `cargo xtask demo`: the reference platform and the reference tool on free loopback ports, registered with each
//! other, and the implementation guide's use cases played over real HTTP by a headless browser
//! ([`crate::browser`]), each step printed.
//!
//! Played today:
//! 1. the instructor picks two activities in the tool (deep linking, `Quiz 1` and `Essay`); both appear in the
//!    course as separate links, each with its line item tagged `grade` (guide 2.2.1, 2.3.1, 2.4.1);
//! 2. a learner finishes the machine-graded quiz: the tool finds the link's line item and the score is in the
//!    gradebook at once (2.2.2);
//! 3. two grades for one assessment: the tool find-or-creates a second line item for the quiz's resource link,
//!    tagged `participation`, and posts to both; the gradebook shows two columns for the one link (2.3.4, 2.4.3);
//! 4. the learner submits the essay: the tool posts `Submitted` / `PendingManual` with no score and keeps what
//!    it needs to grade later (registration key, deployment, line item URL, the claim's URLs; no token); the
//!    gradebook shows the submission pending, no result (2.2.2, 2.3.3);
//! 5. the instructor grades the essay on the tool's grading page, with no learner launch: the grade is posted
//!    with an `AgsClient` built from the stored record, and the gradebook shows it (2.2.2, 2.3.3);
//! 6. the instructor sets the quiz's due date in the tool (`AgsClient::update_line_item`); the platform's line
//!    item (gradebook JSON and page) shows it (2.3.5);
//! 7. the instructor moves the due date in the platform's gradebook form; the learner's next launch reads the
//!    line item and the tool's launch report shows the new `due` (2.3.5);
//! 8. the instructor sees which roster members engaged: the tool reads the whole roster over NRPS, across pages,
//!    and the platform's gradebook says who has a result (2.2.3, 2.3.2, 2.4.2).
//!
//! Not yet played: submission review (the platform launching back into the tool from a gradebook cell) and
//! the platform-side `POST /api/contexts/{id}/lineitems/{key}` (the demo uses its page form; the test suite
//! drives the JSON form).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::Value;
use url::Url;

use crate::browser::{Browser, Page};
use crate::platform::{PlatformState, app as platform_app};
use crate::tool::{LAUNCH_REPORT_ID, PlatformSpec, ToolServer, ToolServerConfig, app as tool_app};

/// The course the reference platform seeds.
pub const COURSE: &str = "demo-course";

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
#[error("demo step `{step}` failed: {reason}")]
pub struct DemoError {
    /// The step.
    pub step: &'static str,
    /// What went wrong.
    pub reason: String,
}

fn fail(step: &'static str, reason: impl std::fmt::Display) -> DemoError {
    DemoError {
        step,
        reason: reason.to_string(),
    }
}

/// Both servers, running on loopback sockets until dropped (their tasks end with the runtime).
#[derive(Debug)]
pub struct Servers {
    /// The platform's base URL (its issuer).
    pub platform_url: Url,
    /// The tool's base URL.
    pub tool_url: Url,
    /// The platform's data directory.
    pub platform_data: PathBuf,
    /// The tool's data directory.
    pub tool_data: PathBuf,
    tool: ToolServer,
}

async fn bind() -> Result<(tokio::net::TcpListener, Url), DemoError> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| fail("start", e))?;
    let port = listener.local_addr().map_err(|e| fail("start", e))?.port();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| fail("start", e))?;
    Ok((listener, url))
}

/// Starts the reference platform and the reference tool (services run during each launch) with data under
/// `data` (`platform/` and `tool/`), on free loopback ports.
///
/// # Errors
/// A socket or data directory that cannot be opened.
pub async fn start(data: &Path) -> Result<Servers, DemoError> {
    let platform_data = data.join("platform");
    let tool_data = data.join("tool");
    let (platform_listener, platform_url) = bind().await?;
    let issuer = platform_url.as_str().trim_end_matches('/').to_owned();
    let state = PlatformState::open(&platform_data, &issuer)
        .await
        .map_err(|e| fail("start platform", e))?;
    tokio::spawn(async move { axum::serve(platform_listener, platform_app(state)).await });

    let (tool_listener, tool_url) = bind().await?;
    let config = ToolServerConfig::new(tool_url.as_str(), &tool_data)
        .map_err(|e| fail("start tool", e))?
        .with_auto_services(true);
    let tool = ToolServer::open(config)
        .await
        .map_err(|e| fail("start tool", e))?;
    let served = tool.clone();
    tokio::spawn(async move { axum::serve(tool_listener, tool_app(served)).await });
    Ok(Servers {
        platform_url,
        tool_url,
        platform_data,
        tool_data,
        tool,
    })
}

/// What the demo established, for the caller (and the test) to check.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The resource links added by deep linking.
    pub added_links: Vec<String>,
    /// Every result in the platform's gradebook.
    pub grades: Vec<Grade>,
    /// Roster size the tool read over NRPS.
    pub roster_members: u64,
    /// Members with at least one result.
    pub engaged: Vec<String>,
    /// The tags of the quiz link's columns learner-1 has a result in (`grade`, `participation`).
    pub quiz_tags: Vec<String>,
    /// The due date the platform's line item had after the tool set it.
    pub due_from_tool: String,
    /// The due date the tool reported at the launch after the platform's edit.
    pub due_at_tool: String,
    /// learner-1's last essay or quiz launch id at the tool (not an instructor's).
    pub learner_launch: String,
    /// instructor-1's essay launch id at the tool (the grading page's capability).
    pub instructor_launch: String,
}

/// The grade the instructor gives the essay.
pub const ESSAY_GRADE: f64 = 83.0;
/// The due date the instructor sets in the tool.
pub const DUE_IN_TOOL: &str = "2030-01-31T23:59:00Z";
/// The due date the instructor then sets in the platform.
pub const DUE_IN_PLATFORM: &str = "2030-02-15T12:00:00Z";

/// One result in the platform's gradebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    /// The line item (column) key.
    pub column: String,
    /// The line item's label.
    pub label: String,
    /// The learner.
    pub user: String,
    /// The result.
    pub score: f64,
}

/// Registers each server with the other, then plays the use cases, calling `say` with each step.
///
/// # Errors
/// The first step that did not give the expected result.
pub async fn play(servers: &Servers, say: &mut dyn FnMut(&str)) -> Result<Outcome, DemoError> {
    let http = reqwest::Client::new();
    let platform = &servers.platform_url;

    // Registration, both ways: the tool's Dynamic Registration JSON at the platform, the answer at the tool.
    let registration = get_bytes(
        &http,
        &join(&servers.tool_url, "/.well-known/lti-tool-registration.json")?,
        "register",
    )
    .await?;
    let answer = http
        .post(join(platform, "/api/tools")?)
        .header("content-type", "application/json")
        .body(registration)
        .send()
        .await
        .map_err(|e| fail("register", e))?;
    if answer.status() != 201 {
        return Err(fail(
            "register",
            format!("the platform answered {}", answer.status()),
        ));
    }
    let answer = answer.bytes().await.map_err(|e| fail("register", e))?;
    let spec = PlatformSpec::from_json(&answer).map_err(|e| fail("register", e))?;
    servers
        .tool
        .add_platform(&spec)
        .await
        .map_err(|e| fail("register", e))?;
    let registered: Value = serde_json::from_slice(&answer).map_err(|e| fail("register", e))?;
    let placed = text(&registered, "resource_link_id", "register")?;
    say(&format!(
        "registered: tool client_id {} (deployment {}) at {platform}; platform registered at the tool",
        text(&registered, "client_id", "register")?,
        text(&registered, "deployment_id", "register")?,
    ));

    let browser = Browser::new().map_err(|e| fail("browser", e))?;
    let launch_as = |user: &str, link: &str, message: &str| -> Result<Url, DemoError> {
        let mut url = join(platform, "/launch-as")?;
        url.query_pairs_mut()
            .append_pair("user", user)
            .append_pair("context", COURSE)
            .append_pair("link", link)
            .append_pair("message", message);
        Ok(url)
    };

    // 1. The instructor deep-links two activities: the tool's picker, two boxes ticked, the signed response
    //    auto-posted back to the platform.
    let before = links(&http, platform).await?;
    let picker = browser
        .get(&launch_as("instructor-1", &placed, "deeplink")?)
        .await
        .map_err(|e| fail("deep linking", e))?;
    expect_ok(&picker, "deep linking")?;
    let form = crate::browser::parse_form(&picker.body)
        .filter(|f| f.action.ends_with("/deep-link"))
        .ok_or_else(|| fail("deep linking", "the tool did not show its activity picker"))?;
    let chosen: Vec<(String, String)> = ["quiz-1", "essay"]
        .iter()
        .map(|slug| ("activity".to_owned(), (*slug).to_owned()))
        .collect();
    let action = picker
        .url
        .join(&form.action)
        .map_err(|e| fail("deep linking", e))?;
    let page = browser
        .post_form(&action, &chosen)
        .await
        .map_err(|e| fail("deep linking", e))?;
    expect_ok(&page, "deep linking")?;
    if !page.body.contains("2 link(s) added") {
        let excerpt: String = page.body.chars().take(300).collect();
        return Err(fail(
            "deep linking",
            format!("the platform did not add 2 links: {excerpt}"),
        ));
    }
    let after = links(&http, platform).await?;
    let added: Vec<Value> = after
        .iter()
        .filter(|l| !before.iter().any(|b| at(b, "id") == at(l, "id")))
        .cloned()
        .collect();
    if added.len() != 2 {
        return Err(fail(
            "deep linking",
            format!("expected 2 new links, found {}", added.len()),
        ));
    }
    let added_links: Vec<String> = added
        .iter()
        .filter_map(|l| at(l, "id").as_str().map(str::to_owned))
        .collect();
    for link in &added {
        say(&format!(
            "guide 2.2.1, 2.3.1, 2.4.1: deep-linked \"{}\" as its own link {}",
            at(link, "title").as_str().unwrap_or_default(),
            at(link, "id").as_str().unwrap_or_default()
        ));
    }

    let link_titled = |title: &str| -> Result<String, DemoError> {
        added
            .iter()
            .find(|l| at(l, "title") == title)
            .and_then(|l| at(l, "id").as_str().map(str::to_owned))
            .ok_or_else(|| fail("deep linking", format!("no link titled {title}")))
    };
    let quiz_link = link_titled("Quiz 1")?;
    let essay_link = link_titled("Essay")?;

    // 2. A learner does both activities: each launch makes the tool find its line item (the one deep linking
    //    created, tag `grade`) and post; the quiz is machine-graded, so its score is in the gradebook at once.
    let mut learner_launch = String::new();
    for link in [&quiz_link, &essay_link] {
        let page = browser
            .get(&launch_as("learner-1", link, "resource")?)
            .await
            .map_err(|e| fail("graded launch", e))?;
        expect_ok(&page, "graded launch")?;
        let report = report(&page, "graded launch")?;
        let ags = service(&report, "ags", "graded launch")?;
        if at(&ags, "status") != "ok" {
            return Err(fail("graded launch", format!("AGS did not run: {ags}")));
        }
        learner_launch = text(&report, "launch_id", "graded launch")?;
    }
    let book = gradebook(&http, platform).await?;
    let quiz_grade = result_of(&book, &quiz_link, Some("grade"), "learner-1");
    let quiz_score = quiz_grade
        .as_ref()
        .and_then(|r| at(r, "resultScore").as_f64())
        .ok_or_else(|| fail("gradebook", format!("no quiz grade for learner-1: {book}")))?;
    say(&format!(
        "guide 2.2.2: learner-1 finished Quiz 1; the tool's score {quiz_score} is in the gradebook \
         at once"
    ));

    // 3. Two grades for one assessment: the quiz link has a second line item tagged `participation`.
    let quiz_columns = columns_of(&book, &quiz_link);
    let mut two_tags: Vec<String> = quiz_columns
        .iter()
        .filter(|c| {
            at(c, "results")
                .as_array()
                .is_some_and(|r| r.iter().any(|r| at(r, "userId") == "learner-1"))
        })
        .filter_map(|c| at(c, "tag").as_str().map(str::to_owned))
        .collect();
    two_tags.sort();
    if two_tags != ["grade", "participation"] {
        return Err(fail(
            "two grades",
            format!(
                "expected learner-1 in the `grade` and `participation` columns of {quiz_link}: {book}"
            ),
        ));
    }
    say(&format!(
        "guide 2.3.4, 2.4.3: one assessment, two grades: link {quiz_link} has {} columns (tags {})",
        quiz_columns.len(),
        two_tags.join(", ")
    ));

    // 4. The essay waits for the instructor: submitted, pending manual grading, no result published.
    let pending = result_of(&book, &essay_link, Some("grade"), "learner-1").ok_or_else(|| {
        fail(
            "essay",
            format!("no essay submission for learner-1: {book}"),
        )
    })?;
    if at(&pending, "gradingProgress") != "PendingManual"
        || at(&pending, "activityProgress") != "Submitted"
        || !at(&pending, "resultScore").is_null()
    {
        return Err(fail(
            "essay",
            format!("expected Submitted / PendingManual and no result: {pending}"),
        ));
    }
    say(
        "guide 2.2.2, 2.3.3: learner-1 submitted the essay; the gradebook shows it Submitted, \
         PendingManual, no result",
    );

    // 5. The instructor grades it in the tool, later, with no learner launch: the tool's grading page lists
    //    the stored submission, the form posts the grade with a client built from the stored record.
    let page = browser
        .get(&launch_as("instructor-1", &essay_link, "resource")?)
        .await
        .map_err(|e| fail("manual grading", e))?;
    expect_ok(&page, "manual grading")?;
    let instructor_report = report(&page, "manual grading")?;
    let instructor_launch = text(&instructor_report, "launch_id", "manual grading")?;
    let grading_url = join(
        &servers.tool_url,
        &format!("/launches/{instructor_launch}/grading"),
    )?;
    let grading = browser
        .get(&grading_url)
        .await
        .map_err(|e| fail("manual grading", e))?;
    expect_ok(&grading, "manual grading")?;
    let listed = embedded_json(&grading, crate::tool::PENDING_ESSAYS_ID, "manual grading")?;
    let action = listed
        .as_array()
        .and_then(|all| all.iter().find(|e| at(e, "user_id") == "learner-1"))
        .and_then(|e| at(e, "action").as_str())
        .ok_or_else(|| {
            fail(
                "manual grading",
                format!("learner-1's essay is not listed: {listed}"),
            )
        })?;
    let graded = browser
        .post_form(
            &join(&servers.tool_url, action)?,
            &[("score".to_owned(), ESSAY_GRADE.to_string())],
        )
        .await
        .map_err(|e| fail("manual grading", e))?;
    expect_ok(&graded, "manual grading")?;
    let book = gradebook(&http, platform).await?;
    let essay_result = result_of(&book, &essay_link, Some("grade"), "learner-1")
        .ok_or_else(|| fail("manual grading", format!("no essay result: {book}")))?;
    if at(&essay_result, "gradingProgress") != "FullyGraded"
        || at(&essay_result, "resultScore").as_f64() != Some(ESSAY_GRADE)
    {
        return Err(fail(
            "manual grading",
            format!("expected FullyGraded {ESSAY_GRADE}: {essay_result}"),
        ));
    }
    say(&format!(
        "guide 2.2.2, 2.3.3: instructor-1 graded the essay {ESSAY_GRADE} on the tool's grading page, \
         no learner launch; the gradebook shows it FullyGraded"
    ));

    // 6. Due dates both ways (2.3.5): set in the tool, it reaches the platform's line item; edited in the
    //    platform's gradebook, the tool sees it at the next launch.
    let page = browser
        .get(&launch_as("instructor-1", &quiz_link, "resource")?)
        .await
        .map_err(|e| fail("due date", e))?;
    expect_ok(&page, "due date")?;
    let quiz_instructor = text(&report(&page, "due date")?, "launch_id", "due date")?;
    let set = browser
        .post_form(
            &join(
                &servers.tool_url,
                &format!("/launches/{quiz_instructor}/due"),
            )?,
            &[("due".to_owned(), DUE_IN_TOOL.to_owned())],
        )
        .await
        .map_err(|e| fail("due date", e))?;
    expect_ok(&set, "due date")?;
    let book = gradebook(&http, platform).await?;
    let quiz_item = column_tagged(&book, &quiz_link, "grade")
        .ok_or_else(|| fail("due date", format!("no grade column for {quiz_link}")))?;
    let due_from_tool = at(&quiz_item, "endDateTime")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !same_instant(&due_from_tool, DUE_IN_TOOL) {
        return Err(fail(
            "due date",
            format!("the platform's line item is due `{due_from_tool}`, expected {DUE_IN_TOOL}"),
        ));
    }
    let key = text(&quiz_item, "key", "due date")?;
    let gradebook_page = browser
        .get(&join(platform, &format!("/courses/{COURSE}/gradebook"))?)
        .await
        .map_err(|e| fail("due date", e))?;
    if !gradebook_page.body.contains(&due_from_tool) {
        return Err(fail(
            "due date",
            "the gradebook page does not show the due date",
        ));
    }
    say(&format!(
        "guide 2.3.5: instructor-1 set the due date in the tool; the platform's line item {key} is \
         due {due_from_tool}"
    ));
    let edited = browser
        .post_form(
            &join(platform, &format!("/courses/{COURSE}/gradebook/{key}"))?,
            &[("due".to_owned(), DUE_IN_PLATFORM.to_owned())],
        )
        .await
        .map_err(|e| fail("due date", e))?;
    expect_ok(&edited, "due date")?;
    let page = browser
        .get(&launch_as("learner-1", &quiz_link, "resource")?)
        .await
        .map_err(|e| fail("due date", e))?;
    expect_ok(&page, "due date")?;
    let ags = service(&report(&page, "due date")?, "ags", "due date")?;
    let due_at_tool = at(&ags, "steps")
        .as_array()
        .and_then(|steps| steps.iter().find(|s| at(s, "step") == "line_item"))
        .and_then(|s| at(at(s, "detail"), "due").as_str())
        .unwrap_or_default()
        .to_owned();
    if !same_instant(&due_at_tool, DUE_IN_PLATFORM) {
        return Err(fail(
            "due date",
            format!(
                "the tool's launch report says due `{due_at_tool}`, expected {DUE_IN_PLATFORM}: {ags}"
            ),
        ));
    }
    say(&format!(
        "guide 2.3.5: instructor-1 moved the due date in the platform's gradebook; learner-1's next \
         launch reads it in the tool: due {due_at_tool}"
    ));

    let grades = grades(&http, platform).await?;
    // 8. The instructor's launch reads the roster across pages; the gradebook says who engaged.
    let page = browser
        .get(&launch_as("instructor-1", &quiz_link, "resource")?)
        .await
        .map_err(|e| fail("roster", e))?;
    expect_ok(&page, "roster")?;
    let report = report(&page, "roster")?;
    let nrps = service(&report, "nrps", "roster")?;
    let roster_members = at(&nrps, "steps")
        .as_array()
        .and_then(|steps| steps.iter().find(|s| at(s, "step") == "roster"))
        .and_then(|s| at(at(s, "detail"), "members").as_u64())
        .ok_or_else(|| fail("roster", format!("no roster step: {nrps}")))?;
    let mut engaged: Vec<String> = grades.iter().map(|g| g.user.clone()).collect();
    engaged.sort();
    engaged.dedup();
    say(&format!(
        "guide 2.2.3, 2.3.2, 2.4.2: the tool read {roster_members} members over NRPS (pages of the platform's size); engaged: {}",
        engaged.join(", ")
    ));
    Ok(Outcome {
        added_links,
        grades,
        roster_members,
        engaged,
        quiz_tags: two_tags,
        due_from_tool,
        due_at_tool,
        learner_launch,
        instructor_launch,
    })
}

/// `value[key]` without indexing: `Null` when absent.
fn at<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}

fn join(base: &Url, path: &str) -> Result<Url, DemoError> {
    base.join(path).map_err(|e| fail("url", e))
}

fn text(value: &Value, member: &str, step: &'static str) -> Result<String, DemoError> {
    value[member]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| fail(step, format!("no `{member}` in {value}")))
}

async fn get_bytes(
    http: &reqwest::Client,
    url: &Url,
    step: &'static str,
) -> Result<bytes::Bytes, DemoError> {
    let response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| fail(step, e))?;
    if !response.status().is_success() {
        return Err(fail(step, format!("{url} answered {}", response.status())));
    }
    response.bytes().await.map_err(|e| fail(step, e))
}

async fn get_json(
    http: &reqwest::Client,
    url: &Url,
    step: &'static str,
) -> Result<Value, DemoError> {
    let body = get_bytes(http, url, step).await?;
    serde_json::from_slice(&body).map_err(|e| fail(step, e))
}

async fn links(http: &reqwest::Client, platform: &Url) -> Result<Vec<Value>, DemoError> {
    let url = join(platform, &format!("/api/contexts/{COURSE}/links"))?;
    let links = get_json(http, &url, "links").await?;
    Ok(at(&links, "links").as_array().cloned().unwrap_or_default())
}

async fn grades(http: &reqwest::Client, platform: &Url) -> Result<Vec<Grade>, DemoError> {
    let url = join(platform, &format!("/api/contexts/{COURSE}/gradebook"))?;
    let book = get_json(http, &url, "gradebook").await?;
    let mut out = Vec::new();
    for item in at(&book, "line_items").as_array().into_iter().flatten() {
        let label = at(item, "label").as_str().unwrap_or_default();
        let column = at(item, "key").as_str().unwrap_or_default();
        for result in at(item, "results").as_array().into_iter().flatten() {
            if let (Some(user), Some(score)) = (
                at(result, "userId").as_str(),
                at(result, "resultScore").as_f64(),
            ) {
                out.push(Grade {
                    column: column.to_owned(),
                    label: label.to_owned(),
                    user: user.to_owned(),
                    score,
                });
            }
        }
    }
    Ok(out)
}

async fn gradebook(http: &reqwest::Client, platform: &Url) -> Result<Value, DemoError> {
    let url = join(platform, &format!("/api/contexts/{COURSE}/gradebook"))?;
    get_json(http, &url, "gradebook").await
}

/// The gradebook columns (line items) of resource link `link`.
fn columns_of(book: &Value, link: &str) -> Vec<Value> {
    at(book, "line_items")
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| at(item, "resourceLinkId") == link)
        .cloned()
        .collect()
}

fn column_tagged(book: &Value, link: &str, tag: &str) -> Option<Value> {
    columns_of(book, link)
        .into_iter()
        .find(|c| at(c, "tag") == tag)
}

/// `user`'s result in the column of `link` tagged `tag`.
fn result_of(book: &Value, link: &str, tag: Option<&str>, user: &str) -> Option<Value> {
    columns_of(book, link)
        .iter()
        .filter(|c| tag.is_none_or(|t| at(c, "tag") == t))
        .flat_map(|c| at(c, "results").as_array().cloned().unwrap_or_default())
        .find(|r| at(r, "userId") == user)
}

/// Whether two RFC 3339 texts name the same instant.
fn same_instant(a: &str, b: &str) -> bool {
    match (lti_ags::Timestamp::parse(a), lti_ags::Timestamp::parse(b)) {
        (Ok(a), Ok(b)) => a.instant_cmp(&b).is_eq(),
        _ => false,
    }
}

fn embedded_json(page: &Page, id: &str, step: &'static str) -> Result<Value, DemoError> {
    let marker = format!("id=\"{id}\">");
    let start = page
        .body
        .find(&marker)
        .map(|at| at.saturating_add(marker.len()))
        .ok_or_else(|| fail(step, format!("the page has no `{id}` element")))?;
    let rest = page.body.get(start..).unwrap_or_default();
    let end = rest
        .find("</script>")
        .ok_or_else(|| fail(step, "unterminated JSON element"))?;
    serde_json::from_str(rest.get(..end).unwrap_or_default()).map_err(|e| fail(step, e))
}

fn expect_ok(page: &Page, step: &'static str) -> Result<(), DemoError> {
    if page.status == 200 {
        Ok(())
    } else {
        let excerpt: String = page.body.chars().take(300).collect();
        Err(fail(step, format!("status {}: {excerpt}", page.status)))
    }
}

fn report(page: &Page, step: &'static str) -> Result<Value, DemoError> {
    let marker = format!("id=\"{LAUNCH_REPORT_ID}\">");
    let start = page
        .body
        .find(&marker)
        .map(|at| at.saturating_add(marker.len()))
        .ok_or_else(|| fail(step, "the tool's page has no launch report"))?;
    let rest = page.body.get(start..).unwrap_or_default();
    let end = rest
        .find("</script>")
        .ok_or_else(|| fail(step, "unterminated launch report"))?;
    let report: Value =
        serde_json::from_str(rest.get(..end).unwrap_or_default()).map_err(|e| fail(step, e))?;
    if at(&report, "ok") != true {
        return Err(fail(
            step,
            format!("the launch failed: {}", at(&report, "error")),
        ));
    }
    Ok(report)
}

fn service(report: &Value, name: &str, step: &'static str) -> Result<Value, DemoError> {
    at(report, "services")
        .as_array()
        .and_then(|all| all.iter().find(|s| at(s, "service") == name))
        .cloned()
        .ok_or_else(|| fail(step, format!("the launch report has no `{name}` service")))
}
