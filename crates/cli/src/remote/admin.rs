//! `backup` and `certs status`.

use std::io::Write;
use std::process::ExitCode;

use indicatif::ProgressBar;
use serde_json::{Value, json};

use super::common::*;
use super::connection::*;

/// `backup`: an online backup of a running gateway (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct BackupArgs {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Return once the backup has started instead of waiting for it.
    #[arg(long, help = say!("remote-help-backup-no-wait"))]
    pub(super) no_wait: bool,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-backup-json"))]
    pub(super) json: bool,
}

/// `certs status`: the certificates a gateway depends on (operator certificate).
#[derive(Debug, clap::Args)]
pub(crate) struct CertsStatus {
    #[command(flatten)]
    pub(super) conn: Conn,
    /// Print the gateway's JSON.
    #[arg(long, help = say!("remote-help-certs-status-json"))]
    pub(super) json: bool,
}

/// `lienthong backup`: start an online backup and wait for it (exit 1 if it failed).
pub(crate) fn backup(a: &BackupArgs) -> ExitCode {
    block_on(a.json, backup_run(a))
}

/// How often `backup` asks whether its backup has finished.
pub(super) const BACKUP_POLL: std::time::Duration = std::time::Duration::from_millis(250);

pub(super) async fn backup_run(a: &BackupArgs) -> Result<u8, Fail> {
    let client = connect(&a.conn)?;
    let started = ok(client.post_json("/v1/backups", &json!({})).await)?.json();
    let name = text(&started["name"]);
    if a.no_wait {
        if a.json {
            print_json(&started);
        } else {
            out!("{}", say!("remote-backup-started", name = &name));
        }
        return Ok(0);
    }
    let pb = if a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    pb.set_message(say!("remote-backup-progress", name = &name));
    loop {
        pb.tick();
        let v = ok(client.get("/v1/backups").await)?.json();
        if v["running"]["name"].as_str() == Some(name.as_str()) {
            tokio::time::sleep(BACKUP_POLL).await;
            continue;
        }
        pb.finish_and_clear();
        let done = v["backups"].as_array().and_then(|list| {
            list.iter()
                .find(|b| b["dir"].as_str().is_some_and(|d| d.ends_with(&name)))
                .cloned()
        });
        if let Some(r) = done {
            if a.json {
                print_json(&r);
            } else {
                out!(
                    "{}",
                    say!(
                        "remote-backup-done",
                        name = &name,
                        entries = text(&r["entries"]),
                        replayed = text(&r["replayed"]),
                        segments = text(&r["segments"]),
                        bytes = text(&r["segment_bytes"]),
                        paused = text(&r["paused_ms"]),
                        took = text(&r["took_ms"])
                    )
                );
                out!("  {}", text(&r["dir"]));
            }
            return Ok(0);
        }
        let failed = &v["last_error"];
        let why = if failed["name"].as_str() == Some(name.as_str()) {
            text(&failed["error"])
        } else {
            say!("remote-backup-lost")
        };
        if a.json {
            print_json(&json!({"name": name, "error": why}));
        } else {
            note!("{}", say!("remote-backup-failed", name = &name, why = &why));
        }
        return Ok(1);
    }
}

/// `lienthong certs status`: every certificate the gateway depends on, the one expiring
/// first first.
pub(crate) fn certs_status(a: &CertsStatus) -> ExitCode {
    block_on(a.json, certs_status_run(a))
}

pub(super) async fn certs_status_run(a: &CertsStatus) -> Result<u8, Fail> {
    let client = connect(&a.conn)?;
    let v = ok(client.get("/v1/certificates").await)?.json();
    if a.json {
        print_json(&v);
        return Ok(0);
    }
    out!("{}", say!("remote-gateway", gateway = text(&v["gateway"])));
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    // (days left, row): every kind in one table, soonest first.
    let mut rows: Vec<(f64, Vec<String>)> = Vec::new();
    let mut row = |what: String, who: String, c: &Value| {
        let days = c["days_left"].as_f64();
        rows.push((
            days.unwrap_or(f64::INFINITY),
            vec![
                what,
                who,
                c.get("not_after").map_or_else(|| "-".to_owned(), time),
                days.map_or_else(|| "-".to_owned(), |d| format!("{d:.1}")),
                c.get("subject").map_or_else(String::new, text),
            ],
        ));
    };
    for c in list("own") {
        // The gateway's path, worked out by its text (the file is the gateway's, not here).
        let file = lienthong_gateway::tls::clean_path(std::path::Path::new(&text(&c["file"])))
            .display()
            .to_string();
        row(say!("remote-certs-own"), file, &c);
    }
    for h in list("next_hops") {
        let who = text(&h["hop"]);
        if h["certificate"].is_null() {
            row(
                say!("remote-certs-next-hop"),
                say!("remote-certs-not-connected", hop = who),
                &Value::Null,
            );
        } else {
            row(say!("remote-certs-next-hop"), who, &h["certificate"]);
        }
    }
    for c in list("clients") {
        row(
            say!("remote-certs-client"),
            text(&c["peer"]),
            &c["certificate"],
        );
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let soon = rows.iter().filter(|(d, _)| *d < CERT_WARN_DAYS).count();
    let head = header(&[
        "remote-certs-col-what",
        "remote-certs-col-who",
        "remote-certs-col-expires",
        "remote-certs-col-days",
        "remote-certs-col-subject",
    ]);
    table(&head, &rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>());
    if soon > 0 {
        note!(
            "{}",
            say!("remote-certs-expiring", n = soon, days = CERT_WARN_DAYS)
        );
    }
    Ok(0)
}
