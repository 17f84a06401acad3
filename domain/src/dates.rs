//! A planned day as staff type it (`YYYY-MM-DD`, in the CLI or the back office's date field),
//! stored as noon UTC: the same calendar day in every time zone of a town.

use chrono::NaiveDate;

/// The day `YYYY-MM-DD`, as milliseconds since the Unix epoch at noon UTC.
pub fn planned_day(text: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(12, 0, 0)?.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_read_as_typed_and_kept_at_noon_utc() {
        assert_eq!(planned_day("2027-01-15"), Some(1_800_014_400_000));
        assert_eq!(planned_day(" 2027-01-15 "), Some(1_800_014_400_000));
        assert!(planned_day("15/01/2027").is_none());
        assert!(planned_day("").is_none());
    }
}
