//! A minimal headless browser for the reference-server tests: a cookie jar per origin (the `Secure` attribute
//! is honoured the way browsers treat loopback: as a secure context), redirects followed, and auto-submitting
//! forms (the facades' `document.forms[0].submit()` pages) submitted. Real HTTP over loopback through
//! `lti_http::ReqwestClient`.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use bytes::Bytes;
use lti_http::{HttpClient, ReqwestClient};
use url::Url;

/// The last page a navigation ended on.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: Url,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Page {
    /// The JSON in `<script type="application/json" id="{id}">`.
    pub fn embedded_json(&self, id: &str) -> serde_json::Value {
        let open = format!("<script type=\"application/json\" id=\"{id}\">");
        let start = self
            .body
            .find(&open)
            .unwrap_or_else(|| panic!("no #{id} in {}", self.body))
            + open.len();
        let end = self.body[start..].find("</script>").unwrap() + start;
        serde_json::from_str(&self.body[start..end]).unwrap()
    }

    /// The page's single form, if any.
    pub fn form(&self) -> Option<Form> {
        parse_form(&self.body, &self.url)
    }
}

/// An HTML form: where it posts and its hidden fields.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: Url,
    pub fields: Vec<(String, String)>,
}

/// The browser.
#[derive(Debug)]
pub struct Browser {
    http: ReqwestClient,
    /// origin -> cookie name -> value
    cookies: BTreeMap<String, BTreeMap<String, String>>,
    /// Whether to submit auto-submitting forms by itself.
    pub auto_submit: bool,
    /// Every URL visited, in order.
    pub history: Vec<String>,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: ReqwestClient::new().unwrap(),
            cookies: BTreeMap::new(),
            auto_submit: true,
            history: Vec::new(),
        }
    }

    /// Drops every cookie of `url`'s origin.
    pub fn clear_cookies(&mut self, url: &Url) {
        self.cookies.remove(&url.origin().ascii_serialization());
    }

    pub async fn get(&mut self, url: &Url) -> Page {
        self.navigate("GET", url.clone(), None, None).await
    }

    pub async fn post_form(&mut self, url: &Url, fields: &[(String, String)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.navigate(
            "POST",
            url.clone(),
            Some("application/x-www-form-urlencoded"),
            Some(Bytes::from(body)),
        )
        .await
    }

    pub async fn post_json(&mut self, url: &Url, json: &serde_json::Value) -> Page {
        self.navigate(
            "POST",
            url.clone(),
            Some("application/json"),
            Some(Bytes::from(json.to_string())),
        )
        .await
    }

    /// Submits `form` (its hidden fields plus `extra`).
    pub async fn submit(&mut self, form: &Form, extra: &[(String, String)]) -> Page {
        let mut fields = form.fields.clone();
        fields.extend_from_slice(extra);
        self.post_form(&form.action.clone(), &fields).await
    }

    async fn navigate(
        &mut self,
        method: &str,
        mut url: Url,
        content_type: Option<&str>,
        mut body: Option<Bytes>,
    ) -> Page {
        let mut method = method.to_owned();
        let mut content_type = content_type.map(str::to_owned);
        for _ in 0..20 {
            self.history.push(format!("{method} {url}"));
            let mut request = http::Request::builder()
                .method(method.as_str())
                .uri(url.as_str());
            if let Some(ct) = &content_type {
                request = request.header("content-type", ct.as_str());
            }
            if let Some(cookie) = self.cookie_header(&url) {
                request = request.header("cookie", cookie);
            }
            let request = request.body(body.clone().unwrap_or_default()).unwrap();
            let response = self.http.execute(request).await.unwrap();
            for value in response.headers().get_all("set-cookie") {
                self.store_cookie(&url, value.to_str().unwrap());
            }
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = response.headers()["location"].to_str().unwrap();
                url = url.join(location).unwrap();
                if status != 307 && status != 308 {
                    method = "GET".to_owned();
                    body = None;
                    content_type = None;
                }
                continue;
            }
            let page = Page {
                url: url.clone(),
                status,
                content_type: response
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default(),
                body: String::from_utf8(response.body().to_vec()).unwrap(),
            };
            if self.auto_submit && page.body.contains("document.forms[0].submit()") {
                let form = page.form().expect("auto-submit page has a form");
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&form.fields)
                    .finish();
                method = "POST".to_owned();
                url = form.action;
                content_type = Some("application/x-www-form-urlencoded".to_owned());
                body = Some(Bytes::from(encoded));
                continue;
            }
            return page;
        }
        panic!("too many navigations: {:?}", self.history);
    }

    fn cookie_header(&self, url: &Url) -> Option<String> {
        let jar = self.cookies.get(&url.origin().ascii_serialization())?;
        if jar.is_empty() {
            return None;
        }
        Some(
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    fn store_cookie(&mut self, url: &Url, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let (name, value) = parts.next().unwrap().trim().split_once('=').unwrap();
        let expired = parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
        let jar = self
            .cookies
            .entry(url.origin().ascii_serialization())
            .or_default();
        if expired {
            jar.remove(name);
        } else {
            jar.insert(name.to_owned(), value.to_owned());
        }
    }
}

/// The first `<form>` of `html`: its action (resolved against `base`) and its hidden inputs.
pub fn parse_form(html: &str, base: &Url) -> Option<Form> {
    let form_at = html.find("<form ")?;
    let form_tag = tag_at(html, form_at);
    let action = base.join(&attr(form_tag, "action")?).ok()?;
    let end = html[form_at..]
        .find("</form>")
        .map_or(html.len(), |e| e + form_at);
    let mut fields = Vec::new();
    let mut rest = &html[form_at..end];
    while let Some(at) = rest.find("<input ") {
        let tag = tag_at(rest, at);
        if attr(tag, "type").as_deref() == Some("hidden") {
            fields.push((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()));
        }
        rest = &rest[at + 7..];
    }
    Some(Form { action, fields })
}

fn tag_at(html: &str, at: usize) -> &str {
    let end = html[at..].find('>').unwrap() + at;
    &html[at..end]
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// Undoes `escape_html` (`&amp; &lt; &gt; &quot; &#x27; &#39;`).
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
