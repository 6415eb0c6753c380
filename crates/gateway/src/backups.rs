//! Online backups on an operator's request: `POST /v1/backups` starts one into the folder
//! `[backup] dir` and answers at once; `GET /v1/backups` says whether one is running, how
//! the last one ended, and lists the backups in the folder (newest first). The gateway keeps
//! working meanwhile: writes wait only for the instant of the cut ([`Backup::backup`]). One
//! backup runs at a time. A backup is a data folder: restore it by putting it in place of
//! `gateway.data_dir` (docs/OPERATIONS.md).

use lienthong_types::Code;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use lienthong_store::{BackupReport, Store, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;

/// Backups listed by `GET /v1/backups` at most.
const LISTED: usize = 100;

/// A backup being made.
#[derive(Debug, Clone, Serialize)]
pub struct Running {
    /// Its folder's name.
    pub name: String,
    /// When it started.
    pub started_at: lienthong_types::Timestamp,
    /// Who asked for it.
    pub by: String,
}

/// How the last backup that failed failed.
#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    /// Its folder's name.
    pub name: String,
    /// When it ended.
    pub at: lienthong_types::Timestamp,
    /// Why.
    pub error: String,
}

#[derive(Debug, Default)]
struct State {
    running: Option<Running>,
    last_error: Option<Failed>,
    last_done: Option<BackupReport>,
}

/// The backups of one gateway.
#[derive(Debug)]
pub struct Backups {
    dir: Option<PathBuf>,
    gateway: String,
    state: Mutex<State>,
}

impl Backups {
    /// Backups of `gateway` into `dir` (`None`: not configured; every request is refused).
    pub fn new(dir: Option<PathBuf>, gateway: &str) -> Backups {
        Backups {
            dir,
            gateway: gateway.to_owned(),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn dir(&self) -> Result<&Path, ApiError> {
        self.dir.as_deref().ok_or_else(|| {
            ApiError::new(
                Code::BackupNotConfigured,
                lienthong_i18n::msg!("api-backup-not-configured"),
            )
        })
    }

    /// Start a backup for `by`; answers its name at once. `done` runs with the report when
    /// it succeeds (metrics).
    pub fn start(
        self: &Arc<Self>,
        store: Arc<dyn Store>,
        clock: Arc<dyn lienthong_types::Clock>,
        by: String,
        done: impl FnOnce(&BackupReport) + Send + 'static,
    ) -> Result<Running, ApiError> {
        let now = clock.now();
        let dir = self.dir()?.to_path_buf();
        let name = format!("{}-{}", self.gateway, folder_time(now));
        let running = Running {
            name: name.clone(),
            started_at: now,
            by,
        };
        {
            let mut s = self.state();
            if let Some(r) = &s.running {
                return Err(ApiError::new(
                    Code::BackupRunning,
                    lienthong_i18n::msg!("api-backup-running", name = r.name.clone()),
                )
                .with(json!({"running": r.name})));
            }
            s.running = Some(running.clone());
        }
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            // However this task ends (a panic included), the next backup may start.
            let _running = NotRunning(me.clone());
            let result = std::fs::create_dir_all(&dir)
                .map_err(|e| format!("creating {}: {e}", dir.display()))
                .map(|()| me.remove_unfinished(&dir))
                .and_then(|()| {
                    store
                        .backup(&dir.join(&name), now)
                        .map_err(|e| e.to_string())
                });
            let mut s = me.state();
            s.running = None;
            match result {
                Ok(report) => {
                    tracing::info!(
                        backup = %name,
                        entries = report.entries,
                        replayed = report.replayed,
                        segment_bytes = report.segment_bytes,
                        paused_ms = report.paused_ms,
                        took_ms = report.took_ms,
                        "backup done"
                    );
                    s.last_done = Some(report.clone());
                    drop(s);
                    done(&report);
                }
                Err(error) => {
                    tracing::error!(backup = %name, %error, "backup failed");
                    s.last_error = Some(Failed {
                        name,
                        at: clock.now(),
                        error,
                    });
                }
            }
        });
        Ok(running)
    }

    /// Remove this gateway's backups that were cut short (`NAME.partial`: a crash or a
    /// kill during a backup; never complete, never listed). Runs before each backup, while
    /// no other can be running.
    fn remove_unfinished(&self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let prefix = format!("{}-", self.gateway);
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name.ends_with(".partial") {
                match std::fs::remove_dir_all(e.path()) {
                    Ok(()) => tracing::info!(folder = %name, "unfinished backup removed"),
                    Err(error) => {
                        tracing::warn!(folder = %name, %error, "cannot remove an unfinished backup")
                    }
                }
            }
        }
    }

    /// The newest finished backup's report, if any (from the folder, so that it survives a
    /// restart).
    pub fn newest(&self) -> Option<BackupReport> {
        let done = self.state().last_done.clone();
        done.or_else(|| self.list().into_iter().next())
    }

    /// The backups in the folder, newest first (at most [`LISTED`]): every sub-folder with
    /// a readable `BACKUP.json`.
    fn list(&self) -> Vec<BackupReport> {
        let Some(dir) = &self.dir else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut v: Vec<BackupReport> = entries
            .filter_map(Result::ok)
            // A `.partial` folder may hold a manifest if it was cut short at the very end.
            .filter(|e| !e.file_name().to_string_lossy().ends_with(".partial"))
            .filter_map(|e| std::fs::read(e.path().join("BACKUP.json")).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.at));
        v.truncate(LISTED);
        v
    }

    /// `GET /v1/backups`.
    pub fn status(&self) -> Result<Value, ApiError> {
        let dir = self.dir()?;
        let (running, last_error) = {
            let s = self.state();
            (s.running.clone(), s.last_error.clone())
        };
        Ok(json!({
            "dir": dir.display().to_string(),
            "running": running,
            "last_error": last_error,
            "backups": self.list(),
        }))
    }
}

/// Clears `running` when dropped.
struct NotRunning(Arc<Backups>);

impl Drop for NotRunning {
    fn drop(&mut self) {
        self.0.state().running = None;
    }
}

/// `2026-12-01T02-14-09.123Z`: a time for a folder name (no colons).
fn folder_time(t: Timestamp) -> String {
    let ms = t.as_millis();
    let s = lienthong_dsig::time::format_rfc3339(ms / 1000).replace(':', "-");
    format!("{}.{:03}Z", s.trim_end_matches('Z'), ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_sort_by_time_and_have_no_colons() {
        assert_eq!(
            folder_time(Timestamp::from_millis(1_764_555_249_007)),
            "2025-12-01T02-14-09.007Z"
        );
        let a = folder_time(Timestamp::from_millis(1_764_555_249_007));
        let b = folder_time(Timestamp::from_millis(1_764_555_249_010));
        assert!(a < b);
    }

    #[test]
    fn not_configured_is_refused_with_its_code() {
        let b = Backups::new(None, "gw-a");
        assert_eq!(b.status().unwrap_err().code, Code::BackupNotConfigured);
        assert!(b.newest().is_none());
    }
}
