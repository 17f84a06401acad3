//! Why a photo was refused, for the logs ([`Display`](std::fmt::Display), with the technical
//! detail) and for the citizen ([`PhotoError::message`], in French or English, without it).

use relais_domain::lang::Lang;

/// Why [`process`](super::process) refused a photo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// The input has no bytes at all.
    #[error("the photo is empty")]
    Empty,
    /// The file is larger than `max` bytes; refused before decoding.
    #[error("the photo is larger than {max} bytes")]
    TooManyBytes { max: usize },
    /// The image declares more than `max` pixels (width × height); refused from its header,
    /// before the pixels are allocated.
    #[error("the photo has more than {max} pixels")]
    TooManyPixels { max: u64 },
    /// Not a JPEG, PNG or WebP (HEIC included: the platform converts it first).
    #[error("unsupported image format")]
    UnsupportedFormat,
    /// A supported format that cannot be read: truncated, damaged or not an image at all.
    #[error("corrupt photo: {0}")]
    Corrupt(String),
    /// The photo was read but could not be written back as a JPEG.
    #[error("could not encode the photo: {0}")]
    Encode(String),
}

impl PhotoError {
    /// What to tell the citizen, in their language. The technical detail stays in the logs.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Empty, Lang::Fr) => "Ce fichier est vide : ce n'est pas une photo.".into(),
            (Self::Empty, Lang::En) => "This file is empty: it is not a photo.".into(),
            (Self::TooManyBytes { max }, _) => {
                let size = human_bytes(*max, lang);
                match lang {
                    Lang::Fr => format!("Cette photo est trop grande (plus de {size})."),
                    Lang::En => format!("This photo is too large (over {size})."),
                }
            }
            (Self::TooManyPixels { max }, _) => {
                let pixels = human_pixels(*max, lang);
                match lang {
                    Lang::Fr => format!("Cette photo a trop de pixels (plus de {pixels})."),
                    Lang::En => format!("This photo has too many pixels (over {pixels})."),
                }
            }
            (Self::UnsupportedFormat, Lang::Fr) => {
                "Ce format d'image n'est pas pris en charge : choisissez une photo JPEG, PNG ou WebP."
                    .into()
            }
            (Self::UnsupportedFormat, Lang::En) => {
                "This image format is not supported: please choose a JPEG, PNG or WebP photo."
                    .into()
            }
            (Self::Corrupt(_), Lang::Fr) => {
                "Cette photo est abîmée ou incomplète : elle ne peut pas être lue.".into()
            }
            (Self::Corrupt(_), Lang::En) => {
                "This photo is damaged or incomplete: it cannot be read.".into()
            }
            (Self::Encode(_), Lang::Fr) => {
                "Cette photo n'a pas pu être préparée pour l'envoi.".into()
            }
            (Self::Encode(_), Lang::En) => "This photo could not be prepared for sending.".into(),
        }
    }
}

const MIB: usize = 1024 * 1024;

/// `30 Mo` / `30 MB` (binary megabytes, as phones show them), or kilobytes below one.
fn human_bytes(bytes: usize, lang: Lang) -> String {
    let (value, fr, en) = if bytes >= MIB {
        ((bytes + MIB / 2) / MIB, "Mo", "MB")
    } else {
        (bytes.div_ceil(1024), "Ko", "KB")
    };
    match lang {
        Lang::Fr => format!("{value} {fr}"),
        Lang::En => format!("{value} {en}"),
    }
}

/// `50 mégapixels` / `50 megapixels`, or plain pixels below one megapixel.
fn human_pixels(pixels: u64, lang: Lang) -> String {
    if pixels >= 1_000_000 {
        let mp = (pixels + 500_000) / 1_000_000;
        match lang {
            Lang::Fr => format!("{mp} mégapixels"),
            Lang::En => format!("{mp} megapixels"),
        }
    } else {
        format!("{pixels} pixels")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_phone_shows_them() {
        let e = PhotoError::TooManyBytes { max: 30 * MIB };
        assert_eq!(e.message(Lang::En), "This photo is too large (over 30 MB).");
        assert_eq!(
            e.message(Lang::Fr),
            "Cette photo est trop grande (plus de 30 Mo)."
        );
        let e = PhotoError::TooManyBytes { max: 1000 };
        assert_eq!(e.message(Lang::En), "This photo is too large (over 1 KB).");
        let e = PhotoError::TooManyPixels { max: 50_000_000 };
        assert_eq!(
            e.message(Lang::En),
            "This photo has too many pixels (over 50 megapixels)."
        );
        assert_eq!(
            e.message(Lang::Fr),
            "Cette photo a trop de pixels (plus de 50 mégapixels)."
        );
    }

    #[test]
    fn the_citizen_never_sees_the_technical_detail() {
        let e = PhotoError::Corrupt("Huffman table 3 missing".into());
        assert!(e.to_string().contains("Huffman"));
        for lang in [Lang::Fr, Lang::En] {
            assert!(!e.message(lang).contains("Huffman"));
        }
    }
}
