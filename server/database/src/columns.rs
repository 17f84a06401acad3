//! Stored rows read into the records the trait returns, written once for both backends: a
//! backend wraps its driver's row in a [`Columns`] and hands it to these functions, which read
//! the columns in the order their `*_COLUMNS` constant lists them (the backend selects exactly
//! those). What differs between backends (placeholders, integer widths, the driver's errors)
//! stays in the backend; what a row means is said here.

use relais_protocol::{Category, GeoPoint, LocalizedText, PublicService, Question, ReplyTemplate};

use crate::{DbError, DbResult};

/// A row of a backend's driver, read by column position.
pub trait Columns {
    /// The text in `column`.
    ///
    /// # Errors
    /// The column is missing, NULL or not text.
    fn text(&self, column: usize) -> DbResult<String>;

    /// The text in `column`, or `None` for NULL.
    ///
    /// # Errors
    /// The column is missing or not text.
    fn optional_text(&self, column: usize) -> DbResult<Option<String>>;

    /// The real number in `column`, or `None` for NULL.
    ///
    /// # Errors
    /// The column is missing or not a real number.
    fn optional_real(&self, column: usize) -> DbResult<Option<f64>>;

    /// The integer in `column`, or `None` for NULL.
    ///
    /// # Errors
    /// The column is missing or not an integer.
    fn optional_integer(&self, column: usize) -> DbResult<Option<i64>>;
}

/// Implements [`Columns`] for a backend's row type `$row` with one getter expression, generic
/// over the column's type: `|$this, $column| ...` reads `$column` of `$this` as a `DbResult`.
#[macro_export]
macro_rules! impl_columns {
    ($row:ty, |$this:ident, $column:ident| $get:expr) => {
        impl $crate::columns::Columns for $row {
            fn text(&self, $column: usize) -> $crate::DbResult<String> {
                let $this = self;
                $get
            }
            fn optional_text(&self, $column: usize) -> $crate::DbResult<Option<String>> {
                let $this = self;
                $get
            }
            fn optional_real(&self, $column: usize) -> $crate::DbResult<Option<f64>> {
                let $this = self;
                $get
            }
            fn optional_integer(&self, $column: usize) -> $crate::DbResult<Option<i64>> {
                let $this = self;
                $get
            }
        }
    };
}

/// The columns of `public_services` that [`public_service`] reads.
pub const PUBLIC_SERVICE: &str = "id, name_fr, name_en, kind_fr, kind_en, address, lat, lon, \
                                  opening_hours, phone, website";

/// A directory entry, without its ratings (published separately).
///
/// # Errors
/// A column does not read as stored.
pub fn public_service(row: &impl Columns) -> DbResult<PublicService> {
    let (lat, lon) = (row.optional_real(6)?, row.optional_real(7)?);
    Ok(PublicService {
        id: row.text(0)?,
        name: LocalizedText::new(row.text(1)?, row.text(2)?),
        kind: LocalizedText::new(row.text(3)?, row.text(4)?),
        address: row.optional_text(5)?,
        location: lat.zip(lon).map(|(lat, lon)| GeoPoint {
            lat,
            lon,
            accuracy_m: None,
        }),
        opening_hours: row.optional_text(8)?,
        phone: row.optional_text(9)?,
        website: row.optional_text(10)?,
        ratings: None,
    })
}

/// The columns of `categories c` joined with their `services s` that [`category`] reads.
pub const CATEGORY: &str = "c.code, c.group_code, c.name_fr, c.name_en, s.name_fr, s.name_en, \
                            c.questions, c.response_days, c.duplicate_radius_m, c.service_code";

/// A category of the catalogue, with its questions and its service's name.
///
/// # Errors
/// A column does not read as stored (questions that are not JSON, a negative count of days).
pub fn category(row: &impl Columns) -> DbResult<Category> {
    let code = row.text(0)?;
    let questions = serde_json::from_str::<Vec<Question>>(&row.text(6)?)
        .map_err(|e| DbError::Corrupt(format!("questions of category {code}: {e}")))?;
    Ok(Category {
        group: row.text(1)?,
        name: LocalizedText::new(row.text(2)?, row.text(3)?),
        service: LocalizedText::new(row.text(4)?, row.text(5)?),
        service_code: row.optional_text(9)?,
        questions,
        response_days: optional_u32(row, 7, "response days")?,
        duplicate_radius_m: optional_u32(row, 8, "duplicate radius")?,
        code,
    })
}

/// The columns of `reply_templates` that [`reply_template`] reads.
pub const REPLY_TEMPLATE: &str = "kind, group_code, category_code, text_fr, text_en";

/// A reply template; an empty group or category (how the key stores "any") is `None`.
///
/// # Errors
/// A column does not read as stored (an unknown kind).
pub fn reply_template(row: &impl Columns) -> DbResult<ReplyTemplate> {
    let kind = row.text(0)?;
    Ok(ReplyTemplate {
        kind: kind
            .parse()
            .map_err(|_| DbError::Corrupt(format!("reply template kind {kind:?}")))?,
        group: Some(row.text(1)?).filter(|g| !g.is_empty()),
        category: Some(row.text(2)?).filter(|c| !c.is_empty()),
        text: LocalizedText::new(row.text(3)?, row.text(4)?),
    })
}

/// A rating mean to two decimals: enough for a 1–5 scale, and stable on the wire.
#[must_use]
pub fn rounded_mean(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn optional_u32(row: &impl Columns, column: usize, what: &str) -> DbResult<Option<u32>> {
    row.optional_integer(column)?
        .map(|n| u32::try_from(n).map_err(|_| DbError::Corrupt(format!("{what}: {n}"))))
        .transpose()
}
