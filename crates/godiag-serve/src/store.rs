//! The store: SQLite (rusqlite, SQLite built in), with versioned
//! migrations run at start. Writes are durable before they are
//! acknowledged (WAL, `synchronous=FULL`): a report answered `201`
//! survives `kill -9`.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// Each migration, in order; its index + 1 is its version.
const MIGRATIONS: &[&str] = &[
    // 1: groups and their reports.
    "CREATE TABLE groups (
        id INTEGER PRIMARY KEY,
        signature TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        location TEXT,
        count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0,
        regressed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES groups(id),
        received_at TEXT NOT NULL,
        service TEXT,
        version TEXT,
        host TEXT,
        kind TEXT NOT NULL,
        raw_gz BLOB NOT NULL,
        report_json TEXT NOT NULL
    );
    CREATE INDEX reports_by_group ON reports(group_id, id);",
];

/// What a report came with.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub service: Option<String>,
    pub version: Option<String>,
    pub host: Option<String>,
}

/// A report to keep.
pub struct NewReport<'a> {
    pub meta: Meta,
    pub raw: &'a [u8],
    pub report_json: String,
    pub signature: &'a crate::signature::Signature,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub group_id: i64,
    pub kind: String,
    pub new_group: bool,
}

#[derive(Debug, Serialize)]
pub struct Group {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub location: Option<String>,
    pub count: i64,
    pub first_seen: String,
    pub last_seen: String,
    pub resolved: bool,
    pub regressed: bool,
    pub versions: Vec<String>,
    pub services: Vec<String>,
}

pub struct Store {
    conn: Mutex<Connection>,
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up
    /// to date.
    pub fn open_sqlite(path: &Path) -> Result<Store> {
        let mut conn =
            Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (its own
        // transaction rolls back); the connection is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores a report in its group (created on first sight; a resolved
    /// group that comes back is flagged regressed). Committed when it returns.
    pub fn insert(&self, r: NewReport<'_>) -> Result<Stored> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now();
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM groups WHERE signature = ?1",
                [&r.signature.key],
                |row| row.get(0),
            )
            .optional()?;
        let group_id = match existing {
            Some(id) => {
                tx.execute(
                    "UPDATE groups SET count = count + 1, last_seen = ?2,
                        regressed = CASE WHEN resolved = 1 THEN 1 ELSE regressed END, resolved = 0
                     WHERE id = ?1",
                    params![id, at],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO groups (signature, kind, title, location, count, first_seen, last_seen)
                     VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)",
                    params![r.signature.key, r.signature.kind, r.signature.title, r.signature.location, at],
                )?;
                tx.last_insert_rowid()
            }
        };
        let raw_gz = if r.raw.starts_with(&[0x1f, 0x8b]) {
            r.raw.to_vec()
        } else {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(r.raw)?;
            gz.finish()?
        };
        tx.execute(
            "INSERT INTO reports (group_id, received_at, service, version, host, kind, raw_gz, report_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![group_id, at, r.meta.service, r.meta.version, r.meta.host, r.signature.kind, raw_gz, r.report_json],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Stored {
            id,
            group_id,
            kind: r.signature.kind.clone(),
            new_group: existing.is_none(),
        })
    }

    fn distinct(conn: &Connection, column: &str, group: i64) -> Result<Vec<String>> {
        let mut st = conn.prepare(&format!(
            "SELECT DISTINCT {column} FROM reports WHERE group_id = ?1 AND {column} IS NOT NULL ORDER BY {column}"
        ))?;
        let rows = st.query_map([group], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Groups, filtered by service and kind, by last seen (newest first) or
    /// by count.
    pub fn groups(
        &self,
        service: Option<&str>,
        kind: Option<&str>,
        by_count: bool,
    ) -> Result<Vec<Group>> {
        let conn = self.conn();
        let order = if by_count {
            "count DESC, last_seen DESC"
        } else {
            "last_seen DESC, id DESC"
        };
        let mut st = conn.prepare(&format!(
            "SELECT id, kind, title, location, count, first_seen, last_seen, resolved, regressed FROM groups
             WHERE (?1 IS NULL OR kind = ?1)
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM reports r WHERE r.group_id = groups.id AND r.service = ?2))
             ORDER BY {order}"
        ))?;
        let rows = st.query_map(params![kind, service], |row| {
            Ok(Group {
                id: row.get(0)?,
                kind: row.get(1)?,
                title: row.get(2)?,
                location: row.get(3)?,
                count: row.get(4)?,
                first_seen: row.get(5)?,
                last_seen: row.get(6)?,
                resolved: row.get::<_, i64>(7)? != 0,
                regressed: row.get::<_, i64>(8)? != 0,
                versions: Vec::new(),
                services: Vec::new(),
            })
        })?;
        let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for g in &mut out {
            g.versions = Self::distinct(&conn, "version", g.id)?;
            g.services = Self::distinct(&conn, "service", g.id)?;
        }
        Ok(out)
    }

    /// One group and the JSON report of its latest occurrence.
    pub fn group(&self, id: i64) -> Result<Option<(Group, serde_json::Value)>> {
        let Some(g) = self
            .groups(None, None, false)?
            .into_iter()
            .find(|g| g.id == id)
        else {
            return Ok(None);
        };
        let conn = self.conn();
        let latest: String = conn.query_row(
            "SELECT report_json FROM reports WHERE group_id = ?1 ORDER BY id DESC LIMIT 1",
            [id],
            |row| row.get(0),
        )?;
        Ok(Some((
            g,
            serde_json::from_str(&latest).unwrap_or(serde_json::Value::Null),
        )))
    }

    /// When each occurrence of a group was received, oldest first.
    pub fn occurrences(&self, id: i64) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut st =
            conn.prepare("SELECT received_at FROM reports WHERE group_id = ?1 ORDER BY id")?;
        let rows = st.query_map([id], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The raw input of a group's latest occurrence (gzipped).
    pub fn latest_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT raw_gz FROM reports WHERE group_id = ?1 ORDER BY id DESC LIMIT 1",
                [id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Marks a group resolved; `false` when there is no such group.
    pub fn resolve(&self, id: i64) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE groups SET resolved = 1, regressed = 0 WHERE id = ?1",
            [id],
        )? == 1)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        [],
    )?;
    let done: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= done {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("migration {version}"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, now()],
        )?;
        tx.commit()?;
        tracing::info!(version, "migration applied");
    }
    Ok(())
}
