//! Dates and places as a person types and reads them: local date-times for the timeline, a
//! planned day (`YYYY-MM-DD`) for a schedule, a position as `LAT,LON`.

use chrono::{DateTime, Local};
use shared::model::lists::Position;

/// `2026-12-02 14:05`, in the machine's time zone.
pub fn local(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
    )
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
    fn positions_are_read_as_typed() {
        let p = position("48.8566, 2.3522").unwrap();
        assert!((p.lat - 48.8566).abs() < 1e-9 && (p.lon - 2.3522).abs() < 1e-9);
        assert!(position("48.8566").is_none());
    }
}
