//! Dates and places as a person types and reads them: local date-times for the timeline, a
//! planned day (`YYYY-MM-DD`) for a schedule, a position as `LAT,LON`.

use chrono::{DateTime, Local, NaiveDate};
use shared::model::lists::Position;

/// `2026-12-02 14:05`, in the machine's time zone.
pub fn local(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// The day `YYYY-MM-DD`, as noon UTC: the same calendar day in every time zone of a town.
pub fn day(text: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(12, 0, 0)?.and_utc().timestamp_millis())
}

/// `LAT,LON` in WGS84 degrees.
pub fn position(text: &str) -> Option<Position> {
    let (lat, lon) = text.split_once(',')?;
    Some(Position {
        lat: lat.trim().parse().ok()?,
        lon: lon.trim().parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_positions_are_read_as_typed() {
        assert_eq!(day("2027-01-15"), Some(1_800_014_400_000));
        assert!(day("15/01/2027").is_none());
        let p = position("48.8566, 2.3522").unwrap();
        assert!((p.lat - 48.8566).abs() < 1e-9 && (p.lon - 2.3522).abs() < 1e-9);
        assert!(position("48.8566").is_none());
    }
}
