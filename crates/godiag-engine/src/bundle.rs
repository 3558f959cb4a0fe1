//! The bundle manifest, `bundle.json` (schema `godiag.bundle/v1`), written
//! by `godiag collect` and `godiag run` beside the files they capture, and
//! read back when a bundle is analysed: what was captured, when, and what
//! could not be. One serde type for both directions; `docs/bundle.md`
//! describes each field.

use serde::{Deserialize, Serialize};

pub const BUNDLE_SCHEMA: &str = "godiag.bundle/v1";

/// `bundle.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleManifest {
    pub schema: String,
    #[serde(default)]
    pub tool: Tool,
    /// `collect` or `run`.
    pub created_by: String,
    /// `collect`: the service's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `run`: the program and its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// `run`: the directory it ran in, its process id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// RFC 3339, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// `run`: how the program ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Exit>,
    /// `run`: the environment it set (`GOTRACEBACK`, `GODEBUG`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<std::collections::BTreeMap<String, String>>,
    /// `run`: `/proc/sys/kernel/core_pattern` at the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_pattern: Option<String>,
    /// `collect`: rounds of goroutine and heap snapshots, seconds apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<f64>,
    /// `collect`: the CPU profile's and trace's duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_seconds: Option<u64>,
    #[serde(default)]
    pub files: Vec<BundleFile>,
    #[serde(default)]
    pub failed: Vec<Failure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "godiag".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// A captured file, by its name in the bundle directory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleFile {
    pub name: String,
    /// What it is, in words.
    pub what: String,
    /// `collect`: the endpoint's path and query (`goroutine?debug=2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `run`: where it was copied from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// RFC 3339, UTC: when the capture ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    /// How long the capture took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// Something that was to be captured and was not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    pub why: String,
}

/// How a program run by `godiag run` ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    #[serde(default)]
    pub core_dumped: bool,
}

impl BundleManifest {
    /// A manifest for a bundle made now by `created_by`.
    pub fn new(created_by: &str) -> Self {
        BundleManifest {
            schema: BUNDLE_SCHEMA.into(),
            created_by: created_by.into(),
            ..BundleManifest::default()
        }
    }

    /// Reads `bundle.json`; the error names what is wrong in it.
    pub fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// Pretty JSON with a final newline, as written to `bundle.json`.
    pub fn to_json(&self) -> String {
        // Serialising plain data into a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// When the file `name` of the bundle was captured.
    pub fn captured_at(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.captured_at.as_deref())
    }

    /// What was run or collected from, in words.
    pub fn what(&self) -> String {
        match &self.url {
            Some(u) => u.clone(),
            None => self.command.join(" "),
        }
    }

    /// How a run ended, in words.
    pub fn exit_words(&self) -> Option<String> {
        let e = self.exit.as_ref()?;
        Some(match (e.code, e.signal) {
            (Some(c), _) => format!("exit status {c}"),
            (None, Some(sig)) => format!(
                "signal {sig}{}",
                if e.core_dumped { " (core dumped)" } else { "" }
            ),
            _ => "unknown".into(),
        })
    }

    /// The captures that failed, as `what: why`.
    pub fn failures(&self) -> Vec<String> {
        self.failed
            .iter()
            .map(|f| format!("{}: {}", f.query.as_deref().unwrap_or(&f.what), f.why))
            .collect()
    }
}

/// A bundle an input came from: its directory and manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// The directory as given.
    pub path: String,
    pub manifest: BundleManifest,
}
