//! Compliance reports and what is overdue.
//!
//! - `GET /v1/reports/agencies` (operators): per agency, for a period, the figures provinces
//!   report, grouped by level, as JSON, CSV or XLSX. With `scope=subtree` the gateways below
//!   are asked too (`GET /v1/reports/gateway` over the relay link, each answer signed like a
//!   receipt and bounded in time); a gateway that does not answer is named in `missing`.
//! - `GET /v1/overdue` (operators) and `GET /v1/inbox/overdue` (an agency's DMS, its own):
//!   receipt notices and completions owed past their deadline.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lienthong_compliance::render;
use lienthong_compliance::{AgencyInfo, Day, Lang, Level, Missing, Period, Report, Tally};
use lienthong_edxml::AgencyCode;
use lienthong_i18n::msg;
use lienthong_store::{MessageId, Overdue, Sha256};
use lienthong_types::Code;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::extract::{AgencyPeer, ApiQuery, GatewayPeer, ReaderPeer, page_limit};
use crate::error::ApiError;
use crate::state::{AppState, Shared, blocking};

/// The longest period one report covers (ten years).
const MAX_DAYS: u32 = 3_660;
/// The largest answer read from a gateway below.
const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
/// How many gateways down a subtree report goes.
const MAX_DEPTH: u32 = 16;
/// What each level keeps of the time left, to answer in.
const MARGIN_MS: u64 = 300;

/// `GET /v1/reports/agencies`.
#[derive(Debug, Deserialize)]
pub(crate) struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    month: Option<String>,
    quarter: Option<String>,
    scope: Option<String>,
    format: Option<String>,
    lang: Option<String>,
}

fn bad(m: lienthong_i18n::Msg) -> ApiError {
    ApiError::new(Code::RequestBadRequest, m)
}

/// `name=value` is not one of `choices` (the parameter in `detail.parameter`).
fn bad_choice(name: &'static str, value: &str, choices: &'static str) -> ApiError {
    bad(msg!(
        "api-bad-choice",
        name = name,
        value = value,
        choices = choices
    ))
    .with(json!({"parameter": name}))
}

/// `name=value` is not valid, and why (a parser's English text, as `detail.reason`).
fn bad_value(name: &'static str, value: &str, why: impl std::fmt::Display) -> ApiError {
    bad(msg!("api-bad-value", name = name, value = value))
        .with(json!({"parameter": name}))
        .because(why)
}

/// The period asked for: `from` and `to`, or `month`, or `quarter`.
fn period(q: &ReportQuery) -> Result<(Day, Day), ApiError> {
    let p = match (&q.from, &q.to, &q.month, &q.quarter) {
        (Some(f), Some(t), None, None) => Period {
            from: f.parse().map_err(|e| bad_value("from", f, e))?,
            to: t.parse().map_err(|e| bad_value("to", t, e))?,
        },
        (None, None, Some(m), None) => Period::month(m).map_err(|e| bad_value("month", m, e))?,
        (None, None, None, Some(qq)) => {
            Period::quarter(qq).map_err(|e| bad_value("quarter", qq, e))?
        }
        _ => {
            return Err(bad(msg!("api-period-how")));
        }
    };
    checked(p)
}

/// `p` as `(from, to)`, if it runs forward and spans at most [`MAX_DAYS`].
fn checked(p: Period) -> Result<(Day, Day), ApiError> {
    if p.to < p.from {
        return Err(bad(msg!(
            "api-period-reversed",
            from = p.from.to_string(),
            to = p.to.to_string()
        )));
    }
    if p.days() > MAX_DAYS {
        return Err(bad(msg!("api-period-too-long", max = MAX_DAYS)));
    }
    Ok((p.from, p.to))
}

fn lang(q: Option<&str>) -> Result<Lang, ApiError> {
    match q {
        None => Ok(Lang::Vi),
        Some(l) => Lang::parse(l).ok_or_else(|| bad_choice("lang", l, "vi, en")),
    }
}

/// What one gateway (and those below it) reports: whose figures are in, who is missing, and
/// each agency's tally.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Part {
    gateway: String,
    from: Day,
    to: Day,
    gateways: Vec<String>,
    missing: Vec<Missing>,
    tallies: BTreeMap<String, Tally>,
}

impl Part {
    fn merge(&mut self, other: Part) {
        self.gateways.extend(other.gateways);
        self.missing.extend(other.missing);
        for (code, t) in other.tallies {
            self.tallies.entry(code).or_default().add(&t);
        }
    }
}

/// This gateway's own figures: every agency homed here (zeros when it did nothing: a
/// report must show who did not take part), and any other agency with activity here,
/// aliases folded into their main codes.
fn local_part(s: &AppState, from: Day, to: Day) -> Result<Part, ApiError> {
    let dir = s.directory();
    let today = Day::of(s.clock.now());
    let counts = s.store.agency_counts(from, to)?;
    let overdue = s.store.overdue_open(from, to, today)?;
    let main = |code: &str| match AgencyCode::parse(code) {
        Ok(c) => dir.main_code(&c).to_string(),
        Err(_) => code.to_owned(),
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for a in dir.agencies_at(&s.id) {
        tallies.entry(a.code.to_string()).or_default();
    }
    for (code, c) in counts {
        tallies.entry(main(&code)).or_default().counts.add(&c);
    }
    for (code, n) in overdue {
        let t = tallies.entry(main(&code)).or_default();
        t.overdue_open = t.overdue_open.saturating_add(n);
    }
    Ok(Part {
        gateway: s.id.to_string(),
        from,
        to,
        gateways: vec![s.id.to_string()],
        missing: Vec::new(),
        tallies,
    })
}

/// This gateway's figures and, for a subtree, those of the gateways below, each child asked
/// concurrently and within `deadline`.
async fn gather(
    s: &Shared,
    from: Day,
    to: Day,
    depth: u32,
    deadline: Instant,
) -> Result<Part, ApiError> {
    let st = s.clone();
    let mut part = blocking(move || local_part(&st, from, to)).await?;
    let dir = s.directory();
    let children: Vec<String> = dir.children(&s.id).map(ToString::to_string).collect();
    if depth == 0 || children.is_empty() {
        return Ok(part);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for child in children {
        let s = s.clone();
        tasks.spawn(async move {
            let answer = ask_child(&s, &child, from, to, depth - 1, deadline).await;
            (child, answer)
        });
    }
    while let Some(done) = tasks.join_next().await {
        let Ok((child, answer)) = done else {
            continue;
        };
        match answer {
            Ok(p) => part.merge(p),
            Err(reason) => part.missing.push(Missing {
                gateway: child,
                reason,
            }),
        }
    }
    part.gateways.sort();
    part.missing.sort_by(|a, b| a.gateway.cmp(&b.gateway));
    Ok(part)
}

/// Ask gateway `child` for its (subtree's) figures and check its signed answer.
async fn ask_child(
    s: &Shared,
    child: &str,
    from: Day,
    to: Day,
    depth: u32,
    deadline: Instant,
) -> Result<Part, String> {
    let url = s
        .peer_urls
        .get(child)
        .cloned()
        .ok_or("no URL for this gateway")?;
    let client = crate::net::client(&s.tls, child, crate::net::CONNECT_LIMIT, s.clock.clone())
        .ok_or("no client TLS configuration")?;
    let left = deadline.saturating_duration_since(Instant::now());
    let budget = left.saturating_sub(Duration::from_millis(MARGIN_MS));
    let nonce = MessageId::new_v7(s.clock.now());
    let path = format!(
        "/v1/reports/gateway?from={from}&to={to}&depth={depth}&budget_ms={}&nonce={nonce}",
        budget.as_millis()
    );
    let body = tokio::time::timeout(
        left,
        super::tracking::peer_get(&client, &url, &path, MAX_ANSWER_BYTES),
    )
    .await
    .unwrap_or_else(|_| Err("did not answer in time".to_owned()))?;
    let signed: Value =
        serde_json::from_slice(&body).map_err(|e| format!("unreadable answer: {e}"))?;
    let (Some(answer), Some(receipt)) = (signed["answer"].as_str(), signed["receipt"].as_str())
    else {
        return Err("the answer has no signed figures".into());
    };
    let snap = s.snapshot();
    crate::core::receipt::check_receipt(
        receipt.as_bytes(),
        crate::core::receipt::Expected {
            hop: child,
            id: nonce,
            sha256: Sha256::digest(answer.as_bytes()),
        },
        &snap.gateway_trust,
        s.clock.now(),
    )
    .map_err(|e| format!("its signature over the figures does not hold: {e}"))?;
    let part: Part =
        serde_json::from_str(answer).map_err(|e| format!("unreadable figures: {e}"))?;
    if part.gateway != child || part.from != from || part.to != to {
        return Err("answered for another gateway or period".into());
    }
    Ok(part)
}

/// The directory's name and level of each agency (the code itself and `other` for one it
/// does not know).
fn info(s: &AppState) -> impl Fn(&str) -> AgencyInfo + use<> {
    let dir = s.directory();
    move |code: &str| {
        let known = dir.agency_by_text(code);
        AgencyInfo {
            name: known
                .as_ref()
                .map_or_else(|| code.to_owned(), |a| a.name.clone()),
            level: known
                .as_ref()
                .and_then(|a| Level::parse(a.level()))
                .unwrap_or(Level::Other),
        }
    }
}

/// `GET /v1/reports/agencies?from=&to=|month=|quarter=&scope=gateway|subtree&format=json|csv|xlsx&lang=vi|en`.
pub(crate) async fn agency_report(
    State(s): State<Shared>,
    _: ReaderPeer,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = period(&q)?;
    let lang = lang(q.lang.as_deref())?;
    let depth = match q.scope.as_deref() {
        None | Some("gateway") => 0,
        Some("subtree") => MAX_DEPTH,
        Some(other) => return Err(bad_choice("scope", other, "gateway, subtree")),
    };
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "xlsx") {
        return Err(bad_choice("format", format, "json, csv, xlsx"));
    }
    let deadline = Instant::now() + Duration::from_millis(s.compliance.subtree_budget_ms);
    let part = gather(&s, from, to, depth, deadline).await?;
    let mut report: Report = lienthong_compliance::build(
        (from, to),
        &part.tallies,
        info(&s),
        &s.compliance.score(),
        lang,
    );
    report.scope = if depth == 0 { "gateway" } else { "subtree" }.into();
    report.gateways = part.gateways;
    report.missing = part.missing;
    let name = format!("bao-cao-lien-thong_{from}_{to}");
    let file = |bytes: Vec<u8>, mime: &'static str, ext: &str| {
        let mut r = bytes.into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        r
    };
    Ok(match format {
        "csv" => file(
            render::csv(&report, lang).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        "xlsx" => file(
            render::xlsx(&report, lang).map_err(ApiError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => Json(report).into_response(),
    })
}

/// `GET /v1/reports/gateway` (for the parent gateway, over the relay link).
#[derive(Debug, Deserialize)]
pub(crate) struct GatewayReportQuery {
    from: String,
    to: String,
    depth: Option<u32>,
    budget_ms: Option<u64>,
    nonce: String,
}

/// The figures of this gateway (and, to `depth` more levels, those below it), for its
/// parent: signed with the receipt key over the exact answer, the parent's nonce as the
/// receipt's message id.
pub(crate) async fn gateway_report(
    State(s): State<Shared>,
    GatewayPeer(caller): GatewayPeer,
    ApiQuery(q): ApiQuery<GatewayReportQuery>,
) -> Result<Response, ApiError> {
    let snap = s.snapshot();
    if snap.directory.parent(&s.id) != Some(&caller) {
        return Err(ApiError::new(Code::AuthForbidden, msg!("api-parent-only")));
    }
    let (from, to) = checked(Period {
        from: q.from.parse().map_err(|e| bad_value("from", &q.from, e))?,
        to: q.to.parse().map_err(|e| bad_value("to", &q.to, e))?,
    })?;
    let nonce: MessageId = q
        .nonce
        .parse()
        .map_err(|e| bad_value("nonce", &q.nonce, e))?;
    let budget = q
        .budget_ms
        .unwrap_or(s.compliance.subtree_budget_ms)
        .min(s.compliance.subtree_budget_ms);
    let deadline = Instant::now() + Duration::from_millis(budget);
    let depth = q.depth.unwrap_or(0).min(MAX_DEPTH);
    let part = gather(&s, from, to, depth, deadline).await?;
    let answer = serde_json::to_string(&part).map_err(ApiError::internal)?;
    let receipt = crate::core::receipt::issue_receipt(
        &snap,
        nonce,
        Sha256::digest(answer.as_bytes()),
        0,
        s.clock.now(),
    )
    .map_err(ApiError::internal)?;
    Ok(Json(json!({
        "answer": answer,
        "receipt": String::from_utf8_lossy(&receipt),
    }))
    .into_response())
}

/// `GET /v1/overdue?agency=&limit=`.
#[derive(Debug, Deserialize)]
pub(crate) struct OverdueQuery {
    agency: Option<String>,
    limit: Option<usize>,
}

/// What is overdue, with agency names: for `queue overdue` and the console.
fn overdue_view(s: &AppState, o: Overdue) -> Value {
    let snap = s.snapshot();
    let name = |code: &str| super::view::agency_name(&snap, code);
    let rows = |items: &[lienthong_store::OverdueItem]| -> Vec<Value> {
        items
            .iter()
            .map(|i| {
                let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
                v["agency_name"] = json!(name(&i.agency));
                v["sender_name"] = json!(name(&i.sender));
                v
            })
            .collect()
    };
    json!({
        "gateway": s.id.to_string(),
        "notices": rows(&o.notices),
        "notices_total": o.notices_total,
        "completions": rows(&o.dues),
        "completions_total": o.dues_total,
    })
}

/// `GET /v1/overdue`: receipt notices past the end of their working day (or an urgent
/// document's threshold) and completions past the due date, of one agency or all.
pub(crate) async fn overdue(
    State(s): State<Shared>,
    _: ReaderPeer,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> Result<Response, ApiError> {
    let agency = match q.agency.as_deref() {
        None => None,
        Some(a) => Some(
            AgencyCode::parse(a)
                .map(|c| s.directory().main_code(&c).to_string())
                .map_err(|e| bad_value("agency", a, e))?,
        ),
    };
    let (st, limit) = (s.clone(), page_limit(q.limit)?);
    let o =
        blocking(move || Ok(st.store.overdue(st.clock.now(), agency.as_deref(), limit)?)).await?;
    Ok(Json(overdue_view(&s, o)).into_response())
}

/// `GET /v1/inbox/overdue`: what the calling agency owes past its deadlines.
pub(crate) async fn inbox_overdue(
    State(s): State<Shared>,
    peer: AgencyPeer,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> Result<Response, ApiError> {
    if q.agency.is_some() {
        return Err(bad(msg!("api-own-only")));
    }
    let agency = peer.main(&s.snapshot()).to_string();
    let (st, limit) = (s.clone(), page_limit(q.limit)?);
    let o = blocking(move || Ok(st.store.overdue(st.clock.now(), Some(&agency), limit)?)).await?;
    Ok(Json(overdue_view(&s, o)).into_response())
}
