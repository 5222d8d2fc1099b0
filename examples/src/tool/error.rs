//! The reference tool's own errors (configuration, storage, platform registration) and their HTTP mapping.

use std::path::PathBuf;

use http::StatusCode;

/// What went wrong outside the launch protocol (which reports [`lti_tool::LaunchError`] itself).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolServerError {
    /// A setting is unusable.
    #[error("{field}: expected {expected} (found `{found}`)")]
    Config {
        /// The option or field.
        field: &'static str,
        /// What is accepted.
        expected: &'static str,
        /// What was given (clipped).
        found: String,
    },
    /// A file or directory could not be read or written.
    #[error("{what} `{}`: {source}", path.display())]
    Io {
        /// What the file is for.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The platform description is not the expected JSON.
    #[error("platform JSON: {0}")]
    PlatformJson(#[source] serde_json::Error),
    /// A member of the platform description is missing or has the wrong JSON type.
    #[error("platform member `{field}`: expected {expected} (found {found})")]
    PlatformField {
        /// The member.
        field: &'static str,
        /// What is accepted.
        expected: &'static str,
        /// What was sent (its JSON type, never its value).
        found: &'static str,
    },
    /// The platform description has an unusable field.
    #[error("platform registration: {0}")]
    Registration(#[source] lti_core::RegistrationError),
    /// The registry failed.
    #[error("platform registry: {0}")]
    Registry(#[source] lti_tool::RegistryError),
    /// The key ring or key file failed.
    #[error("keys: {0}")]
    Security(#[source] lti_security::Error),
    /// The store failed.
    #[error("store: {0}")]
    Storage(#[source] lti_storage::Error),
    /// The tool facade refused its configuration.
    #[error("tool: {0}")]
    Tool(#[source] lti_tool::ConfigError),
    /// A stored record could not be read back.
    #[error("stored record `{what}` is corrupt")]
    Corrupt {
        /// Which record.
        what: &'static str,
    },
}

impl ToolServerError {
    /// The HTTP status: 400 for the caller's JSON, 500 for the server's own failures.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::PlatformJson(_)
            | Self::PlatformField { .. }
            | Self::Registration(_)
            | Self::Config { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine code, e.g. `reference_tool.platform.json`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config { .. } => "reference_tool.config",
            Self::Io { .. } => "reference_tool.io",
            Self::PlatformJson(_) => "reference_tool.platform.json",
            Self::PlatformField { .. } => "reference_tool.platform.field",
            Self::Registration(_) => "reference_tool.platform.invalid",
            Self::Registry(_) => "reference_tool.registry",
            Self::Security(_) => "reference_tool.keys",
            Self::Storage(_) => "reference_tool.storage",
            Self::Tool(_) => "reference_tool.tool_config",
            Self::Corrupt { .. } => "reference_tool.corrupt",
        }
    }

    /// The message a client may see: the details for 4xx, a generic text for 5xx (details go to the log).
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            "internal error; see the tool's logs".to_owned()
        } else {
            self.to_string()
        }
    }
}
