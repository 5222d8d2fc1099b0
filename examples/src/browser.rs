//! A minimal headless browser for driving LTI flows across real servers: a cookie jar, redirects followed, and
//! auto-submitting forms (the OIDC login initiation, the `id_token` form post, the deep linking response)
//! submitted as a browser with JavaScript would. It speaks real HTTP over sockets (reqwest), so it exercises
//! exactly what a person's browser does.
//!
//! Cookies are kept per host, as browsers do (two servers on `127.0.0.1` with different ports share them);
//! attributes other than `Max-Age=0` (deletion) are ignored.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode, header};
use url::Url;

/// The most navigations (redirects and auto-submitted forms) one call follows.
pub const MAX_STEPS: usize = 20;
/// The marker of an auto-submitting page (what `lti_core::login::auto_submit_form` writes).
const AUTO_SUBMIT: &str = "document.forms[0].submit()";

/// Why a navigation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {
    /// The request could not be sent or the answer read.
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    /// A redirect without a usable `Location`, or a form action that is not a URL.
    #[error("bad navigation from {from}: {reason}")]
    Navigation {
        /// The page that pointed elsewhere.
        from: String,
        /// What was wrong.
        reason: String,
    },
    /// More than [`MAX_STEPS`] redirects and forms.
    #[error("more than {MAX_STEPS} redirects and forms starting at {start}")]
    TooManySteps {
        /// Where it started.
        start: String,
    },
}

/// The page a navigation ended on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page {
    /// Its URL.
    pub url: Url,
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, as text.
    pub body: String,
    /// Every URL visited on the way, in order (the last is `url`).
    pub trail: Vec<String>,
}

impl Page {
    /// The body parsed as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// A form found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Form {
    /// `get` or `post` (lower case; `get` when absent).
    pub method: String,
    /// The `action` attribute, unescaped (empty when absent).
    pub action: String,
    /// The `name`/`value` of every `<input>` with a name, unescaped, in order.
    pub fields: Vec<(String, String)>,
}

/// The headless browser.
#[derive(Debug)]
pub struct Browser {
    client: reqwest::Client,
    jar: Mutex<HashMap<String, BTreeMap<String, String>>>,
    auto_submit: bool,
}

impl Browser {
    /// A browser with an empty cookie jar (redirects are followed by the browser itself, not reqwest).
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new() -> Result<Self, BrowserError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Self {
            client,
            jar: Mutex::new(HashMap::new()),
            auto_submit: true,
        })
    }

    /// A browser that follows redirects but stops at auto-submitting pages (as with JavaScript off), so that a
    /// test can look at, keep or tamper with the form before [`submit`](Self::submit)ting it.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn manual() -> Result<Self, BrowserError> {
        Ok(Self {
            auto_submit: false,
            ..Self::new()?
        })
    }

    /// GETs `url`, following redirects and auto-submitting forms; returns the page it ends on.
    ///
    /// # Errors
    /// See [`BrowserError`].
    pub async fn get(&self, url: &Url) -> Result<Page, BrowserError> {
        self.navigate(Method::GET, url.clone(), None).await
    }

    /// POSTs `fields` form-encoded to `url`, then as [`get`](Self::get).
    ///
    /// # Errors
    /// See [`BrowserError`].
    pub async fn post_form(
        &self,
        url: &Url,
        fields: &[(String, String)],
    ) -> Result<Page, BrowserError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.navigate(Method::POST, url.clone(), Some(body)).await
    }

    /// Submits `form` (found on a page at `base`) as the browser would.
    ///
    /// # Errors
    /// See [`BrowserError`].
    pub async fn submit(&self, base: &Url, form: &Form) -> Result<Page, BrowserError> {
        let action = base
            .join(&form.action)
            .map_err(|e| BrowserError::Navigation {
                from: base.to_string(),
                reason: format!("form action `{}`: {e}", form.action),
            })?;
        if form.method == "post" {
            self.post_form(&action, &form.fields).await
        } else {
            let mut url = action;
            url.query_pairs_mut().clear().extend_pairs(&form.fields);
            self.get(&url).await
        }
    }

    /// The value of cookie `name` held for `url`'s host.
    pub fn cookie(&self, url: &Url, name: &str) -> Option<String> {
        let jar = self.jar.lock().ok()?;
        jar.get(url.host_str()?)?.get(name).cloned()
    }

    /// Forgets every cookie (a new browser profile).
    pub fn clear_cookies(&self) {
        if let Ok(mut jar) = self.jar.lock() {
            jar.clear();
        }
    }

    async fn navigate(
        &self,
        mut method: Method,
        mut url: Url,
        mut body: Option<String>,
    ) -> Result<Page, BrowserError> {
        let start = url.to_string();
        let mut trail = Vec::new();
        for _ in 0..MAX_STEPS {
            trail.push(url.to_string());
            let mut request = self.client.request(method.clone(), url.clone());
            if let Some(cookies) = self.cookie_header(&url) {
                request = request.header(header::COOKIE, cookies);
            }
            if let Some(body) = body.take() {
                request = request
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body);
            }
            let response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            self.store_cookies(&url, &headers);
            if status.is_redirection() {
                let location = headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| BrowserError::Navigation {
                        from: url.to_string(),
                        reason: format!("{status} without a Location"),
                    })?;
                url = url.join(location).map_err(|e| BrowserError::Navigation {
                    from: url.to_string(),
                    reason: format!("Location `{location}`: {e}"),
                })?;
                method = Method::GET;
                continue;
            }
            let text = response.text().await?;
            if self.auto_submit
                && status.is_success()
                && text.contains(AUTO_SUBMIT)
                && let Some(form) = parse_form(&text)
            {
                let action = url
                    .join(&form.action)
                    .map_err(|e| BrowserError::Navigation {
                        from: url.to_string(),
                        reason: format!("form action `{}`: {e}", form.action),
                    })?;
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&form.fields)
                    .finish();
                if form.method == "post" {
                    method = Method::POST;
                    body = Some(encoded);
                    url = action;
                } else {
                    method = Method::GET;
                    url = action;
                    url.set_query(Some(&encoded));
                }
                continue;
            }
            return Ok(Page {
                url,
                status,
                headers,
                body: text,
                trail,
            });
        }
        Err(BrowserError::TooManySteps { start })
    }

    fn cookie_header(&self, url: &Url) -> Option<String> {
        let jar = self.jar.lock().ok()?;
        let cookies = jar.get(url.host_str()?)?;
        if cookies.is_empty() {
            return None;
        }
        Some(
            cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    fn store_cookies(&self, url: &Url, headers: &HeaderMap) {
        let Some(host) = url.host_str() else { return };
        let Ok(mut jar) = self.jar.lock() else { return };
        let cookies = jar.entry(host.to_owned()).or_default();
        for value in headers.get_all(header::SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut parts = value.split(';');
            let Some((name, val)) = parts.next().and_then(|p| p.trim().split_once('=')) else {
                continue;
            };
            let deleted = parts.any(|attr| {
                attr.trim().split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("max-age") && v.trim() == "0"
                })
            });
            if deleted {
                cookies.remove(name.trim());
            } else {
                cookies.insert(name.trim().to_owned(), val.trim().to_owned());
            }
        }
    }
}

/// The first `<form>` of `html` with its inputs (attribute values unescaped).
pub fn parse_form(html: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let rest = html.get(start..)?;
    let end = rest.find("</form>").unwrap_or(rest.len());
    let form_html = rest.get(..end)?;
    let tag_end = form_html.find('>')?;
    let attrs = attributes(form_html.get(5..tag_end)?);
    let mut form = Form {
        method: attrs
            .get("method")
            .map(|m| m.to_ascii_lowercase())
            .unwrap_or_else(|| "get".to_owned()),
        action: attrs.get("action").cloned().unwrap_or_default(),
        fields: Vec::new(),
    };
    let mut cursor = form_html.get(tag_end..)?;
    while let Some(i) = cursor.find("<input") {
        let after = cursor.get(i + 6..)?;
        let close = after.find('>')?;
        let attrs = attributes(after.get(..close)?);
        if let Some(name) = attrs.get("name") {
            form.fields.push((
                name.clone(),
                attrs.get("value").cloned().unwrap_or_default(),
            ));
        }
        cursor = after.get(close..)?;
    }
    Some(form)
}

/// The attributes of a tag's inside (`name="value"`, `name='value'`, `name=value`, `name`), lower-cased
/// names, unescaped values.
fn attributes(tag: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = tag.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        let after = after.trim_start();
        if let Some(value_part) = after.strip_prefix('=') {
            let value_part = value_part.trim_start();
            let (value, remaining) = match value_part.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = value_part.get(1..).unwrap_or_default();
                    let close = inner.find(q).unwrap_or(inner.len());
                    (
                        inner.get(..close).unwrap_or_default(),
                        inner.get(close + 1..).unwrap_or_default(),
                    )
                }
                _ => {
                    let close = value_part
                        .find(char::is_whitespace)
                        .unwrap_or(value_part.len());
                    value_part.split_at(close)
                }
            };
            if !name.is_empty() {
                out.insert(name.to_ascii_lowercase(), unescape(value));
            }
            rest = remaining.trim_start();
        } else {
            if !name.is_empty() {
                out.insert(name.to_ascii_lowercase(), String::new());
            }
            rest = after.trim_start_matches('/').trim_start();
            if name.is_empty() && !rest.is_empty() {
                // skip one stray character so the loop always advances
                rest = rest.get(1..).unwrap_or_default();
            }
        }
    }
    out
}

/// Undoes HTML escaping of the entities `escape_html` writes and numeric references.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        let Some(semi) = tail.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = tail.get(1..).unwrap_or_default();
            continue;
        };
        let entity = tail.get(1..semi).unwrap_or_default();
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = tail.get(semi + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_facade_auto_submit_form() {
        let action = Url::parse("https://tool.example/launch?a=1&b=2").unwrap();
        let html = lti_core::login::auto_submit_form(
            &action,
            &[("id_token", "a.b.c"), ("state", "x\"<>&'y")],
        );
        let form = parse_form(&html).unwrap();
        assert_eq!(form.method, "post");
        assert_eq!(form.action, action.as_str());
        assert_eq!(
            form.fields,
            vec![
                ("id_token".to_owned(), "a.b.c".to_owned()),
                ("state".to_owned(), "x\"<>&'y".to_owned())
            ]
        );
    }

    #[test]
    fn hostile_markup_does_not_panic() {
        for html in [
            "<form",
            "<form>",
            "<form method=post action='x'><input name=a value=\"b",
            "<form a=\"\"\"><input =x name= value=></form>",
            "&#xFFFFFFFF; &#99999999999; &; &amp",
        ] {
            let _ = parse_form(html);
            let _ = unescape(html);
        }
        assert_eq!(unescape("a&amp;b&#39;c&#x27;&bogus;"), "a&b'c'&bogus;");
    }
}
