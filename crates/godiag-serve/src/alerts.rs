//! Alerts on what a fleet's on-call must see: a new crash group, and a
//! resolved group that comes back (a regression). They go to Alertmanager
//! and webhooks through `godiag-alert`, from a thread of their own, so that
//! a slow receiver never delays an ingest's answer.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use godiag_alert::{Alert, Receivers};
use serde_json::json;

use crate::signature::Signature;
use crate::store::{Meta, Stored};

/// How long an alert stays active in Alertmanager: a new group is an event,
/// not a condition that ends, so it expires on its own.
pub const ALERT_HOLD: Duration = Duration::from_secs(3600);

/// Where alerts go, and the address the web UI is reached at (for links).
#[derive(Clone, Debug, Default)]
pub struct AlertOptions {
    pub alertmanager: Option<String>,
    pub webhooks: Vec<String>,
    /// The web UI's address as users reach it, e.g. `https://godiag.example`.
    pub external_url: String,
}

struct Event {
    stored: Stored,
    signature: Signature,
    meta: Meta,
}

/// Sends the alerts of ingested reports, in the background.
pub(crate) struct Alerter {
    tx: Option<mpsc::Sender<Event>>,
}

impl Alerter {
    pub(crate) fn start(opts: AlertOptions) -> Self {
        if opts.alertmanager.is_none() && opts.webhooks.is_empty() {
            return Alerter { tx: None };
        }
        let (tx, rx) = mpsc::channel::<Event>();
        let base = opts.external_url.trim_end_matches('/').to_string();
        let receivers = Receivers::new(opts.alertmanager, opts.webhooks);
        let spawned = std::thread::Builder::new()
            .name("alerts".into())
            .spawn(move || {
                for e in rx {
                    send(&receivers, &base, &e);
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "no alert thread: alerts are off");
            return Alerter { tx: None };
        }
        Alerter { tx: Some(tx) }
    }

    /// Alerts on `stored` when it made a new group or a regression.
    pub(crate) fn report(&self, stored: &Stored, signature: &Signature, meta: &Meta) {
        let Some(tx) = &self.tx else { return };
        if !stored.new_group && !stored.regression {
            return;
        }
        let _ = tx.send(Event {
            stored: Stored {
                id: stored.id,
                group_id: stored.group_id,
                kind: stored.kind.clone(),
                new_group: stored.new_group,
                regression: stored.regression,
            },
            signature: signature.clone(),
            meta: meta.clone(),
        });
    }
}

fn send(receivers: &Receivers, base: &str, e: &Event) {
    let (alertname, what) = if e.stored.new_group {
        ("GodiagNewCrashGroup", "new-group")
    } else {
        ("GodiagCrashRegression", "regression")
    };
    let url = format!("{base}/groups/{}", e.stored.group_id);
    let mut labels = BTreeMap::from([
        ("alertname".to_string(), alertname.to_string()),
        ("kind".to_string(), e.stored.kind.clone()),
        ("group_id".to_string(), e.stored.group_id.to_string()),
        ("severity".to_string(), "page".to_string()),
    ]);
    if let Some(s) = &e.meta.service {
        labels.insert("service".into(), s.clone());
    }
    let mut annotations = BTreeMap::from([
        ("summary".to_string(), e.signature.title.clone()),
        ("group_url".to_string(), url.clone()),
    ]);
    if let Some(l) = &e.signature.location {
        annotations.insert("location".into(), l.clone());
    }
    let now = SystemTime::now();
    let alert = Alert {
        labels,
        annotations,
        starts_at: now,
        generator_url: url.clone(),
    };
    tracing::info!(group_id = e.stored.group_id, kind = %e.stored.kind, event = what, "alerting");
    receivers.alertmanager(&alert, now + ALERT_HOLD);
    receivers.webhooks(&json!({
        "event": what,
        "group_id": e.stored.group_id,
        "report_id": e.stored.id,
        "kind": e.stored.kind,
        "title": e.signature.title,
        "location": e.signature.location,
        "service": e.meta.service,
        "version": e.meta.version,
        "host": e.meta.host,
        "url": url,
    }));
}
