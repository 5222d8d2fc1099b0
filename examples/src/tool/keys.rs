//! The key-encryption key in the data directory: created on first start (mode 0600), read on every start, so
//! the key ring's private keys are never on disk in plain text.

use std::io::Write as _;
use std::path::Path;

use lti_security::KeyEncryptionKey;

use super::error::ToolServerError;

/// The key file's name inside the data directory.
pub const KEY_FILE: &str = "tool.kek";

/// Reads `DIR/tool.kek`, or creates it with a fresh random key (owner read/write only on Unix) when absent.
///
/// # Errors
/// [`ToolServerError::Io`] when the directory or file cannot be created or read;
/// [`ToolServerError::Security`] when the file holds no valid key or the random generator fails.
pub fn load_or_create_key(dir: &Path) -> Result<KeyEncryptionKey, ToolServerError> {
    let io = |what: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| ToolServerError::Io { what, path, source }
    };
    std::fs::create_dir_all(dir).map_err(io("data directory", dir))?;
    let path = dir.join(KEY_FILE);
    if path.exists() {
        return KeyEncryptionKey::from_file(&path).map_err(ToolServerError::Security);
    }
    let key = KeyEncryptionKey::generate().map_err(ToolServerError::Security)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io("key file", &path))?;
    file.write_all(key.to_base64().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io("key file", &path))?;
    tracing::info!(path = %path.display(), "created the key-encryption key (mode 0600)");
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn key_file_is_created_once_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_key(dir.path()).unwrap();
        let second = load_or_create_key(dir.path()).unwrap();
        assert_eq!(*first.to_base64(), *second.to_base64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
