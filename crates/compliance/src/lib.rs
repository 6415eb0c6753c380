//! # lienthong-compliance
//!
//! Compliance the way provinces report it, without IO:
//! - [`calendar`]: working days and hours in Vietnam time, and the deadlines they imply (a
//!   receipt notice by the end of the working day, tighter ones for urgent documents);
//! - [`facts`]: what is kept per document and recipient ([`DocFacts`]), how it changes, and
//!   what it adds to each agency's per-day [`Counts`];
//! - [`report`]: the per-agency report for a period, grouped by level, with totals and a score;
//! - [`render`]: the report as a terminal table, CSV and XLSX.
//!
//! Every heading, label and sentence a person reads comes from the `report` catalog of
//! `lienthong-i18n`, in Vietnamese (the default) or English ([`Lang`]).
//!
//! The store keeps the facts and the counts in the same commit as the messages they describe
//! (`lienthong-store`); the gateway builds reports from the counts (`lienthong-gateway`).

pub mod calendar;
pub mod facts;
pub mod render;
pub mod report;

pub use calendar::{Calendar, CalendarError, Day, Month, ParseDayError, Period, TimeOfDay};
pub use facts::{Counts, DocFacts, Notice, Receipt, Rules, UrgencyRules, clip};
pub use lienthong_i18n::Lang;
pub use report::{AgencyInfo, Group, Level, Missing, Report, Row, ScoreRule, Tally, build};
