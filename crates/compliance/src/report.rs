//! The report: one row per agency for a period, grouped by level of government, with a
//! total per group and overall, and a score from a configurable rule. Built from summed
//! [`Counts`]; rendered by [`crate::render`].

use std::collections::BTreeMap;
use std::fmt;

use lienthong_i18n::{Lang, t};
use serde::{Deserialize, Serialize};

use crate::calendar::Day;
use crate::facts::Counts;

/// The level of government an agency reports under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Ministries and central bodies.
    Central,
    /// The province (UBND tỉnh and its office).
    Province,
    /// Provincial departments (sở, ban, ngành).
    Department,
    /// Districts (before 1 July 2025).
    District,
    /// Communes, wards, special zones.
    Commune,
    /// Anything else.
    Other,
}

impl Level {
    /// Every level, in report order.
    pub const ALL: [Level; 6] = [
        Level::Central,
        Level::Province,
        Level::Department,
        Level::District,
        Level::Commune,
        Level::Other,
    ];

    /// The name in files and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Central => "central",
            Level::Province => "province",
            Level::Department => "department",
            Level::District => "district",
            Level::Commune => "commune",
            Level::Other => "other",
        }
    }

    /// A level name (`central`, `province`, `department`, `district`, `commune`, `other`).
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The heading of its group, in `lang`.
    pub fn heading(self, lang: Lang) -> String {
        let id = match self {
            Level::Central => "report-level-central",
            Level::Province => "report-level-province",
            Level::Department => "report-level-department",
            Level::District => "report-level-district",
            Level::Commune => "report-level-commune",
            Level::Other => "report-level-other",
        };
        t!(lang, id)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the score is computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreRule {
    /// The signed share of documents sent that earns the full score.
    pub signed_target: f64,
    /// The same-day share of receipt notices that earns the full score.
    pub same_day_target: f64,
    /// The weight of the signed share below its target.
    pub signed_weight: f64,
    /// The weight of the same-day share below its target.
    pub same_day_weight: f64,
}

impl Default for ScoreRule {
    fn default() -> ScoreRule {
        ScoreRule {
            signed_target: 0.9,
            same_day_target: 0.9,
            signed_weight: 0.5,
            same_day_weight: 0.5,
        }
    }
}

/// `part / whole`, or `None` when there is no whole.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl ScoreRule {
    /// Whether the rule can be used: targets in (0, 1], weights ≥ 0 and not both 0.
    pub fn validate(&self) -> Result<(), String> {
        for (name, t) in [
            ("signed_target", self.signed_target),
            ("same_day_target", self.same_day_target),
        ] {
            if !(t > 0.0 && t <= 1.0) {
                return Err(format!("{name} = {t}: a share above 0, at most 1"));
            }
        }
        let (a, b) = (self.signed_weight, self.same_day_weight);
        if !(a >= 0.0 && b >= 0.0 && a + b > 0.0 && a.is_finite() && b.is_finite()) {
            return Err(format!(
                "signed_weight = {a}, same_day_weight = {b}: weights of 0 or more, not both 0"
            ));
        }
        Ok(())
    }

    /// The score of one row: 0 for an agency that sent nothing; 1 when both shares reach
    /// their targets; otherwise the weighted mean of each share over its target (each
    /// capped at 1). An agency that received nothing has nothing to notify: its same-day
    /// share counts as met. Rounded to 4 decimals.
    pub fn score(&self, c: &Counts) -> f64 {
        let Some(signed) = ratio(c.signed, c.sent) else {
            return 0.0;
        };
        let same_day = ratio(c.same_day, c.received).unwrap_or(1.0);
        let s = if signed >= self.signed_target && same_day >= self.same_day_target {
            1.0
        } else {
            let part = |r: f64, t: f64| (r / t).min(1.0);
            (self.signed_weight * part(signed, self.signed_target)
                + self.same_day_weight * part(same_day, self.same_day_target))
                / (self.signed_weight + self.same_day_weight)
        };
        (s * 10_000.0).round() / 10_000.0
    }

    /// The rule in words, for the report's footer. The shares are written as whole
    /// percentages (`90 %`) and the weights as Rust writes them (`0.5`), in both languages.
    pub fn describe(&self, lang: Lang) -> String {
        let pct = |x: f64| format!("{:.0} %", x * 100.0);
        t!(
            lang,
            "report-formula",
            signed_target = pct(self.signed_target),
            same_day_target = pct(self.same_day_target),
            signed_weight = self.signed_weight.to_string(),
            same_day_weight = self.same_day_weight.to_string(),
            weights = (self.signed_weight + self.same_day_weight).to_string(),
        )
    }
}

/// The directory's view of an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyInfo {
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: Level,
}

/// What one agency did over the period, as a gateway reports it (and a parent merges).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Summed counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// Documents received in the period, past their due date and not completed.
    pub overdue_open: u64,
}

impl Tally {
    /// Add another tally.
    pub fn add(&mut self, other: &Tally) {
        self.counts.add(&other.counts);
        self.overdue_open = self.overdue_open.saturating_add(other.overdue_open);
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The agency code (empty for a total row).
    pub agency: String,
    /// Its name, or the total's label.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// The figures.
    #[serde(flatten)]
    pub tally: Tally,
    /// `signed / sent`.
    pub signed_ratio: Option<f64>,
    /// `same_day / received`.
    pub same_day_ratio: Option<f64>,
    /// The score.
    pub score: f64,
}

impl Row {
    fn new(agency: String, name: String, level: Level, tally: Tally, rule: &ScoreRule) -> Row {
        let c = &tally.counts;
        Row {
            signed_ratio: ratio(c.signed, c.sent),
            same_day_ratio: ratio(c.same_day, c.received),
            score: rule.score(c),
            agency,
            name,
            level,
            tally,
        }
    }
}

/// The agencies of one level, and their total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The level.
    pub level: Level,
    /// Its heading.
    pub heading: String,
    /// One row per agency, by code.
    pub rows: Vec<Row>,
    /// The group's total.
    pub total: Row,
}

/// A gateway whose figures are missing from a subtree report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    /// The gateway.
    pub gateway: String,
    /// Why.
    pub reason: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// First day (Vietnam time).
    pub from: Day,
    /// Last day, included.
    pub to: Day,
    /// `gateway` or `subtree`.
    pub scope: String,
    /// The gateways whose figures are in it.
    pub gateways: Vec<String>,
    /// The gateways that could not be asked, each with why. A report with any is partial.
    pub missing: Vec<Missing>,
    /// The groups, in level order; empty levels are left out.
    pub groups: Vec<Group>,
    /// The overall total.
    pub total: Row,
    /// The score rule.
    pub rule: ScoreRule,
    /// The score rule, in words.
    pub formula: String,
}

/// Build the report for `period` from each agency's tally (agency codes already folded to
/// main codes, so each appears once).
pub fn build(
    period: (Day, Day),
    tallies: &BTreeMap<String, Tally>,
    info: impl Fn(&str) -> AgencyInfo,
    rule: &ScoreRule,
    lang: Lang,
) -> Report {
    let mut by_level: BTreeMap<Level, Vec<Row>> = BTreeMap::new();
    for (code, t) in tallies {
        let i = info(code);
        by_level.entry(i.level).or_default().push(Row::new(
            code.clone(),
            i.name,
            i.level,
            t.clone(),
            rule,
        ));
    }
    let total_label = |what: &str| t!(lang, "report-group-total", what = what);
    let mut all = Tally::default();
    let groups: Vec<Group> = by_level
        .into_iter()
        .map(|(level, rows)| {
            let mut sum = Tally::default();
            for r in &rows {
                sum.add(&r.tally);
            }
            all.add(&sum);
            let heading = level.heading(lang);
            Group {
                level,
                total: Row::new(
                    String::new(),
                    total_label(&heading.to_lowercase()),
                    level,
                    sum,
                    rule,
                ),
                heading,
                rows,
            }
        })
        .collect();
    let overall = t!(lang, "report-total");
    Report {
        from: period.0,
        to: period.1,
        scope: "gateway".into(),
        gateways: Vec::new(),
        missing: Vec::new(),
        groups,
        total: Row::new(String::new(), overall, Level::Other, all, rule),
        rule: *rule,
        formula: rule.describe(lang),
    }
}

impl Report {
    /// Every agency row with its tally (for a parent gateway to merge).
    pub fn tallies(&self) -> impl Iterator<Item = (&str, &Tally)> {
        self.groups
            .iter()
            .flat_map(|g| g.rows.iter())
            .map(|r| (r.agency.as_str(), &r.tally))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(sent: u64, signed: u64, received: u64, same_day: u64) -> Counts {
        Counts {
            sent,
            signed,
            received,
            same_day,
            ..Counts::default()
        }
    }

    #[test]
    fn the_default_score() {
        let r = ScoreRule::default();
        assert_eq!(r.score(&c(0, 0, 10, 10)), 0.0, "sent nothing");
        assert_eq!(r.score(&c(10, 9, 10, 9)), 1.0, "both at target");
        assert_eq!(r.score(&c(10, 10, 0, 0)), 1.0, "received nothing");
        // signed 45 % (half the target), same day 90 %: (0.5 × 0.5 + 0.5 × 1) = 0.75
        assert_eq!(r.score(&c(20, 9, 10, 9)), 0.75);
        assert_eq!(r.score(&c(10, 0, 10, 0)), 0.0);
        assert!(r.describe(Lang::Vi).contains("90 %"));
        assert!(
            ScoreRule {
                signed_target: 0.0,
                ..r
            }
            .validate()
            .is_err()
        );
        assert!(
            ScoreRule {
                signed_weight: 0.0,
                same_day_weight: 0.0,
                ..r
            }
            .validate()
            .is_err()
        );
        assert!(
            ScoreRule {
                same_day_weight: f64::NAN,
                ..r
            }
            .validate()
            .is_err()
        );
        assert!(r.validate().is_ok());
    }

    #[test]
    fn rows_are_grouped_by_level_with_totals() {
        let mut t = BTreeMap::new();
        for (code, sent) in [("A", 2), ("B", 3), ("C", 5)] {
            t.insert(
                code.to_owned(),
                Tally {
                    counts: c(sent, sent, 0, 0),
                    overdue_open: 1,
                },
            );
        }
        let info = |code: &str| AgencyInfo {
            name: format!("Cơ quan {code}"),
            level: if code == "A" {
                Level::Province
            } else {
                Level::Commune
            },
        };
        let rep = build(
            ("2026-11-01".parse().unwrap(), "2026-11-30".parse().unwrap()),
            &t,
            info,
            &ScoreRule::default(),
            Lang::Vi,
        );
        assert_eq!(rep.groups.len(), 2);
        assert_eq!(rep.groups[0].level, Level::Province);
        assert_eq!(rep.groups[1].rows.len(), 2);
        assert_eq!(rep.groups[1].total.tally.counts.sent, 8);
        assert_eq!(rep.groups[1].total.tally.overdue_open, 2);
        assert_eq!(rep.total.tally.counts.sent, 10);
        assert_eq!(rep.total.name, "Tổng cộng");
        assert_eq!(rep.tallies().count(), 3);
        let json = serde_json::to_value(&rep).unwrap();
        assert_eq!(json["groups"][1]["rows"][0]["sent"], 3);
        assert_eq!(json["groups"][1]["rows"][0]["level"], "commune");
    }
}
