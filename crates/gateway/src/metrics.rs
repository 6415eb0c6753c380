//! Prometheus metrics, named `lienthong_<noun>_<unit>` in base units (seconds, bytes; an
//! expiry is the Unix time it happens, `*_timestamp_seconds`, for alerts to compare with
//! `time()`). Each gateway has its own recorder (several gateways can run in one process, as
//! in the demo and the tests). Every metric an alert or the dashboard reads exists from the
//! start ([`Metrics::register`]), at 0 or its real value, but the series of a connecting
//! peer (its certificate) or of an agency (its inbox), which appear with it.

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

use lienthong_store::QueueStats;

use crate::links::LinkHealth;

/// Gauges read when the metrics are scraped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Health {
    /// The store refuses writes after a storage failure.
    pub store_failed: bool,
    /// The earliest `nextUpdate` of the document-signature CRLs (seconds since the epoch).
    pub document_crls_fresh_until: Option<u64>,
    /// The earliest nextUpdate of the client CRLs (seconds), if any.
    pub client_crls_fresh_until: Option<u64>,
    /// Inbox long polls waiting now.
    pub inbox_waiters: usize,
    /// Document bodies held in memory now, bytes (their shares of the budget).
    pub buffered_body_bytes: u64,
    /// Receipt notices (status 01/02) owed past their deadline now.
    pub overdue_notices: u64,
    /// Completions (status 06) owed past the document's due date now.
    pub overdue_completions: u64,
}

/// Why TLS handshakes fail, as counted: the client's certificate was refused (expired, not
/// from a trusted CA, revoked, …), the client spoke TLS wrongly or not at all, the
/// connection broke, or the handshake took too long.
pub const HANDSHAKE_FAILURES: &[&str] = &["certificate", "protocol", "connection", "timeout"];

/// Why a connection is refused at once (`lienthong_connections_refused_total{reason}`).
pub const CONNECTION_REFUSALS: &[&str] = &[
    "max_connections",
    "handshakes_per_address",
    "anonymous",
    "per_identity",
];

/// Why the gateway closes a connection (`lienthong_connections_closed_total{reason}`).
pub const CONNECTION_CLOSES: &[&str] = &["idle", "max_age", "revoked"];

/// The verdicts on a PDF's signatures (`lienthong_pdf_signatures_total{verdict}`): those of
/// `lienthong_pdfsig::Verdict`, and `unreadable` for a file that could not be read.
pub const PDF_VERDICTS: &[&str] = &[
    "valid",
    "weak",
    "untrusted",
    "unsigned",
    "invalid",
    "unreadable",
];

/// One agency's inbox as the metrics show it.
#[derive(Debug, Clone)]
pub struct InboxGauge {
    /// The agency code.
    pub agency: String,
    /// Entries its DMS has not acknowledged.
    pub unacknowledged: u64,
    /// Age of the oldest of them, seconds (0 when none).
    pub oldest_age_seconds: u64,
}

/// The certificates peers presented (see [`crate::seen`]), for the expiry gauges.
#[derive(Debug, Default)]
pub struct SeenGauges {
    /// Next hops' server certificates, by hop.
    pub next_hops: Vec<(String, crate::seen::SeenCert)>,
    /// Clients' certificates, by identity.
    pub clients: Vec<(String, crate::seen::SeenCert)>,
}

/// The certificates in use, by their `certificate` label ([`certificate_labels`]), and when
/// each expires (seconds since the epoch).
pub type TlsExpiry = Arc<dyn Fn() -> Vec<(String, u64)> + Send + Sync>;

/// A gateway's metrics.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    tls_expiry: TlsExpiry,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

const BUCKETS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

impl Metrics {
    /// New metrics; `tls_expiry` lists the certificates in use and their expiry.
    pub fn new(tls_expiry: TlsExpiry) -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        Metrics {
            recorder: Arc::new(recorder),
            tls_expiry,
        }
    }

    /// A backup finished: its time is the last success.
    pub fn backup_done(&self, r: &lienthong_store::BackupReport) {
        self.with(|| {
            metrics::gauge!("lienthong_backup_last_success_timestamp_seconds")
                .set(r.at.as_millis() as f64 / 1000.0);
        });
    }

    /// Backups are configured but none exists yet: the last success is at 0 (never), so that
    /// the backup alert fires until the first one is made rather than staying silent.
    pub fn no_backup_yet(&self) {
        self.with(|| {
            metrics::gauge!("lienthong_backup_last_success_timestamp_seconds").set(0.0);
        });
    }

    fn with(&self, f: impl FnOnce()) {
        metrics::with_local_recorder(&*self.recorder, f);
    }

    /// Describe every metric (`# HELP`), set `lienthong_build_info` for gateway `gateway`,
    /// and start each counter at 0 (per next hop in `hops`, per refusal code in `codes`, per
    /// reason or verdict of the bounded lists above), so that the first dead letter or
    /// refusal is an increase a Prometheus alert sees, not a series that appears already at 1.
    /// The queue gauges of each next hop start at 0 and the latency histograms empty, so that
    /// the dashboard has them before any traffic.
    pub fn register(&self, gateway: &str, hops: &[String], codes: &[&'static str]) {
        let gateway = gateway.to_owned();
        self.with(|| {
            use metrics::{describe_counter, describe_gauge, describe_histogram};
            describe_gauge!(
                "lienthong_build_info",
                "always 1; its labels name this gateway and the lienthong version it runs"
            );
            metrics::gauge!(
                "lienthong_build_info",
                "version" => env!("CARGO_PKG_VERSION"),
                "gateway" => gateway
            )
            .set(1.0);
            describe_counter!(
                "lienthong_accepted_total",
                "documents and statuses accepted from DMSs"
            );
            describe_counter!(
                "lienthong_relay_received_total",
                "relays accepted from peer gateways"
            );
            describe_counter!(
                "lienthong_relay_duplicates_total",
                "relays of messages already here (the sender lost our receipt)"
            );
            describe_counter!(
                "lienthong_relayed_total",
                "messages handed to a next hop, receipt verified"
            );
            describe_counter!("lienthong_retries_total", "failed relay attempts");
            describe_counter!("lienthong_dead_letters_total", "relays given up on");
            describe_counter!(
                "lienthong_delivered_total",
                "messages put into local inboxes"
            );
            describe_counter!("lienthong_refused_total", "refusals, by error code");
            describe_counter!(
                "lienthong_pdf_signatures_total",
                "PDFs found in the attachments of documents accepted here (submitted or relayed), by the verdict on their signatures"
            );
            describe_counter!(
                "lienthong_vxp_requests_total",
                "VXP API requests, by system (\"-\" before one is authenticated) and outcome"
            );
            describe_counter!(
                "lienthong_connections_refused_total",
                "connections closed at once: the pool, or a cap per address, for clients without a certificate, or per identity, was full"
            );
            describe_counter!(
                "lienthong_connections_closed_total",
                "connections the gateway closed: idle, at their maximum age, or revoked"
            );
            describe_histogram!(
                "lienthong_accept_duration_seconds",
                metrics::Unit::Seconds,
                "submission handling time, durable"
            );
            describe_histogram!(
                "lienthong_relay_duration_seconds",
                metrics::Unit::Seconds,
                "relay to a next hop, receipt verified"
            );
            describe_histogram!(
                "lienthong_relay_receive_duration_seconds",
                metrics::Unit::Seconds,
                "handling of a relay from a peer, durable"
            );
            describe_gauge!("lienthong_queue_depth", "entries waiting for a next hop");
            describe_gauge!("lienthong_queue_in_flight", "entries being relayed");
            describe_gauge!(
                "lienthong_queue_oldest_age_seconds",
                "age of the oldest entry waiting for a next hop"
            );
            describe_gauge!("lienthong_messages", "messages by summary state");
            describe_gauge!(
                "lienthong_certificate_expiry_timestamp_seconds",
                "when each certificate in use expires (Unix seconds), by its role in the configuration"
            );
            describe_gauge!(
                "lienthong_store_failed",
                "1 while the store refuses writes after a storage failure"
            );
            describe_gauge!(
                "lienthong_document_crl_next_update_timestamp_seconds",
                "the earliest nextUpdate of the document-signature CRLs (Unix seconds)"
            );
            describe_gauge!(
                "lienthong_client_crl_next_update_timestamp_seconds",
                "the earliest nextUpdate of the client-certificate CRLs (Unix seconds; in the past: stale)"
            );
            describe_gauge!("lienthong_inbox_waiters", "inbox long polls waiting");
            describe_gauge!(
                "lienthong_overdue_receipt_notices",
                "documents delivered here whose recipient has not notified receipt (status 01/02) by the end of its working day, or an urgent document's threshold"
            );
            describe_gauge!(
                "lienthong_overdue_completions",
                "documents delivered here past their due date without status 06 from the recipient"
            );
            describe_gauge!(
                "lienthong_link_up",
                "1 while the link to a next hop works, 0 from a link failure until a relay or probe gets through"
            );
            describe_gauge!(
                "lienthong_link_consecutive_failures",
                "link failures in a row towards a next hop"
            );
            describe_gauge!(
                "lienthong_backup_last_success_timestamp_seconds",
                "when the newest online backup was made (Unix seconds); 0 before the first, absent without [backup] dir"
            );
            describe_gauge!(
                "lienthong_peer_certificate_expiry_timestamp_seconds",
                "when the certificate a next hop presented at its last connection expires (Unix seconds)"
            );
            describe_gauge!(
                "lienthong_buffered_body_bytes",
                "document bodies held in memory (limits.max_buffered_body_bytes)"
            );
            describe_gauge!(
                "lienthong_inbox_unacknowledged",
                "inbox entries the agency's DMS has not acknowledged"
            );
            describe_gauge!(
                "lienthong_inbox_oldest_unacknowledged_age_seconds",
                "age of the agency's oldest unacknowledged inbox entry"
            );
            for name in [
                "lienthong_accepted_total",
                "lienthong_relay_received_total",
                "lienthong_relay_duplicates_total",
                "lienthong_delivered_total",
            ] {
                metrics::counter!(name).increment(0);
            }
            // A histogram once registered is served empty (count 0) until its first sample.
            let _ = metrics::histogram!("lienthong_accept_duration_seconds");
            let _ = metrics::histogram!("lienthong_relay_receive_duration_seconds");
            for hop in hops {
                for name in [
                    "lienthong_relayed_total",
                    "lienthong_retries_total",
                    "lienthong_dead_letters_total",
                ] {
                    metrics::counter!(name, "hop" => hop.clone()).increment(0);
                }
                // The store lists a hop's queue only once something was queued for it.
                for name in [
                    "lienthong_queue_depth",
                    "lienthong_queue_in_flight",
                    "lienthong_queue_oldest_age_seconds",
                ] {
                    metrics::gauge!(name, "hop" => hop.clone()).set(0.0);
                }
                let _ = metrics::histogram!(
                    "lienthong_relay_duration_seconds",
                    "hop" => hop.clone()
                );
            }
            for code in codes {
                metrics::counter!("lienthong_refused_total", "reason" => *code).increment(0);
            }
            describe_counter!(
                "lienthong_tls_handshake_failures_total",
                "TLS handshakes that failed, by reason (certificate: the client's certificate was refused)"
            );
            for reason in HANDSHAKE_FAILURES {
                metrics::counter!("lienthong_tls_handshake_failures_total", "reason" => *reason)
                    .increment(0);
            }
            for reason in CONNECTION_REFUSALS {
                metrics::counter!("lienthong_connections_refused_total", "reason" => *reason)
                    .increment(0);
            }
            for reason in CONNECTION_CLOSES {
                metrics::counter!("lienthong_connections_closed_total", "reason" => *reason)
                    .increment(0);
            }
            for verdict in PDF_VERDICTS {
                metrics::counter!("lienthong_pdf_signatures_total", "verdict" => *verdict)
                    .increment(0);
            }
        });
    }

    /// A TLS handshake failed for `reason` (one of [`HANDSHAKE_FAILURES`]).
    pub fn handshake_failed(&self, reason: &'static str) {
        self.with(|| {
            metrics::counter!("lienthong_tls_handshake_failures_total", "reason" => reason)
                .increment(1)
        });
    }

    /// A connection refused at once for `reason` (one of [`CONNECTION_REFUSALS`]).
    pub fn connection_refused(&self, reason: &'static str) {
        self.with(|| {
            metrics::counter!("lienthong_connections_refused_total", "reason" => reason)
                .increment(1)
        });
    }

    /// A connection closed by the gateway for `reason` (one of [`CONNECTION_CLOSES`]).
    pub fn connection_closed(&self, reason: &'static str) {
        self.with(|| {
            metrics::counter!("lienthong_connections_closed_total", "reason" => reason).increment(1)
        });
    }

    /// Start the VXP request counters of `systems` at 0.
    pub fn register_vxp(&self, systems: &[String]) {
        self.with(|| {
            for sys in systems {
                for outcome in ["ok", "refused"] {
                    metrics::counter!("lienthong_vxp_requests_total", "system" => sys.clone(), "outcome" => outcome)
                        .absolute(0);
                }
            }
            // Before authentication nothing can be ok.
            metrics::counter!("lienthong_vxp_requests_total", "system" => "-", "outcome" => "refused")
                .absolute(0);
        });
    }

    /// A VXP request of `system` (`"-"`: not authenticated) ended `ok` or `refused`.
    pub fn vxp_request(&self, system: &str, outcome: &'static str) {
        let system = system.to_owned();
        self.with(|| {
            metrics::counter!("lienthong_vxp_requests_total", "system" => system, "outcome" => outcome)
                .increment(1);
        });
    }

    /// The PDFs of a document just accepted (submitted or relayed), by verdict.
    pub fn pdf_verdicts<'a>(&self, verdicts: impl Iterator<Item = &'a str>) {
        for v in verdicts {
            let verdict = v.to_owned();
            self.with(|| {
                metrics::counter!("lienthong_pdf_signatures_total", "verdict" => verdict)
                    .increment(1);
            });
        }
    }

    /// A document or status accepted from a DMS.
    pub fn accepted(&self, took: Duration) {
        self.with(|| {
            metrics::counter!("lienthong_accepted_total").increment(1);
            metrics::histogram!("lienthong_accept_duration_seconds").record(took.as_secs_f64());
        });
    }

    /// A relay received from a peer; `duplicate`: we had it already (its sender lost our
    /// receipt, or resent it after a lease expired) and sent the stored receipt again.
    pub fn received_relay(&self, took: Duration, duplicate: bool) {
        self.with(|| {
            metrics::counter!("lienthong_relay_received_total").increment(1);
            if duplicate {
                metrics::counter!("lienthong_relay_duplicates_total").increment(1);
            }
            metrics::histogram!("lienthong_relay_receive_duration_seconds")
                .record(took.as_secs_f64());
        });
    }

    /// A message handed to a next hop (receipt verified).
    pub fn relayed(&self, hop: &str, took: Duration) {
        let hop = hop.to_owned();
        self.with(|| {
            metrics::counter!("lienthong_relayed_total", "hop" => hop.clone()).increment(1);
            metrics::histogram!("lienthong_relay_duration_seconds", "hop" => hop)
                .record(took.as_secs_f64());
        });
    }

    /// A relay attempt failed and will be retried (or was dead-lettered).
    pub fn retry(&self, hop: &str, dead: bool) {
        let hop = hop.to_owned();
        self.with(|| {
            metrics::counter!("lienthong_retries_total", "hop" => hop.clone()).increment(1);
            if dead {
                metrics::counter!("lienthong_dead_letters_total", "hop" => hop).increment(1);
            }
        });
    }

    /// A message put into a local inbox.
    pub fn delivered(&self) {
        self.with(|| metrics::counter!("lienthong_delivered_total").increment(1));
    }

    /// A request refused, by reason code.
    pub fn refused(&self, reason: &'static str) {
        self.with(|| metrics::counter!("lienthong_refused_total", "reason" => reason).increment(1));
    }

    /// The Prometheus text, with queue gauges set from `stats`, certificate expiry, and the
    /// health gauges from `health`. Expiry is served as Unix times, so nothing here depends
    /// on the time of the scrape.
    pub fn render(
        &self,
        stats: &QueueStats,
        health: &Health,
        inboxes: &[InboxGauge],
        links: &[(String, LinkHealth)],
        seen: &SeenGauges,
    ) -> String {
        self.with(|| {
            metrics::gauge!("lienthong_store_failed").set(if health.store_failed {
                1.0
            } else {
                0.0
            });
            metrics::gauge!("lienthong_inbox_waiters").set(health.inbox_waiters as f64);
            metrics::gauge!("lienthong_buffered_body_bytes").set(health.buffered_body_bytes as f64);
            metrics::gauge!("lienthong_overdue_receipt_notices").set(health.overdue_notices as f64);
            metrics::gauge!("lienthong_overdue_completions").set(health.overdue_completions as f64);
            if let Some(until) = health.document_crls_fresh_until {
                metrics::gauge!("lienthong_document_crl_next_update_timestamp_seconds")
                    .set(until as f64);
            }
            if let Some(until) = health.client_crls_fresh_until {
                metrics::gauge!("lienthong_client_crl_next_update_timestamp_seconds")
                    .set(until as f64);
            }
            for h in &stats.hops {
                metrics::gauge!("lienthong_queue_depth", "hop" => h.hop.clone())
                    .set(h.depth as f64);
                metrics::gauge!("lienthong_queue_in_flight", "hop" => h.hop.clone())
                    .set(h.in_flight as f64);
                metrics::gauge!("lienthong_queue_oldest_age_seconds", "hop" => h.hop.clone())
                    .set(h.oldest_age_ms as f64 / 1000.0);
            }
            for (hop, l) in links {
                metrics::gauge!("lienthong_link_up", "hop" => hop.clone()).set(if l.up {
                    1.0
                } else {
                    0.0
                });
                metrics::gauge!("lienthong_link_consecutive_failures", "hop" => hop.clone())
                    .set(f64::from(l.consecutive_failures));
            }
            for (state, n) in &stats.states {
                let name = serde_json::to_value(state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                metrics::gauge!("lienthong_messages", "state" => name).set(*n as f64);
            }
            for i in inboxes {
                metrics::gauge!("lienthong_inbox_unacknowledged", "agency" => i.agency.clone())
                    .set(i.unacknowledged as f64);
                metrics::gauge!(
                    "lienthong_inbox_oldest_unacknowledged_age_seconds",
                    "agency" => i.agency.clone()
                )
                .set(i.oldest_age_seconds as f64);
            }
            for (certificate, not_after) in (self.tls_expiry)() {
                metrics::gauge!(
                    "lienthong_certificate_expiry_timestamp_seconds",
                    "certificate" => certificate
                )
                .set(not_after as f64);
            }
            for (hop, c) in &seen.next_hops {
                metrics::gauge!(
                    "lienthong_peer_certificate_expiry_timestamp_seconds",
                    "hop" => hop.clone()
                )
                .set(unix_seconds(c.not_after));
            }
        });
        let mut out = self.recorder.handle().render();
        // Written here rather than through the recorder, which keeps every series it was
        // ever given: an identity dropped from the bounded table (`seen.rs`) must drop out
        // of the scrape too, and the series stay as bounded as the table.
        if !seen.clients.is_empty() {
            const NAME: &str = "lienthong_client_certificate_expiry_timestamp_seconds";
            out.push_str(&format!("# HELP {NAME} when the certificate a DMS, gateway, operator or monitor presented at its last connection expires (Unix seconds)\n"));
            out.push_str(&format!("# TYPE {NAME} gauge\n"));
            for (peer, c) in &seen.clients {
                let (kind, id) = peer_labels(peer);
                out.push_str(&format!(
                    "{NAME}{{kind=\"{}\",id=\"{}\"}} {}\n",
                    label_value(kind),
                    label_value(id),
                    unix_seconds(c.not_after)
                ));
            }
        }
        out
    }
}

/// Seconds since the epoch, as a gauge's value.
fn unix_seconds(t: lienthong_types::Timestamp) -> f64 {
    t.as_millis() as f64 / 1000.0
}

/// The `kind` and `id` labels of a peer named as [`crate::identity::Peer`] displays it
/// (`agency 000.00.01.H50` → `agency`, `000.00.01.H50`). Only verified identities are
/// recorded (`seen.rs`), so both are as bounded as the certificates the gateway accepts.
fn peer_labels(peer: &str) -> (&str, &str) {
    peer.split_once(' ').unwrap_or((peer, ""))
}

/// The `certificate` label of each certificate in use, given each one's role in the
/// configuration (`tls`, `client_ca`, …) and its file, in order: the role alone when it is
/// the only certificate of that role; else the role and the file's base name
/// (`client_ca:ca.pem`), and `#N` after it for the Nth when that is still not unique (a file
/// holding several CAs, or files of the same name in different folders). Never a
/// directory, so the label stays the same wherever the files are installed.
pub fn certificate_labels(certs: &[(&str, &std::path::Path)]) -> Vec<String> {
    let named: Vec<String> = certs
        .iter()
        .map(|(role, file)| {
            if certs.iter().filter(|(r, _)| r == role).count() == 1 {
                return (*role).to_owned();
            }
            let base = file
                .file_name()
                .unwrap_or(file.as_os_str())
                .to_string_lossy();
            format!("{role}:{base}")
        })
        .collect();
    named
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if named.iter().filter(|n| *n == name).count() == 1 {
                return name.clone();
            }
            let nth = named[..=i].iter().filter(|n| *n == name).count();
            format!("{name}#{nth}")
        })
        .collect()
}

/// A Prometheus label value, escaped (text exposition format).
fn label_value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{certificate_labels, label_value, peer_labels};

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("agency 000.00.11.H50"), "agency 000.00.11.H50");
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn peers_are_split_into_kind_and_id() {
        assert_eq!(
            peer_labels("agency 000.00.11.H50"),
            ("agency", "000.00.11.H50")
        );
        assert_eq!(
            peer_labels("operator Nguyễn Văn A"),
            ("operator", "Nguyễn Văn A")
        );
        assert_eq!(peer_labels("anonymous"), ("anonymous", ""));
    }

    #[test]
    fn certificates_are_named_by_role_without_folders() {
        let tls = Path::new("../../certs-dev/gateways/gw-h50.pem");
        let ca = Path::new("../../certs-dev/ca.pem");
        assert_eq!(
            certificate_labels(&[("tls", tls), ("client_ca", ca)]),
            ["tls", "client_ca"]
        );
        let old = Path::new("/etc/lienthong/old/ca.pem");
        let bundle = Path::new("/etc/lienthong/bundle.pem");
        assert_eq!(
            certificate_labels(&[
                ("tls", tls),
                ("client_ca", ca),
                ("client_ca", old),
                ("client_ca", bundle),
                ("client_ca", bundle),
            ]),
            [
                "tls",
                "client_ca:ca.pem#1",
                "client_ca:ca.pem#2",
                "client_ca:bundle.pem#1",
                "client_ca:bundle.pem#2",
            ]
        );
    }
}
