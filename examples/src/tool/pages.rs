//! The server-rendered HTML pages: small, every dynamic value escaped with
//! [`escape_html`](lti_core::html::escape_html), plain `<form>` posts, no JavaScript of our own.

use std::fmt::Write as _;

use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use lti_core::html::escape_html as esc;

use super::activities::{ACTIVITIES, Activity};
use super::config::ToolServerConfig;
use super::essays::PendingEssay;
use super::platforms::PlatformSpec;
use super::report::{LAUNCH_REPORT_ID, LaunchReport};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}\
pre{background:#f4f4f4;padding:.5rem;overflow:auto}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}.failed{color:#a00}";

/// A whole page with `status`, not cached.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body>\n<h1>{}</h1>\n{body}</body></html>\n",
        esc(title),
        esc(title)
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The home page: what to register at a platform, the platforms registered here, a form to add one.
pub(crate) fn home(config: &ToolServerConfig, platforms: &[PlatformSpec]) -> Response {
    let mut body = String::new();
    let _ = write!(
        body,
        "<p>Register this tool at a platform with <a href=\"/.well-known/lti-tool-registration.json\">its \
         registration JSON</a>, or by hand:</p><table>\
         <tr><th>login (OIDC initiation)</th><td>{}</td></tr>\
         <tr><th>redirect URI (launch)</th><td>{}</td></tr>\
         <tr><th>JWKS</th><td>{}</td></tr>\
         <tr><th>target link URI</th><td>{}</td></tr>\
         <tr><th>deep linking</th><td>{}</td></tr></table>",
        esc(config.login_url().as_str()),
        esc(config.launch_url().as_str()),
        esc(config.jwks_url().as_str()),
        esc(config.target_link_uri().as_str()),
        esc(config.deep_link_uri().as_str()),
    );
    body.push_str("<h2>Platforms</h2>");
    if platforms.is_empty() {
        body.push_str("<p>None yet.</p>");
    } else {
        body.push_str("<table><tr><th>issuer</th><th>client id</th><th>deployment</th></tr>");
        for p in platforms {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.issuer),
                esc(&p.client_id),
                esc(&p.deployment_id)
            );
        }
        body.push_str("</table>");
    }
    body.push_str(
        "<h2>Add a platform</h2><form method=\"post\" action=\"/platforms\">\
         <p>JSON with <code>issuer</code>, <code>authorization_endpoint</code>, <code>token_endpoint</code>, \
         <code>jwks_uri</code>, <code>client_id</code>, <code>deployment_id</code> (optional \
         <code>authorization_server</code>):</p>\
         <textarea name=\"platform\" rows=\"10\" cols=\"80\"></textarea><p><button type=\"submit\">Add</button></p>\
         </form>",
    );
    page(StatusCode::OK, "lti-rs reference tool", &body)
}

/// The launch diagnostics page: claims, roles, context, services with their buttons, and the JSON report; for
/// an instructor, the grading page's link and the due-date form too.
pub(crate) fn launch(report: &LaunchReport, instructor: bool) -> Response {
    let mut body = String::new();
    if let (true, Some(id)) = (instructor, &report.launch_id) {
        let _ = write!(
            body,
            "<h2>Instructor</h2><p><a id=\"grading-page\" href=\"/launches/{id}/grading\">Essays waiting for a \
             grade</a></p><form method=\"post\" action=\"/launches/{id}/due\"><label>Due date of this link's \
             line item (RFC 3339, or empty to clear) <input name=\"due\" placeholder=\"2030-01-31T23:59:00Z\"></label> \
             <button type=\"submit\">Set due date</button></form>",
            id = esc(id)
        );
    }
    let row = |body: &mut String, name: &str, value: Option<&str>| {
        let _ = write!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(name),
            esc(value.unwrap_or("—"))
        );
    };
    body.push_str("<table>");
    row(&mut body, "message type", report.message_type.as_deref());
    row(&mut body, "issuer", report.issuer.as_deref());
    row(&mut body, "client id", report.client_id.as_deref());
    row(&mut body, "deployment", report.deployment_id.as_deref());
    row(&mut body, "user", report.user.as_deref());
    row(
        &mut body,
        "target link URI",
        report.target_link_uri.as_deref(),
    );
    body.push_str("</table><h2>Roles</h2>");
    if report.roles.is_empty() {
        body.push_str("<p>No roles.</p>");
    } else {
        body.push_str("<table><tr><th>sent</th><th>kind</th><th>URI</th></tr>");
        for r in &report.roles {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.raw),
                esc(&r.kind),
                esc(&r.uri)
            );
        }
        body.push_str("</table>");
    }
    if let Some(context) = &report.context {
        let _ = write!(body, "<h2>Context</h2><pre>{}</pre>", esc(&pretty(context)));
    }
    if let Some(link) = &report.resource_link {
        let _ = write!(
            body,
            "<h2>Resource link</h2><pre>{}</pre>",
            esc(&pretty(link))
        );
    }
    body.push_str("<h2>Services</h2>");
    if report.services.is_empty() {
        body.push_str("<p>The launch offers no services.</p>");
    }
    for service in &report.services {
        let _ = write!(
            body,
            "<h3>{} <small>({})</small></h3><pre>{}</pre>",
            esc(&service.service),
            esc(&format!("{:?}", service.status)),
            esc(&pretty(&service.claim))
        );
        for step in &service.steps {
            let _ = write!(
                body,
                "<p>{}: {}</p><pre>{}</pre>",
                esc(&step.step),
                esc(&format!("{:?}", step.status)),
                esc(&pretty(&step.detail))
            );
        }
        if let Some(id) = &report.launch_id {
            let _ = write!(
                body,
                "<form method=\"post\" action=\"/launches/{}/services/{}\"><button type=\"submit\">Run {}</button></form>",
                esc(id),
                esc(&service.service),
                esc(&service.service)
            );
        }
    }
    if let Some(claims) = &report.claims {
        let _ = write!(
            body,
            "<h2>All claims</h2><pre>{}</pre>",
            esc(&pretty(claims))
        );
    }
    push_report(&mut body, report);
    page(StatusCode::OK, "LTI launch", &body)
}

/// The `id` of the `<script type="application/json">` element listing the pending essays on the grading page.
pub const PENDING_ESSAYS_ID: &str = "lti-pending-essays";

/// The instructor's grading page: the essays pending in the launch's context, one form each.
pub(crate) fn grading(launch_id: &str, essays: &[PendingEssay]) -> Response {
    let mut body = String::new();
    let mut listed = Vec::new();
    if essays.is_empty() {
        body.push_str("<p>No essay is waiting for a grade.</p>");
    } else {
        body.push_str(
            "<table><tr><th>learner</th><th>line item</th><th>submitted</th><th>grade</th></tr>",
        );
    }
    for essay in essays {
        let action = format!("/launches/{launch_id}/grading/{}", essay.id);
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><form method=\"post\" action=\"{}\">\
             <input name=\"score\" type=\"number\" min=\"0\" max=\"{}\" step=\"any\" required> / {} \
             <button type=\"submit\">Grade</button></form></td></tr>",
            esc(&essay.user_id),
            esc(&essay.label),
            esc(&essay.submitted_at.to_string()),
            esc(&action),
            essay.score_maximum,
            essay.score_maximum,
        );
        listed.push(serde_json::json!({
            "user_id": essay.user_id,
            "label": essay.label,
            "resource_link_id": essay.resource_link_id,
            "score_maximum": essay.score_maximum,
            "submitted_at": essay.submitted_at.to_string(),
            "action": action,
        }));
    }
    if !essays.is_empty() {
        body.push_str("</table>");
    }
    let json = serde_json::Value::Array(listed)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let _ = write!(
        body,
        "\n<script type=\"application/json\" id=\"{PENDING_ESSAYS_ID}\">{json}</script>\n"
    );
    page(StatusCode::OK, "Essays to grade", &body)
}

/// The line item after the instructor set its due date.
pub(crate) fn due_set(item: &serde_json::Value) -> Response {
    let due = item
        .get("endDateTime")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("none");
    let body = format!(
        "<p>Due date now <strong id=\"due\">{}</strong> at the platform.</p><pre id=\"line-item\">{}</pre>",
        esc(due),
        esc(&pretty(item))
    );
    page(StatusCode::OK, "Due date set", &body)
}

/// The deep-linking picker: one checkbox per activity, posted back to this launch.
pub(crate) fn picker(report: &LaunchReport, accept_multiple: bool) -> Response {
    let mut body = String::new();
    let Some(id) = &report.launch_id else {
        return page(StatusCode::INTERNAL_SERVER_ERROR, "LTI deep linking", "");
    };
    let _ = write!(
        body,
        "<p>Choose the activities to add{}.</p><form method=\"post\" action=\"/launches/{}/deep-link\">",
        if accept_multiple {
            ""
        } else {
            " (the platform accepts one)"
        },
        esc(id)
    );
    let kind = if accept_multiple { "checkbox" } else { "radio" };
    for Activity {
        slug,
        title,
        score_maximum,
        ..
    } in ACTIVITIES
    {
        let graded = score_maximum
            .map(|m| format!(" (graded, out of {m})"))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<p><label><input type=\"{kind}\" name=\"activity\" value=\"{}\"> {}{}</label></p>",
            esc(slug),
            esc(title),
            esc(&graded)
        );
    }
    body.push_str("<p><button type=\"submit\">Add to the course</button></p></form>");
    push_report(&mut body, report);
    page(StatusCode::OK, "LTI deep linking", &body)
}

/// A refused launch: the rule (machine code), the message, the status; the report embedded too.
pub(crate) fn launch_failed(status: StatusCode, report: &LaunchReport) -> Response {
    let mut body = String::new();
    if let Some(error) = &report.error {
        let _ = write!(
            body,
            "<p class=\"failed\">The launch was refused: rule <code id=\"lti-error-code\">{}</code> \
             (HTTP {}).</p><p>{}</p>",
            esc(&error.code),
            error.status,
            esc(&error.message)
        );
    }
    push_report(&mut body, report);
    page(status, "LTI launch failed", &body)
}

/// Another failure: its code and message.
pub(crate) fn failure(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<p class=\"failed\"><code id=\"lti-error-code\">{}</code></p><p>{}</p>",
        esc(code),
        esc(message)
    );
    page(status, "Request refused", &body)
}

fn push_report(body: &mut String, report: &LaunchReport) {
    let _ = write!(
        body,
        "\n<script type=\"application/json\" id=\"{LAUNCH_REPORT_ID}\">{}</script>\n",
        report.to_embedded_json()
    );
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
