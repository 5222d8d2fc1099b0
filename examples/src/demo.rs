//! `cargo xtask demo`: the reference platform and the reference tool on free loopback ports, registered with each
//! other, and the implementation guide's use cases played over real HTTP by a headless browser
//! ([`crate::browser`]), each step printed.
//!
//! Played today:
//! 1. the instructor picks two activities in the tool (deep linking); both appear in the course as separate links
//!    (guide 2.2.1, 2.3.1, 2.4.1);
//! 2. a learner finishes a machine-graded activity: the tool creates the line item and the score is in the
//!    gradebook at once (2.2.2);
//! 3. a second activity's grade lands in its own column (2.3.4, 2.4.3);
//! 4. the instructor sees which roster members engaged: the tool reads the whole roster over NRPS, across pages,
//!    and the platform's gradebook says who has a result (2.2.3, 2.3.2, 2.4.2).
//!
//! Not yet played (the reference tool has no grading or due-date screens yet): the essay pending manual grading,
//! two grades for one assessment, and due dates edited on either side (2.2.2 second half, 2.3.3, 2.3.5).

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
}

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
            "use case 1: deep-linked \"{}\" as its own link {}",
            at(link, "title").as_str().unwrap_or_default(),
            at(link, "id").as_str().unwrap_or_default()
        ));
    }

    // 2 and 3. A learner does both activities: each launch makes the tool find or create its line item and post
    // the score, which is in the platform's gradebook at once, one column per activity.
    for link in &added_links {
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
    }
    let grades = grades(&http, platform).await?;
    let mut learner_columns: Vec<&str> = grades
        .iter()
        .filter(|g| g.user == "learner-1")
        .map(|g| g.column.as_str())
        .collect();
    learner_columns.sort_unstable();
    learner_columns.dedup();
    let learner_columns = learner_columns.len();
    if learner_columns < 2 {
        return Err(fail(
            "gradebook",
            format!("expected learner-1 in 2 columns, found {learner_columns}: {grades:?}"),
        ));
    }
    for grade in grades.iter().filter(|g| g.user == "learner-1") {
        say(&format!(
            "use cases 2, 3: {} scored {} in column {} (\"{}\"), visible in the gradebook at once",
            grade.user, grade.score, grade.column, grade.label
        ));
    }

    // 4. The instructor's launch reads the roster across pages; the gradebook says who engaged.
    let page = browser
        .get(&launch_as(
            "instructor-1",
            added_links.first().map(String::as_str).unwrap_or_default(),
            "resource",
        )?)
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
        "use case 4: the tool read {roster_members} members over NRPS (pages of the platform's size); engaged: {}",
        engaged.join(", ")
    ));
    Ok(Outcome {
        added_links,
        grades,
        roster_members,
        engaged,
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
