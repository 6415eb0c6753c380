//! Times as a person reads them: Vietnam time (UTC+7, no daylight saving), `dd/MM/yyyy
//! HH:mm`, in both languages. JSON carries RFC 3339 instead (`Timestamp`'s own form).

use lienthong_types::Timestamp;

/// Vietnam's offset from UTC, in milliseconds.
const VIETNAM_MS: u64 = 7 * 3_600_000;

/// `06/12/2026 08:52`: the time in Vietnam.
pub fn human_time(t: Timestamp) -> String {
    let local = Timestamp::from_millis(t.as_millis().saturating_add(VIETNAM_MS));
    // The UTC text of the shifted time is the local wall clock.
    let iso = local.to_rfc3339();
    format!(
        "{}/{}/{} {}",
        &iso[8..10],
        &iso[5..7],
        &iso[0..4],
        &iso[11..16]
    )
}

/// `06/12/2026`: the day in Vietnam.
pub fn human_day(t: Timestamp) -> String {
    human_time(t)[..10].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_vietnam_time_day_first() {
        let t = Timestamp::parse_rfc3339("2026-12-05T17:30:59.999Z").unwrap();
        assert_eq!(human_time(t), "06/12/2026 00:30");
        assert_eq!(human_day(t), "06/12/2026");
        assert_eq!(human_time(Timestamp::ZERO), "01/01/1970 07:00");
        assert_eq!(human_time(Timestamp::MAX), "31/12/9999 23:59");
    }
}
