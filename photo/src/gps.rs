//! Reads where a photo was taken from its EXIF GPS block, so that the app can offer it as the
//! report's location (FixMyStreet offers the first photo's). Only ever *offered*: the citizen
//! confirms or moves the pin.
//!
//! A missing or unusable block gives `None`: no GPS tags, a missing hemisphere reference, a zero
//! denominator, coordinates out of range, or exactly (0, 0), which is what phones write in an
//! "empty" GPS block when they had no fix.

use std::io::Cursor;

use exif::{Exif, In, Rational, Reader, Tag, Value};
use relais_protocol::GeoPoint;

/// The EXIF GPS position of a JPEG, PNG or WebP photo, if it has a usable one. The horizontal
/// positioning error, when the camera wrote it, becomes the point's accuracy.
pub fn exif_location(input: &[u8]) -> Option<GeoPoint> {
    let exif = read_exif(input)?;
    let lat = signed_degrees(&exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'N', b'S')?;
    let lon = signed_degrees(&exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'E', b'W')?;
    if lat == 0.0 && lon == 0.0 {
        return None;
    }
    let accuracy_m = first_rational(&exif, Tag::GPSHPositioningError)
        .map(|r| r.to_f64())
        .filter(|a| a.is_finite() && *a >= 0.0);
    let point = GeoPoint {
        lat,
        lon,
        accuracy_m,
    };
    relais_domain::ranges::is_point(&point).then_some(point)
}

/// The photo's EXIF, keeping what could be read when a later part is damaged.
fn read_exif(input: &[u8]) -> Option<Exif> {
    Reader::new()
        .continue_on_error(true)
        .read_from_container(&mut Cursor::new(input))
        .or_else(|e| e.distill_partial_result(|_ignored| {}))
        .ok()
}

/// Degrees, minutes and seconds plus a hemisphere letter, as signed decimal degrees. Some
/// cameras (the Nokia 8.3) write signed rationals where EXIF says unsigned: accepted, the sign
/// coming from the hemisphere letter only.
fn signed_degrees(exif: &Exif, value: Tag, reference: Tag, plus: u8, minus: u8) -> Option<f64> {
    let parts: Vec<f64> = match &exif.get_field(value, In::PRIMARY)?.value {
        Value::Rational(v) if v.iter().all(|r| r.denom != 0) => {
            v.iter().map(Rational::to_f64).collect()
        }
        Value::SRational(v) if v.iter().all(|r| r.denom != 0) => {
            v.iter().map(|r| r.to_f64().abs()).collect()
        }
        _ => return None,
    };
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let magnitude: f64 = parts
        .iter()
        .zip([1.0, 60.0, 3600.0])
        .map(|(part, per_degree)| part / per_degree)
        .sum();
    let Value::Ascii(refs) = &exif.get_field(reference, In::PRIMARY)?.value else {
        return None;
    };
    match refs.first()?.first()?.to_ascii_uppercase() {
        r if r == plus => Some(magnitude),
        r if r == minus => Some(-magnitude),
        _ => None,
    }
}

fn first_rational(exif: &Exif, tag: Tag) -> Option<Rational> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => v.first().copied().filter(|r| r.denom != 0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use exif::{Field, experimental::Writer};

    use super::*;

    fn ascii(tag: Tag, s: &str) -> Field {
        Field {
            tag,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![s.as_bytes().to_vec()]),
        }
    }

    fn dms(tag: Tag, d: u32, m: u32, s_hundredths: u32) -> Field {
        let r = |num, denom| Rational { num, denom };
        Field {
            tag,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(d, 1), r(m, 1), r(s_hundredths, 100)]),
        }
    }

    /// A bare TIFF/EXIF blob with these fields, which `exif_location` reads like a photo.
    fn exif_with(fields: &[Field]) -> Vec<u8> {
        let mut writer = Writer::new();
        for f in fields {
            writer.push_field(f);
        }
        let mut out = Cursor::new(Vec::new());
        writer.write(&mut out, false).unwrap();
        out.into_inner()
    }

    #[test]
    fn south_and_west_are_negative() {
        // Rio de Janeiro: 22°54'30"S 43°11'47"W, 5 m horizontal error.
        let tiff = exif_with(&[
            dms(Tag::GPSLatitude, 22, 54, 3000),
            ascii(Tag::GPSLatitudeRef, "S"),
            dms(Tag::GPSLongitude, 43, 11, 4700),
            ascii(Tag::GPSLongitudeRef, "W"),
            Field {
                tag: Tag::GPSHPositioningError,
                ifd_num: In::PRIMARY,
                value: Value::Rational(vec![Rational { num: 5, denom: 1 }]),
            },
        ]);
        let p = exif_location(&tiff).unwrap();
        assert!((p.lat + 22.908_333).abs() < 1e-6, "{p:?}");
        assert!((p.lon + 43.196_389).abs() < 1e-6, "{p:?}");
        assert_eq!(p.accuracy_m, Some(5.0));
    }

    #[test]
    fn unusable_blocks_give_none() {
        let lat = dms(Tag::GPSLatitude, 48, 51, 2400);
        let lon = dms(Tag::GPSLongitude, 2, 21, 300);
        let (n, e) = (
            ascii(Tag::GPSLatitudeRef, "N"),
            ascii(Tag::GPSLongitudeRef, "E"),
        );
        assert!(
            exif_location(&exif_with(&[
                lat.clone(),
                n.clone(),
                lon.clone(),
                e.clone()
            ]))
            .is_some()
        );
        // No hemisphere: north or south is a guess, and a wrong guess is worse than no offer.
        assert_eq!(
            exif_location(&exif_with(&[lat.clone(), lon.clone(), e.clone()])),
            None
        );
        // Longitude missing.
        assert_eq!(exif_location(&exif_with(&[lat.clone(), n.clone()])), None);
        // Zeros written by a phone without a fix.
        let zero_lat = dms(Tag::GPSLatitude, 0, 0, 0);
        let zero_lon = dms(Tag::GPSLongitude, 0, 0, 0);
        assert_eq!(
            exif_location(&exif_with(&[zero_lat, n.clone(), zero_lon, e.clone()])),
            None
        );
        // A zero denominator.
        let broken = Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![Rational { num: 48, denom: 0 }]),
        };
        assert_eq!(
            exif_location(&exif_with(&[broken, n.clone(), lon.clone(), e.clone()])),
            None
        );
        // Out of range.
        let too_far = dms(Tag::GPSLatitude, 95, 0, 0);
        assert_eq!(exif_location(&exif_with(&[too_far, n, lon, e])), None);
    }

    #[test]
    fn no_exif_no_location() {
        assert_eq!(exif_location(&[]), None);
        assert_eq!(exif_location(b"not an image at all"), None);
        assert_eq!(exif_location(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]), None);
    }

    // The real photos (iPhone, Nokia, Nikon, Xiaomi's empty block) are tested in `super::tests`.
}
