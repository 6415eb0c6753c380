//! `[calendar]` and `[compliance]`: the working days that same-day receipt notices count in,
//! the urgent documents' tighter thresholds, and the report's score rule.

use lienthong_compliance::{Calendar, Rules, ScoreRule, UrgencyRules};
use lienthong_i18n::{Msg, msg};
use serde::Deserialize;

/// `[calendar]`: working days are Monday to Friday, except these holidays.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarSection {
    /// Days off on weekdays, `YYYY-MM-DD` (Tết, national holidays, make-up days off).
    pub holidays: Vec<String>,
    /// When the working day starts, `HH:MM` Vietnam time. Default 08:00.
    pub start_of_day: String,
    /// When it ends: a document received later is due the next working day. Default 17:00.
    pub end_of_day: String,
}

impl Default for CalendarSection {
    fn default() -> Self {
        CalendarSection {
            holidays: Vec::new(),
            start_of_day: "08:00".into(),
            end_of_day: "17:00".into(),
        }
    }
}

/// `[compliance]`: the score and the urgent thresholds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplianceSection {
    /// The share of documents sent with a valid signature that earns the full score. Default 0.9.
    pub signed_target: f64,
    /// The share of receipts notified the same working day that earns the full score. Default 0.9.
    pub same_day_target: f64,
    /// The weight of the signed share below its target. Default 0.5.
    pub signed_weight: f64,
    /// The weight of the same-day share below its target. Default 0.5.
    pub same_day_weight: f64,
    /// Working minutes within which a khẩn (priority 1) document's receipt is notified. Default 240; 0: the end-of-day rule only.
    pub khan_minutes: u32,
    /// The same for thượng khẩn (2). Default 120.
    pub thuong_khan_minutes: u32,
    /// The same for hỏa tốc (3). Default 60.
    pub hoa_toc_minutes: u32,
    /// The same for hỏa tốc hẹn giờ (4). Default 60.
    pub hoa_toc_hen_gio_minutes: u32,
    /// Time for a `scope=subtree` report: every gateway below answers within it or is named
    /// as missing, ms. Default 10 s.
    pub subtree_budget_ms: u64,
}

impl Default for ComplianceSection {
    fn default() -> Self {
        let s = ScoreRule::default();
        let u = UrgencyRules::default();
        let m = |i: usize| u.minutes[i].unwrap_or(0);
        ComplianceSection {
            signed_target: s.signed_target,
            same_day_target: s.same_day_target,
            signed_weight: s.signed_weight,
            same_day_weight: s.same_day_weight,
            khan_minutes: m(0),
            thuong_khan_minutes: m(1),
            hoa_toc_minutes: m(2),
            hoa_toc_hen_gio_minutes: m(3),
            subtree_budget_ms: 10_000,
        }
    }
}

impl ComplianceSection {
    /// The score rule.
    pub fn score(&self) -> ScoreRule {
        ScoreRule {
            signed_target: self.signed_target,
            same_day_target: self.same_day_target,
            signed_weight: self.signed_weight,
            same_day_weight: self.same_day_weight,
        }
    }
}

/// The rules the two sections give, or what is wrong with them (added to `problems`).
pub fn rules(
    calendar: &CalendarSection,
    compliance: &ComplianceSection,
    problems: &mut Vec<Msg>,
) -> Rules {
    let cal = Calendar::new(
        &calendar.holidays,
        &calendar.start_of_day,
        &calendar.end_of_day,
    )
    .unwrap_or_else(|e| {
        problems.push(super::problems::calendar(&e));
        Calendar::default()
    });
    let score = compliance.score();
    if let Err(e) = score.validate() {
        problems.push(super::problems::score(&score, e));
    }
    if !(1_000..=120_000).contains(&compliance.subtree_budget_ms) {
        problems.push(msg!(
            "config-subtree-budget",
            value = compliance.subtree_budget_ms.to_string()
        ));
    }
    let m = |v: u32| (v > 0).then_some(v);
    Rules {
        calendar: cal,
        urgency: UrgencyRules {
            minutes: [
                m(compliance.khan_minutes),
                m(compliance.thuong_khan_minutes),
                m(compliance.hoa_toc_minutes),
                m(compliance.hoa_toc_hen_gio_minutes),
            ],
        },
    }
}
