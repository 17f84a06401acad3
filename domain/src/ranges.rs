//! The ranges a number sent by a device must fall in: a point on Earth with a believable
//! accuracy, an instant of this century, an answer to a numeric question. The device checks them
//! before queueing and the server again on receipt, with these same functions, so a value the
//! phone accepts is one the server stores, and a crafted `-1`, `i64::MAX` or `1e308` is refused
//! by both.

use relais_protocol::GeoPoint;

/// The earliest instant a report, a change or an intervention may carry: 2020-01-01T00:00Z.
pub const MIN_TIME_MS: i64 = 1_577_836_800_000;
/// The instant after the last one accepted: 2100-01-01T00:00Z.
pub const END_TIME_MS: i64 = 4_102_444_800_000;

/// The largest accuracy radius of a position, in metres: beyond it, a position says nothing of
/// where the problem is.
pub const MAX_ACCURACY_M: f64 = 10_000.0;

/// The largest number a numeric answer may hold (a count, an area in m²...).
pub const MAX_NUMBER: f64 = 1_000_000.0;

/// Whether `ms` (milliseconds since the Unix epoch) is an instant of 2020-2099.
pub fn is_time(ms: i64) -> bool {
    (MIN_TIME_MS..END_TIME_MS).contains(&ms)
}

/// Whether `point` is a WGS84 latitude and longitude, with, if given, an accuracy from 0 to
/// [`MAX_ACCURACY_M`] metres.
pub fn is_point(point: &GeoPoint) -> bool {
    (-90.0..=90.0).contains(&point.lat)
        && (-180.0..=180.0).contains(&point.lon)
        && point
            .accuracy_m
            .is_none_or(|a| (0.0..=MAX_ACCURACY_M).contains(&a))
}

/// Whether `n` answers a numeric question: from 0 to [`MAX_NUMBER`], and a whole number when
/// the question asks for a count (`integer`).
pub fn is_number(n: f64, integer: bool) -> bool {
    (0.0..=MAX_NUMBER).contains(&n) && (!integer || n.fract() == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_outside_the_century_are_refused() {
        assert!(is_time(1_764_000_000_000));
        for bad in [-1, 0, MIN_TIME_MS - 1, END_TIME_MS, i64::MAX, i64::MIN] {
            assert!(!is_time(bad), "{bad}");
        }
    }

    #[test]
    fn points_need_real_coordinates_and_a_believable_accuracy() {
        let at = |lat, lon, accuracy_m| GeoPoint {
            lat,
            lon,
            accuracy_m,
        };
        assert!(is_point(&at(48.85, 2.35, None)));
        assert!(is_point(&at(48.85, 2.35, Some(0.0))));
        assert!(is_point(&at(-90.0, 180.0, Some(MAX_ACCURACY_M))));
        for bad in [
            at(f64::NAN, 2.35, None),
            at(48.85, f64::INFINITY, None),
            at(90.1, 2.35, None),
            at(48.85, -180.5, None),
            at(48.85, 2.35, Some(1e308)),
            at(48.85, 2.35, Some(-1.0)),
            at(48.85, 2.35, Some(f64::NAN)),
            at(48.85, 2.35, Some(MAX_ACCURACY_M + 1.0)),
        ] {
            assert!(!is_point(&bad), "{bad:?}");
        }
    }

    #[test]
    fn numbers_are_non_negative_bounded_and_whole_for_counts() {
        assert!(is_number(3.0, true));
        assert!(is_number(2.5, false));
        assert!(is_number(0.0, true));
        for (bad, integer) in [
            (-1.0, false),
            (2.5, true),
            (f64::NAN, false),
            (f64::INFINITY, false),
            (1e308, false),
            (MAX_NUMBER + 1.0, true),
        ] {
            assert!(!is_number(bad, integer), "{bad} integer={integer}");
        }
    }
}
