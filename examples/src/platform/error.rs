//! The one mapping of failures to HTTP: a status, a machine code and a message for the person or program that
//! can fix it; internal failures are logged and answered with a generic 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lti_core::html::escape_html;
use lti_platform::PlatformError;
use serde_json::json;

use super::registry::RegisterError;
use super::session::SessionError;

/// A failed request: status, machine code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The machine code (`unknown_user`, `invalid_registration_json`, a facade's code, ...).
    pub code: &'static str,
    /// What was wrong, for the caller.
    pub message: String,
}

impl AppError {
    /// A failure the caller caused.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// Our failure: `error` is logged; the answer says only that it happened.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "internal failure");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the details are in the platform's log",
        )
    }

    /// The error as an escaped HTML page.
    pub fn page(&self) -> Response {
        let body = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Error</title></head>\n<body>\n\
             <h1>{} {}</h1>\n<p>{}</p>\n<p>code: <code>{}</code></p>\n<p><a href=\"/\">Back to the course</a></p>\n\
             </body></html>\n",
            self.status.as_u16(),
            escape_html(self.status.canonical_reason().unwrap_or("Error")),
            escape_html(&self.message),
            escape_html(self.code),
        );
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }

    /// The error as JSON `{"error": code, "error_description": message}`.
    pub fn json(&self) -> Response {
        (
            self.status,
            axum::Json(json!({"error": self.code, "error_description": self.message})),
        )
            .into_response()
    }
}

/// An [`AppError`] answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.page()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.json()
    }
}

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl From<lti_storage::Error> for AppError {
    fn from(e: lti_storage::Error) -> Self {
        Self::internal(&e)
    }
}

impl From<super::course::CourseError> for AppError {
    fn from(e: super::course::CourseError) -> Self {
        Self::internal(&e)
    }
}

impl From<SessionError> for AppError {
    fn from(e: SessionError) -> Self {
        Self::internal(&e)
    }
}

impl From<RegisterError> for AppError {
    fn from(e: RegisterError) -> Self {
        if e.is_internal() {
            return Self::internal(&e);
        }
        tracing::debug!(code = e.code(), error = %e, "registration refused");
        let status = match e {
            RegisterError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<PlatformError> for AppError {
    fn from(e: PlatformError) -> Self {
        if e.is_internal() {
            return Self::internal(&e);
        }
        tracing::debug!(code = e.code(), error = %e, "launch refused");
        Self::new(e.status(), e.code(), e.public_message())
    }
}

impl From<lti_deep_linking::Error> for AppError {
    fn from(e: lti_deep_linking::Error) -> Self {
        if e.is_internal() {
            return Self::internal(&e);
        }
        tracing::debug!(code = e.code(), error = %e, "deep linking response refused");
        Self::new(e.status(), e.code(), e.to_string())
    }
}
