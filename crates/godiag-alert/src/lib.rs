//! Alerts from godiag's daemons: Alertmanager API v2 (`POST /api/v2/alerts`)
//! and a generic JSON webhook. `watch` sends one when a rule fires, again
//! with a later `endsAt` while the condition holds, and with `endsAt` now
//! when it stops (resolved); `serve` sends one when a new crash group or a
//! regression lands.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use godiag_collect::Client;
use serde_json::json;

/// One alert as Alertmanager takes it.
#[derive(Clone, Debug)]
pub struct Alert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: SystemTime,
    /// Where the alert came from: a link back to the daemon's page for it.
    pub generator_url: String,
}

fn rfc3339(t: SystemTime) -> String {
    godiag_engine::time::rfc3339(t)
}

impl Alert {
    /// The Alertmanager v2 body of this alert ending at `ends_at`.
    pub fn body(&self, ends_at: SystemTime) -> serde_json::Value {
        json!([{
            "labels": self.labels,
            "annotations": self.annotations,
            "startsAt": rfc3339(self.starts_at),
            "endsAt": rfc3339(ends_at),
            "generatorURL": self.generator_url,
        }])
    }
}

/// Where alerts go.
pub struct Receivers {
    pub alertmanager: Option<String>,
    pub webhooks: Vec<String>,
    client: Client,
}

const TIMEOUT: Duration = Duration::from_secs(10);

impl Receivers {
    pub fn new(alertmanager: Option<String>, webhooks: Vec<String>) -> Self {
        Receivers {
            alertmanager: alertmanager.map(|u| u.trim_end_matches('/').to_string()),
            webhooks,
            client: Client::new(&Default::default()),
        }
    }

    /// Sends (or refreshes, or resolves) `alert` to Alertmanager.
    pub fn alertmanager(&self, alert: &Alert, ends_at: SystemTime) {
        let Some(am) = &self.alertmanager else {
            return;
        };
        let url = format!("{am}/api/v2/alerts");
        let body = alert.body(ends_at).to_string();
        match self.client.post_json(&url, body.as_bytes(), TIMEOUT) {
            Ok(200) => {}
            Ok(status) => tracing::warn!(%url, status, "Alertmanager refused the alert"),
            Err(e) => tracing::warn!(%url, error = %format!("{e:#}"), "Alertmanager unreachable"),
        }
    }

    /// Posts `event` (the finding and the report's path) to every webhook.
    pub fn webhooks(&self, event: &serde_json::Value) {
        let body = event.to_string();
        for url in &self.webhooks {
            match self.client.post_json(url, body.as_bytes(), TIMEOUT) {
                Ok(s) if (200..300).contains(&s) => {}
                Ok(status) => tracing::warn!(%url, status, "webhook refused the event"),
                Err(e) => tracing::warn!(%url, error = %format!("{e:#}"), "webhook unreachable"),
            }
        }
    }
}
