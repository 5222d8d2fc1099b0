//! The HTML pages: course outline with launch buttons per user, "add content" (deep linking), roster,
//! gradebook, and tool registration. Small, server-rendered, every value escaped, no JavaScript.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lti_core::html::escape_html;

use lti_nrps::{ContainerContext, Cursor};

use super::course::{CourseLink, Courses};
use super::error::{AppError, PageError};
use super::routes::buffered;
use super::state::PlatformState;

/// Members shown per roster page.
pub const ROSTER_PAGE: usize = 50;
/// The people the outline offers a launch button for.
const LAUNCH_AS: [&str; 3] = ["instructor-1", "learner-1", "learner-2"];

/// A complete page with the navigation of `course` (if any).
pub fn html_page(title: &str, course: Option<&str>, body: &str) -> Response {
    let mut nav = String::new();
    if let Some(id) = course {
        let id = escape_html(&urlencode(id));
        let _ = writeln!(
            nav,
            "<nav><a href=\"/courses/{id}\">Outline</a> · <a href=\"/courses/{id}/add-content\">Add content</a> · \
             <a href=\"/courses/{id}/gradebook\">Gradebook</a> · <a href=\"/courses/{id}/roster\">Roster</a> · \
             <a href=\"/tools\">Tools</a></nav>"
        );
    }
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.2em .6em;text-align:left}}\
         form{{display:inline}}</style></head>\n<body>\n{nav}<h1>{title}</h1>\n{body}</body></html>\n",
        title = escape_html(title),
    );
    let mut response = (StatusCode::OK, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn course(courses: &Courses, id: &str) -> Result<ContainerContext, AppError> {
    courses.course(id).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "unknown_context",
            format!("no course `{id}`"),
        )
    })
}

/// A GET form to `/launch-as` with hidden `fields` and a button.
fn launch_form(fields: &[(&str, &str)], button: &str) -> String {
    let mut html = String::from("<form method=\"get\" action=\"/launch-as\">");
    for (name, value) in fields {
        let _ = write!(
            html,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape_html(name),
            escape_html(value)
        );
    }
    let _ = write!(
        html,
        "<button type=\"submit\">{}</button></form>",
        escape_html(button)
    );
    html
}

/// `GET /courses/{id}`: the links of the course, each with a launch button per user.
///
/// # Errors
/// 404 `unknown_context`; a store failure.
pub async fn outline(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let course = course(state.courses(), &id).await?;
    let links = state.courses().links(course.id.as_str()).await?;
    let mut body = format!(
        "<p>{} ({})</p>\n",
        escape_html(course.title.as_deref().unwrap_or_default()),
        escape_html(course.label.as_deref().unwrap_or_default())
    );
    if links.is_empty() {
        body.push_str(
            "<p>No content yet. Register a tool (<code>POST /api/tools</code> or the <a href=\"/tools\">tools \
             page</a>) and its link appears here.</p>\n",
        );
    }
    body.push_str("<table>\n<tr><th>Link</th><th>Tool</th><th>Launch</th></tr>\n");
    for link in &links {
        let mut buttons = String::new();
        for user in LAUNCH_AS {
            buttons.push_str(&launch_form(
                &[
                    ("user", user),
                    ("context", course.id.as_str()),
                    ("link", &link.id),
                    ("message", "resource"),
                ],
                &format!("as {user}"),
            ));
            buttons.push(' ');
        }
        let _ = writeln!(
            body,
            "<tr><td>{}<br><small><code>{}</code></small></td><td><code>{}</code></td><td>{buttons}</td></tr>",
            escape_html(&link.title),
            escape_html(&link.id),
            escape_html(&link.client_id),
        );
    }
    body.push_str("</table>\n");
    Ok(html_page(
        course.title.as_deref().unwrap_or_default(),
        Some(course.id.as_str()),
        &body,
    ))
}

/// `GET /courses/{id}/add-content`: a deep linking launch (as the instructor) per tool placed in the course.
///
/// # Errors
/// 404 `unknown_context`; a store failure.
pub async fn add_content(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let course = course(state.courses(), &id).await?;
    let links = state.courses().links(course.id.as_str()).await?;
    let tools: BTreeSet<&str> = links.iter().map(|l| l.client_id.as_str()).collect();
    let mut body = String::from(
        "<p>Pick a tool; it answers with content items that become links here.</p>\n<ul>\n",
    );
    for tool in &tools {
        let _ = writeln!(
            body,
            "<li><code>{}</code> {}</li>",
            escape_html(tool),
            launch_form(
                &[
                    ("user", "instructor-1"),
                    ("context", course.id.as_str()),
                    ("tool", tool),
                    ("message", "deeplink"),
                ],
                "Add content as instructor-1",
            )
        );
    }
    body.push_str("</ul>\n");
    Ok(html_page("Add content", Some(course.id.as_str()), &body))
}

/// `GET /courses/{id}/roster[?after=CURSOR]`: the members, [`ROSTER_PAGE`] at a time (the NRPS roster's own
/// paging).
///
/// # Errors
/// 404 `unknown_context`, 400 `invalid_parameter` for a bad cursor; a roster failure.
pub async fn roster(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let course = course(state.courses(), &id).await?;
    let after = url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "after")
        .map(|(_, v)| Cursor::new(v.into_owned()))
        .transpose()
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "invalid_parameter", e.to_string()))?;
    let page = state
        .courses()
        .members(course.id.as_str(), after.as_ref(), ROSTER_PAGE)
        .await?;
    let mut body =
        String::from("<table>\n<tr><th>User</th><th>Name</th><th>Roles</th><th>Email</th></tr>\n");
    for m in &page.members {
        let roles: Vec<&str> = m.roles.raw().collect();
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(m.user_id.as_str()),
            escape_html(m.name.as_deref().unwrap_or_default()),
            escape_html(&roles.join(", ")),
            escape_html(m.email.as_deref().unwrap_or_default())
        );
    }
    body.push_str("</table>\n");
    if let Some(next) = &page.next {
        let _ = writeln!(
            body,
            "<p><a href=\"/courses/{}/roster?after={}\">Next page</a></p>",
            escape_html(&urlencode(course.id.as_str())),
            escape_html(&urlencode(next.as_str()))
        );
    }
    Ok(html_page("Roster", Some(course.id.as_str()), &body))
}

/// `GET /courses/{id}/gradebook`: the line items of the course with their grades.
///
/// # Errors
/// 404 `unknown_context`; a store or gradebook failure.
pub async fn gradebook(
    State(state): State<PlatformState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let course = course(state.courses(), &id).await?;
    let columns = state.courses().columns(course.id.as_str()).await?;
    let mut body = String::new();
    if columns.is_empty() {
        body.push_str("<p>No line items yet: add graded content through deep linking.</p>\n");
    }
    for column in &columns {
        let item = &column.line_item.item;
        let maximum = item.score_maximum.unwrap_or_default();
        let due = item
            .end_date_time
            .map_or_else(|| "none".to_owned(), |d| d.to_string());
        let _ = writeln!(
            body,
            "<h2>{}</h2>\n<p>out of {maximum}; link <code>{}</code>; tool <code>{}</code>; tag <code>{}</code>; \
             due <span class=\"due\">{}</span></p>\n<p><form method=\"post\" action=\"/courses/{}/gradebook/{}\">\
             <input name=\"due\" placeholder=\"2030-01-31T23:59:00Z\" value=\"{}\"> <button type=\"submit\">\
             Set due date</button></form></p>\n\
             <table>\n<tr><th>User</th><th>Result</th><th>Activity</th><th>Grading</th></tr>",
            escape_html(&item.label),
            escape_html(
                item.resource_link_id
                    .as_ref()
                    .map(|l| l.as_str())
                    .unwrap_or_default()
            ),
            escape_html(column.client_id.as_str()),
            escape_html(item.tag.as_deref().unwrap_or("—")),
            escape_html(&due),
            escape_html(&urlencode(course.id.as_str())),
            escape_html(&urlencode(column.line_item.key.as_str())),
            escape_html(
                &item
                    .end_date_time
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        );
        for grade in &column.grades {
            let result = grade
                .result_score(maximum)
                .map(|r| r.to_string())
                .unwrap_or_else(|| "—".to_owned());
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape_html(grade.user_id.as_str()),
                escape_html(&result),
                escape_html(&wire(&grade.activity_progress)),
                escape_html(&wire(&grade.grading_progress)),
            );
        }
        body.push_str("</table>\n");
    }
    Ok(html_page("Gradebook", Some(course.id.as_str()), &body))
}

/// `POST /courses/{id}/gradebook/{key}` (form field `due`: RFC 3339 or `datetime-local`; empty clears): the
/// instructor edits a column's due date, then back to the gradebook (303).
///
/// # Errors
/// As `POST /api/contexts/{id}/lineitems/{key}`; 400 `missing_parameter` without `due`.
pub async fn edit_due(
    State(state): State<PlatformState>,
    Path((id, key)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    let request = buffered(request).await?;
    let value = url::form_urlencoded::parse(request.body())
        .find(|(k, _)| k == "due")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "missing_parameter",
                "form field `due` is required",
            )
        })?;
    let due =
        if value.trim().is_empty() {
            None
        } else {
            Some(super::api::parse_due(&value).map_err(|message| {
                AppError::new(StatusCode::BAD_REQUEST, "invalid_field", message)
            })?)
        };
    super::api::set_due(&state, &id, &key, due).await?;
    Ok(
        axum::response::Redirect::to(&format!("/courses/{}/gradebook", urlencode(&id)))
            .into_response(),
    )
}

/// A value's JSON string form (the AGS vocabulary word).
fn wire(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// `GET /tools`: the registered tools and a form to register one from its DR client-registration JSON.
///
/// # Errors
/// A store failure.
pub async fn tools(State(state): State<PlatformState>) -> Result<Response, PageError> {
    let tools = state.tools().list().await?;
    let mut body =
        String::from("<table>\n<tr><th>Client id</th><th>Name</th><th>Login URL</th></tr>\n");
    for tool in &tools {
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape_html(tool.client_id().as_str()),
            escape_html(tool.name().unwrap_or("")),
            escape_html(tool.initiate_login_uri().as_str())
        );
    }
    body.push_str(
        "</table>\n<h2>Register a tool</h2>\n<p>Paste the LTI Dynamic Registration client-registration JSON.</p>\n\
         <form method=\"post\" action=\"/tools\"><textarea name=\"registration\" rows=\"16\" cols=\"80\"></textarea>\
         <br><button type=\"submit\">Register</button></form>\n\
         <h2>Register by URL (Dynamic Registration)</h2>\n<p>The tool's registration page receives \
         <code>openid_configuration</code>, reads this platform's configuration and posts its registration here.</p>\n\
         <form method=\"get\" action=\"/tools/register\"><input name=\"url\" size=\"60\" \
         placeholder=\"https://tool.example/lti/register\"> <button type=\"submit\">Start</button></form>\n",
    );
    Ok(html_page("Tools", Some(super::course::DEMO_COURSE), &body))
}

/// `POST /tools` (form field `registration`): registers the tool and shows what it needs.
///
/// # Errors
/// 400 naming the failing member, as `POST /api/tools`.
pub async fn register_tool(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, PageError> {
    let request = buffered(request).await?;
    let json = url::form_urlencoded::parse(request.body())
        .find(|(k, _)| k == "registration")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "missing_parameter",
                "form field `registration` is required",
            )
        })?;
    let registered = state
        .tools()
        .register(json.as_bytes(), state.endpoints(), state.courses())
        .await?;
    let pretty = serde_json::to_string_pretty(&registered).map_err(|e| AppError::internal(&e))?;
    let body = format!(
        "<p>Registered. Configure the tool with:</p>\n<pre>{}</pre>\n",
        escape_html(&pretty)
    );
    Ok(html_page(
        "Tool registered",
        Some(super::course::DEMO_COURSE),
        &body,
    ))
}

/// The page after a deep linking response: what was added, and the tool's messages.
pub fn content_added(
    context: &str,
    links: &[CourseLink],
    msg: Option<&str>,
    errormsg: Option<&str>,
) -> Response {
    let mut body = String::new();
    if let Some(msg) = msg {
        let _ = writeln!(body, "<p>The tool says: {}</p>", escape_html(msg));
    }
    if let Some(errormsg) = errormsg {
        let _ = writeln!(
            body,
            "<p>The tool reports an error: {}</p>",
            escape_html(errormsg)
        );
    }
    let _ = writeln!(body, "<p>{} link(s) added:</p>\n<ul>", links.len());
    for link in links {
        let _ = writeln!(
            body,
            "<li>{} <code>{}</code></li>",
            escape_html(&link.title),
            escape_html(&link.id)
        );
    }
    body.push_str("</ul>\n");
    html_page("Content added", Some(context), &body)
}

/// `GET /tools/register?url=URL`: starts a tool-side Dynamic Registration [DR §3.3]: the browser goes to the
/// tool's registration URL with `openid_configuration` pointing at this platform's configuration.
///
/// # Errors
/// 400 `invalid_parameter` when `url` is missing or not an `https` URL (`http` only to a loopback host).
pub async fn register_by_url(
    State(state): State<PlatformState>,
    request: Request,
) -> Result<Response, PageError> {
    let bad =
        |message: String| AppError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message);
    let value = url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| bad("parameter `url` is required".to_owned()))?;
    let mut target = url::Url::parse(&value).map_err(|e| bad(format!("parameter `url`: {e}")))?;
    let loopback = match target.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !(target.scheme() == "https" && target.host().is_some()
        || target.scheme() == "http" && loopback)
    {
        return Err(bad(
            "parameter `url`: expected an https URL (http only to a loopback host)".to_owned(),
        )
        .into());
    }
    let configuration = state
        .endpoints()
        .url(&[".well-known", "openid-configuration"]);
    target
        .query_pairs_mut()
        .append_pair("openid_configuration", configuration.as_str());
    Ok(axum::response::Redirect::to(target.as_str()).into_response())
}
