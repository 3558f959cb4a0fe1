//! What to watch and how: from the command line alone, or from a TOML file
//! (targets with labels, auth and rule overrides; rules; receivers;
//! retention; file-based discovery of more targets, re-read on change, as
//! Prometheus's `file_sd` is). Documented in docs/watch.md.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use godiag_collect::HttpOptions;
use serde::Deserialize;

use crate::rules::RuleConfig;

/// Rules per metric.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    pub goroutines: RuleConfig,
    pub heap: RuleConfig,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            goroutines: RuleConfig::goroutines(),
            heap: RuleConfig::heap(),
        }
    }
}

/// Partial rules of one target, over the global ones.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleOverrides {
    pub goroutines: Option<toml::Table>,
    pub heap: Option<toml::Table>,
}

/// One service to watch.
#[derive(Clone, Debug)]
pub struct Target {
    /// Names its directory under `out` and its metrics' `target` label.
    pub name: String,
    pub url: String,
    /// `service`, `instance`, `environment`, …: carried to alerts.
    pub labels: BTreeMap<String, String>,
    pub http: HttpOptions,
    pub rules: Rules,
}

/// How many bundles are kept per target, and how many bytes in all.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    pub max_bundles: usize,
    pub max_bytes: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_bundles: 20,
            max_bytes: 1 << 30,
        }
    }
}

/// Everything `watch` runs with.
#[derive(Clone, Debug)]
pub struct Config {
    pub targets: Vec<Target>,
    pub interval: Duration,
    pub out: PathBuf,
    pub alertmanager: Option<String>,
    pub webhooks: Vec<String>,
    pub listen: Option<SocketAddr>,
    pub rules: Rules,
    pub retention: Retention,
    /// JSON target lists (`[{"targets": ["host:port"], "labels": {…}}]`),
    /// re-read when they change.
    pub file_sd: Vec<PathBuf>,
    /// Seconds between the snapshots of a captured bundle.
    pub capture_interval: Duration,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileConfig {
    interval: Option<f64>,
    out: Option<PathBuf>,
    listen: Option<SocketAddr>,
    alertmanager: Option<Receiver>,
    webhook: Vec<Receiver>,
    rules: Option<toml::Table>,
    retention: Option<Retention>,
    targets: Vec<FileTarget>,
    file_sd: Vec<FileSd>,
    capture_interval: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Receiver {
    url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSd {
    path: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileTarget {
    url: String,
    name: Option<String>,
    labels: BTreeMap<String, String>,
    bearer_token: Option<String>,
    basic_auth: Option<String>,
    headers: Vec<String>,
    insecure: bool,
    rules: RuleOverrides,
}

/// A target's name from its address: `host_port`.
pub fn name_from_url(url: &str) -> String {
    let host = url.split_once("://").map_or(url, |(_, r)| r);
    let host = host.split('/').next().unwrap_or(host);
    host.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn merge(base: &RuleConfig, over: Option<&toml::Table>) -> Result<RuleConfig> {
    let Some(over) = over else {
        return Ok(base.clone());
    };
    let mut table = toml::Table::try_from(RuleTable::from(base)).context("rules")?;
    for (k, v) in over {
        table.insert(k.clone(), v.clone());
    }
    RuleConfig::deserialize(toml::Value::Table(table)).context("rules")
}

/// A rule config as TOML values (to lay overrides over).
#[derive(serde::Serialize)]
struct RuleTable {
    warmup: usize,
    window: usize,
    growth_pct: f64,
    floor: f64,
    cooldown: f64,
    slope_window: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    slope_per_minute: Option<f64>,
    slope_r2: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<f64>,
}

impl From<&RuleConfig> for RuleTable {
    fn from(r: &RuleConfig) -> Self {
        RuleTable {
            warmup: r.warmup,
            window: r.window,
            growth_pct: r.growth_pct,
            floor: r.floor,
            cooldown: r.cooldown.as_secs_f64(),
            slope_window: r.slope_window,
            slope_per_minute: r.slope_per_minute,
            slope_r2: r.slope_r2,
            threshold: r.threshold,
        }
    }
}

fn rules_from(table: Option<&toml::Table>) -> Result<Rules> {
    let d = Rules::default();
    let part = |k: &str| table.and_then(|t| t.get(k)).and_then(|v| v.as_table());
    Ok(Rules {
        goroutines: merge(&d.goroutines, part("goroutines"))?,
        heap: merge(&d.heap, part("heap"))?,
    })
}

impl Config {
    /// The plain command-line form: these URLs, defaults for the rest.
    pub fn for_urls(urls: &[String], interval: Duration, out: PathBuf) -> Self {
        Config {
            targets: urls
                .iter()
                .map(|u| Target {
                    name: name_from_url(u),
                    url: u.clone(),
                    labels: BTreeMap::from([("instance".to_string(), name_from_url(u))]),
                    http: HttpOptions::default(),
                    rules: Rules::default(),
                })
                .collect(),
            interval,
            out,
            alertmanager: None,
            webhooks: Vec::new(),
            listen: None,
            rules: Rules::default(),
            retention: Retention::default(),
            file_sd: Vec::new(),
            capture_interval: Duration::from_secs(3),
        }
    }

    /// Reads a TOML config file; the command line's values come first.
    pub fn from_file(path: &Path, mut base: Config) -> Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let f: FileConfig = toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
        base.rules = rules_from(f.rules.as_ref())?;
        if let Some(s) = f.interval {
            base.interval = Duration::from_secs_f64(s.max(0.1));
        }
        if let Some(s) = f.capture_interval {
            base.capture_interval = Duration::from_secs_f64(s.max(0.0));
        }
        if let Some(o) = f.out {
            base.out = o;
        }
        base.listen = base.listen.or(f.listen);
        base.alertmanager = base.alertmanager.or(f.alertmanager.map(|r| r.url));
        base.webhooks.extend(f.webhook.into_iter().map(|r| r.url));
        if let Some(r) = f.retention {
            base.retention = r;
        }
        for t in &mut base.targets {
            t.rules = base.rules.clone();
        }
        for t in f.targets {
            if t.url.is_empty() {
                bail!("{}: a target without a url", path.display());
            }
            let mut http = HttpOptions {
                insecure: t.insecure,
                ..HttpOptions::default()
            };
            for h in &t.headers {
                http.headers.push(HttpOptions::parse_header(h)?);
            }
            if let Some(tok) = &t.bearer_token {
                http.headers
                    .push(("Authorization".into(), format!("Bearer {tok}")));
            }
            if let Some(b) = &t.basic_auth {
                http.basic_auth = Some(HttpOptions::parse_basic_auth(b)?);
            }
            let name = t.name.clone().unwrap_or_else(|| name_from_url(&t.url));
            let mut labels = t.labels.clone();
            labels
                .entry("instance".into())
                .or_insert_with(|| name_from_url(&t.url));
            base.targets.push(Target {
                name,
                url: t.url,
                labels,
                http,
                rules: Rules {
                    goroutines: merge(&base.rules.goroutines, t.rules.goroutines.as_ref())?,
                    heap: merge(&base.rules.heap, t.rules.heap.as_ref())?,
                },
            });
        }
        base.file_sd.extend(f.file_sd.into_iter().map(|s| {
            if s.path.is_relative() {
                path.parent().unwrap_or(Path::new(".")).join(s.path)
            } else {
                s.path
            }
        }));
        Ok(base)
    }

    /// The targets of the file-based discovery files, as they are now.
    pub fn discovered(&self) -> Vec<Target> {
        let mut out = Vec::new();
        for path in &self.file_sd {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let Ok(groups) = serde_json::from_str::<Vec<SdGroup>>(&text) else {
                tracing::warn!(path = %path.display(), "file_sd: not a JSON list of target groups");
                continue;
            };
            for g in groups {
                for addr in g.targets {
                    let url = if addr.contains("://") {
                        addr
                    } else {
                        format!("http://{addr}")
                    };
                    let mut labels = g.labels.clone();
                    labels
                        .entry("instance".into())
                        .or_insert_with(|| name_from_url(&url));
                    out.push(Target {
                        name: name_from_url(&url),
                        url,
                        labels,
                        http: HttpOptions::default(),
                        rules: self.rules.clone(),
                    });
                }
            }
        }
        out
    }
}

#[derive(Deserialize)]
struct SdGroup {
    targets: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_with_targets_overrides_and_receivers() {
        let dir = std::env::temp_dir().join(format!("godiag-watch-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("watch.toml");
        std::fs::write(
            &path,
            r#"
interval = 5
listen = "127.0.0.1:9464"
[alertmanager]
url = "http://127.0.0.1:9093"
[[webhook]]
url = "http://127.0.0.1:8080/hook"
[rules.goroutines]
growth_pct = 80
[retention]
max_bundles = 3
max_bytes = 1000000
[[targets]]
url = "https://10.0.0.1:6060"
name = "api-1"
labels = { service = "api", environment = "prod" }
bearer_token = "s3cret"
insecure = true
[targets.rules.goroutines]
threshold = 10000
[[file_sd]]
path = "targets.json"
"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("targets.json"),
            r#"[{"targets": ["127.0.0.1:7000"], "labels": {"service": "batch"}}]"#,
        )
        .unwrap();
        let base = Config::for_urls(&[], Duration::from_secs(2), "out".into());
        let c = Config::from_file(&path, base).unwrap();
        assert_eq!(c.interval, Duration::from_secs(5));
        assert_eq!(c.alertmanager.as_deref(), Some("http://127.0.0.1:9093"));
        assert_eq!(c.webhooks, ["http://127.0.0.1:8080/hook"]);
        assert_eq!(c.retention.max_bundles, 3);
        let t = &c.targets[0];
        assert_eq!(t.name, "api-1");
        assert_eq!(t.labels["service"], "api");
        assert_eq!(t.labels["instance"], "10.0.0.1_6060");
        assert!(t.http.insecure);
        assert_eq!(
            t.http.headers,
            [("Authorization".to_string(), "Bearer s3cret".to_string())]
        );
        assert_eq!(t.rules.goroutines.growth_pct, 80.0);
        assert_eq!(t.rules.goroutines.threshold, Some(10000.0));
        assert_eq!(c.rules.goroutines.threshold, None);
        let found = c.discovered();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].url, "http://127.0.0.1:7000");
        assert_eq!(found[0].labels["service"], "batch");
        // An unknown key is an error, not silently ignored.
        std::fs::write(&path, "intervall = 5\n").unwrap();
        let base = Config::for_urls(&[], Duration::from_secs(2), "out".into());
        assert!(Config::from_file(&path, base).is_err());
    }
}
