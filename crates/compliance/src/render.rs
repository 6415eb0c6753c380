//! The report as a terminal table, CSV and XLSX, all from one column list ([`COLUMNS`]) so
//! that the three never disagree.

use lienthong_i18n::{Lang, t};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use crate::calendar::Day;
use crate::report::{Report, Row};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// A count.
    Count,
    /// A share, 0–1 (empty when there is nothing to divide by).
    Ratio,
    /// The score, 0–1.
    Score,
}

/// One column: its key (as in the JSON), the catalog id of its heading, its kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The JSON field.
    pub key: &'static str,
    /// The id of its heading in the `report` catalog (`lienthong-i18n`).
    pub heading_id: &'static str,
    /// What it holds.
    pub kind: Kind,
}

const fn col(key: &'static str, heading_id: &'static str, kind: Kind) -> Column {
    Column {
        key,
        heading_id,
        kind,
    }
}

/// The report's columns, in order.
pub const COLUMNS: &[Column] = &[
    col("level", "report-col-level", Kind::Text),
    col("agency", "report-col-agency", Kind::Text),
    col("name", "report-col-name", Kind::Text),
    col("sent", "report-col-sent", Kind::Count),
    col("signed", "report-col-signed", Kind::Count),
    col("signed_ratio", "report-col-signed-ratio", Kind::Ratio),
    col("received", "report-col-received", Kind::Count),
    col("same_day", "report-col-same-day", Kind::Count),
    col("same_day_ratio", "report-col-same-day-ratio", Kind::Ratio),
    col("refused", "report-col-refused", Kind::Count),
    col("recalled", "report-col-recalled", Kind::Count),
    col("with_due", "report-col-with-due", Kind::Count),
    col("on_time", "report-col-on-time", Kind::Count),
    col("overdue_open", "report-col-overdue-open", Kind::Count),
    col("paper", "report-col-paper", Kind::Count),
    col("urgent", "report-col-urgent", Kind::Count),
    col("urgent_met", "report-col-urgent-met", Kind::Count),
    col("score", "report-col-score", Kind::Score),
];

impl Column {
    /// The heading in `lang`.
    pub fn heading(&self, lang: Lang) -> String {
        t!(lang, self.heading_id)
    }
}

/// A cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number (a count, a share or a score).
    Number(f64),
    /// Nothing (a share with nothing to divide by).
    Empty,
}

/// The value of `column` in `row`.
pub fn cell(row: &Row, column: &Column) -> Cell {
    let c = &row.tally.counts;
    let n = |v: u64| Cell::Number(v as f64);
    let share = |r: Option<f64>| r.map_or(Cell::Empty, Cell::Number);
    match column.key {
        "level" => Cell::Text(row.level.as_str().to_owned()),
        "agency" => Cell::Text(row.agency.clone()),
        "name" => Cell::Text(row.name.clone()),
        "sent" => n(c.sent),
        "signed" => n(c.signed),
        "signed_ratio" => share(row.signed_ratio),
        "received" => n(c.received),
        "same_day" => n(c.same_day),
        "same_day_ratio" => share(row.same_day_ratio),
        "refused" => n(c.refused),
        "recalled" => n(c.recalled),
        "with_due" => n(c.with_due),
        "on_time" => n(c.on_time),
        "overdue_open" => n(row.tally.overdue_open),
        "paper" => n(c.paper),
        "urgent" => n(c.urgent),
        "urgent_met" => n(c.urgent_met),
        "score" => Cell::Number(row.score),
        _ => Cell::Empty,
    }
}

/// The rows in print order: each group's rows then its total, then the overall total.
/// The flag marks total rows.
pub fn rows(report: &Report) -> Vec<(&Row, bool)> {
    let mut out = Vec::new();
    for g in &report.groups {
        out.extend(g.rows.iter().map(|r| (r, false)));
        out.push((&g.total, true));
    }
    out.push((&report.total, true));
    out
}

fn text_of(c: &Cell, kind: Kind) -> String {
    match (c, kind) {
        (Cell::Text(s), _) => s.clone(),
        (Cell::Empty, _) => String::new(),
        (Cell::Number(v), Kind::Ratio) => format!("{:.1} %", v * 100.0),
        (Cell::Number(v), Kind::Score) => format!("{v:.2}"),
        (Cell::Number(v), _) => format!("{v:.0}"),
    }
}

/// A day as the catalog writes dates in `lang` (`01/11/2026`, `2026-11-01`).
fn day_text(day: Day, lang: Lang) -> String {
    let d = day.date();
    t!(
        lang,
        "report-date",
        day = format!("{:02}", d.day()),
        month = format!("{:02}", d.month()),
        year = format!("{:04}", d.year()),
    )
}

/// The footer lines: the period, the formula, and any gateway missing.
pub fn footer(report: &Report, lang: Lang) -> Vec<String> {
    let mut out = vec![t!(
        lang,
        "report-period",
        from = day_text(report.from, lang),
        to = day_text(report.to, lang),
        scope = report.gateways.join(", "),
    )];
    out.push(report.formula.clone());
    for m in &report.missing {
        out.push(t!(
            lang,
            "report-missing",
            gateway = m.gateway.as_str(),
            reason = m.reason.as_str(),
        ));
    }
    out
}

/// The report as a plain-text table.
pub fn text(report: &Report, lang: Lang) -> String {
    let table: Vec<Vec<String>> =
        std::iter::once(COLUMNS.iter().map(|c| c.heading(lang)).collect())
            .chain(rows(report).into_iter().map(|(r, _)| {
                COLUMNS
                    .iter()
                    .map(|c| text_of(&cell(r, c), c.kind))
                    .collect()
            }))
            .collect();
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|i| {
            table
                .iter()
                .map(|r| r.get(i).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &table {
        let line: Vec<String> = row
            .iter()
            .zip(COLUMNS)
            .zip(&widths)
            .map(|((s, c), w)| {
                let pad = w.saturating_sub(s.chars().count());
                match c.kind {
                    Kind::Text => format!("{s}{}", " ".repeat(pad)),
                    _ => format!("{}{s}", " ".repeat(pad)),
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    for l in footer(report, lang) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The report as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read the
/// Vietnamese right): a header row, then the rows; shares as decimals (0–1, four places).
pub fn csv(report: &Report, lang: Lang) -> String {
    let mut out = String::from("\u{feff}");
    let head: Vec<String> = COLUMNS
        .iter()
        .map(|c| csv_field(&c.heading(lang)))
        .collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for (r, _) in rows(report) {
        let line: Vec<String> = COLUMNS
            .iter()
            .map(|c| match cell(r, c) {
                Cell::Text(s) => csv_field(&s),
                Cell::Empty => String::new(),
                Cell::Number(v) => match c.kind {
                    Kind::Ratio | Kind::Score => format!("{v:.4}"),
                    _ => format!("{v:.0}"),
                },
            })
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The report as an XLSX workbook: a bold header row, frozen panes below it and right of
/// the agency code, number formats (counts, percentages, the score), bold total rows, and
/// the footer under the table.
pub fn xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(t!(lang, "report-sheet"))?;
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let count = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    let score = Format::new().set_num_format("0.00");
    let bold = |f: &Format| f.clone().set_bold();
    for (i, c) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, c.heading(lang), &head)?;
        let width = match c.key {
            "name" => 40.0,
            "agency" => 16.0,
            _ => 12.0,
        };
        ws.set_column_width(col, width)?;
    }
    ws.set_row_height(0, 45)?;
    ws.set_freeze_panes(1, 2)?;
    let mut row_no: u32 = 1;
    for (r, total) in rows(report) {
        for (i, c) in COLUMNS.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            let base = match c.kind {
                Kind::Count => count.clone(),
                Kind::Ratio => pct.clone(),
                Kind::Score => score.clone(),
                Kind::Text => Format::new(),
            };
            let f = if total { bold(&base) } else { base };
            match cell(r, c) {
                Cell::Text(s) => ws.write_string_with_format(row_no, col, &s, &f)?,
                Cell::Number(v) => ws.write_number_with_format(row_no, col, v, &f)?,
                Cell::Empty => ws.write_blank(row_no, col, &f)?,
            };
        }
        row_no += 1;
    }
    row_no += 1;
    for l in footer(report, lang) {
        ws.write_string(row_no, 0, &l)?;
        row_no += 1;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::facts::Counts;
    use crate::report::{AgencyInfo, Level, Missing, ScoreRule, Tally, build};

    fn sample() -> Report {
        let mut t = BTreeMap::new();
        t.insert(
            "000.00.01.H50".to_owned(),
            Tally {
                counts: Counts {
                    sent: 4,
                    signed: 3,
                    received: 2,
                    same_day: 1,
                    ..Counts::default()
                },
                overdue_open: 1,
            },
        );
        let mut r = build(
            ("2026-11-01".parse().unwrap(), "2026-11-30".parse().unwrap()),
            &t,
            |_| AgencyInfo {
                name: "Sở Nội vụ, \"Quảng Trị\"".into(),
                level: Level::Department,
            },
            &ScoreRule::default(),
            Lang::Vi,
        );
        r.gateways = vec!["gw-h50".into()];
        r.missing.push(Missing {
            gateway: "gw-xa".into(),
            reason: "connection refused".into(),
        });
        r
    }

    #[test]
    fn csv_quotes_and_orders() {
        let s = csv(&sample(), Lang::Vi);
        assert!(s.starts_with('\u{feff}'));
        let lines: Vec<&str> = s.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0].starts_with("Cấp,Mã định danh,Tên cơ quan,Văn bản đi điện tử"));
        assert!(
            lines[1].contains("\"Sở Nội vụ, \"\"Quảng Trị\"\"\""),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(",4,3,0.7500,2,1,0.5000,"), "{}", lines[1]);
        assert_eq!(
            lines.len(),
            5,
            "header, row, group total, total, trailing empty"
        );
    }

    #[test]
    fn text_has_the_footer_and_the_missing_gateway() {
        let s = text(&sample(), Lang::Vi);
        assert!(s.contains("75.0 %"));
        assert!(s.contains("THIẾU số liệu của cổng gw-xa: connection refused"));
        assert!(s.contains("Kỳ báo cáo: 01/11/2026 – 30/11/2026"));
        let en = text(&sample(), Lang::En);
        assert!(en.contains("Signed share") && en.contains("MISSING"));
    }

    #[test]
    fn xlsx_is_a_zip() {
        let b = xlsx(&sample(), Lang::Vi).unwrap();
        assert_eq!(&b[..2], b"PK");
    }
}
