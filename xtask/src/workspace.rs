//! Facts about the workspace: where its root is and which library crates live under `crates/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::cargo::cargo_program;

/// The workspace root: the parent of this crate's directory.
pub(crate) fn root() -> Result<PathBuf, String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().map(Path::to_path_buf).ok_or_else(|| {
        format!(
            "cannot find the workspace root above {}",
            manifest_dir.display()
        )
    })
}

/// Names of the workspace packages under `<root>/crates/` that have a library target, sorted.
///
/// # Errors
/// When `cargo metadata` fails or prints something that is not the expected JSON.
pub(crate) fn library_crates(root: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(cargo_program())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not start `cargo metadata`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("`cargo metadata` printed invalid JSON: {e}"))?;
    libraries_under_crates(&metadata)
}

/// Picks the library packages whose manifest sits in `<workspace_root>/crates/`.
fn libraries_under_crates(metadata: &Value) -> Result<Vec<String>, String> {
    let workspace_root = metadata
        .get("workspace_root")
        .and_then(Value::as_str)
        .ok_or("`cargo metadata`: no `workspace_root`")?;
    let crates_dir = Path::new(workspace_root).join("crates");
    let packages = metadata
        .get("packages")
        .and_then(Value::as_array)
        .ok_or("`cargo metadata`: no `packages` array")?;
    let mut names = Vec::new();
    for package in packages {
        let name = package
            .get("name")
            .and_then(Value::as_str)
            .ok_or("`cargo metadata`: a package without a `name`")?;
        let manifest = package
            .get("manifest_path")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("`cargo metadata`: package `{name}` has no `manifest_path`"))?;
        if Path::new(manifest).starts_with(&crates_dir) && has_lib_target(package) {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn has_lib_target(package: &Value) -> bool {
    package
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|target| target.get("kind").and_then(Value::as_array))
        .flatten()
        .any(|kind| matches!(kind.as_str(), Some("lib" | "rlib" | "proc-macro")))
}

#[cfg(test)]
mod tests {
    use super::libraries_under_crates;
    use serde_json::json;

    #[test]
    fn picks_libraries_under_crates_only() {
        let metadata = json!({
            "workspace_root": "/w",
            "packages": [
                {"name": "lti-storage", "manifest_path": "/w/crates/lti-storage/Cargo.toml",
                 "targets": [{"kind": ["lib"]}, {"kind": ["test"]}]},
                {"name": "lti-http", "manifest_path": "/w/crates/lti-http/Cargo.toml",
                 "targets": [{"kind": ["lib"]}]},
                {"name": "lti-cli", "manifest_path": "/w/crates/lti-cli/Cargo.toml",
                 "targets": [{"kind": ["bin"]}]},
                {"name": "lti-examples", "manifest_path": "/w/examples/Cargo.toml",
                 "targets": [{"kind": ["lib"]}]},
                {"name": "xtask", "manifest_path": "/w/xtask/Cargo.toml",
                 "targets": [{"kind": ["bin"]}]}
            ]
        });
        assert_eq!(
            libraries_under_crates(&metadata),
            Ok(vec!["lti-http".to_owned(), "lti-storage".to_owned()])
        );
    }

    #[test]
    fn malformed_metadata_is_an_error() {
        assert!(libraries_under_crates(&json!({"packages": []})).is_err());
        assert!(libraries_under_crates(&json!({"workspace_root": "/w"})).is_err());
    }
}
