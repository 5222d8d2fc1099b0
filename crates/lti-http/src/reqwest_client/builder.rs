//! [`ReqwestClientBuilder`] and the redirect policies of the two inner reqwest clients.

use std::fmt;
use std::time::Duration;

use reqwest::redirect::{Attempt, Policy};

use super::ReqwestClient;
use crate::redact::redacted;
use crate::{DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT, HttpError, MAX_REDIRECTS};

/// The `User-Agent` sent unless [`ReqwestClientBuilder::user_agent`] sets another.
pub const DEFAULT_USER_AGENT: &str = concat!("lti-rs/", env!("CARGO_PKG_VERSION"));

/// Configures a [`ReqwestClient`]; made by [`ReqwestClient::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ReqwestClientBuilder {
    timeout: Duration,
    max_body_bytes: usize,
    user_agent: String,
}

impl ReqwestClientBuilder {
    pub(super) fn new() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }

    /// How long a whole exchange (connect, send, read the body, follow redirects) may take when the request's
    /// [`RequestOptions`](crate::RequestOptions) set no timeout. Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body accepted when the request's [`RequestOptions`](crate::RequestOptions) set no
    /// cap. Default [`DEFAULT_MAX_BODY_BYTES`].
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The `User-Agent` header sent with every request. Default [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client: rustls, no `Referer`, redirects not followed (a second inner client, used only when a
    /// request's options ask for it, follows at most [`MAX_REDIRECTS`] and never from `https` to `http`).
    ///
    /// # Errors
    /// [`HttpError::InvalidConfig`] when the user agent is not a valid header value; [`HttpError::ClientBuild`]
    /// when reqwest cannot initialise its TLS backend.
    pub fn build(self) -> Result<ReqwestClient, HttpError> {
        let user_agent = http::HeaderValue::from_str(&self.user_agent).map_err(|_invalid| {
            HttpError::InvalidConfig {
                reason: "the user agent is not a valid header value".to_owned(),
            }
        })?;
        let inner = |policy: Policy| {
            reqwest::Client::builder()
                .tls_backend_rustls()
                .user_agent(user_agent.clone())
                .referer(false)
                .redirect(policy)
                .build()
                .map_err(|e| HttpError::ClientBuild {
                    source: Box::new(e.without_url()),
                })
        };
        Ok(ReqwestClient {
            direct: inner(Policy::none())?,
            following: inner(Policy::custom(follow))?,
            timeout: self.timeout,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

/// The redirect policy of the inner client used when a request asks for redirects to be followed.
fn follow(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    // `previous` holds every URL requested so far, the one that answered with this redirect last.
    let previous = attempt.previous();
    let from = previous.last().map(redacted).unwrap_or_default();
    if previous.len() > MAX_REDIRECTS {
        return attempt.error(RedirectRefused::TooMany { url: from });
    }
    let leaves_https = previous.last().is_some_and(|url| url.scheme() == "https")
        && attempt.url().scheme() != "https";
    if leaves_https {
        let to = redacted(attempt.url());
        return attempt.error(RedirectRefused::LeavesHttps { from, to });
    }
    attempt.follow()
}

/// Why [`follow`] stopped: carried through reqwest's error to become the matching [`HttpError`].
#[derive(Debug)]
pub(super) enum RedirectRefused {
    /// More than [`MAX_REDIRECTS`] redirects; `url` answered with the one over the limit.
    TooMany { url: String },
    /// A redirect from https to http.
    LeavesHttps { from: String, to: String },
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooMany { url } => write!(f, "{url} redirected more than {MAX_REDIRECTS} times"),
            Self::LeavesHttps { from, to } => {
                write!(f, "redirect from {from} to {to} leaves https")
            }
        }
    }
}

impl std::error::Error for RedirectRefused {}

impl RedirectRefused {
    /// The [`HttpError`] this refusal is reported as.
    pub(super) fn to_http_error(&self) -> HttpError {
        match self {
            Self::TooMany { url } => HttpError::TooManyRedirects {
                url: url.clone(),
                limit: MAX_REDIRECTS,
            },
            Self::LeavesHttps { from, to } => HttpError::InsecureRedirect {
                from: from.clone(),
                to: to.clone(),
            },
        }
    }
}
