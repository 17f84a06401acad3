//! The forms that carry files (a resolution's photos, an import's files) come as
//! `multipart/form-data`; this reads one whole, its text fields and the files chosen, so the
//! page checks the form's CSRF token before looking at any file. A file input left empty still
//! sends a part, without a file name or a byte: it is left out.

use axum::body::Bytes;
use axum::extract::Multipart;

/// A file of the form.
#[derive(Debug)]
pub struct SentFile {
    /// The form field it came in.
    pub field: String,
    /// The name the browser gave it (the file's name on the staff member's computer).
    pub name: String,
    pub bytes: Bytes,
}

/// A multipart form as sent.
#[derive(Debug, Default)]
pub struct Sent {
    texts: Vec<(String, String)>,
    pub files: Vec<SentFile>,
}

impl Sent {
    /// Reads the whole form (within the route's body limit).
    ///
    /// # Errors
    /// The body is not a readable multipart form, or is larger than the limit.
    pub async fn read(
        mut multipart: Multipart,
    ) -> Result<Self, axum::extract::multipart::MultipartError> {
        let mut sent = Self::default();
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file) => {
                    let bytes = field.bytes().await?;
                    if !(file.is_empty() && bytes.is_empty()) {
                        sent.files.push(SentFile {
                            field: name,
                            name: file,
                            bytes,
                        });
                    }
                }
                None => {
                    let text = field.text().await?;
                    sent.texts.push((name, text));
                }
            }
        }
        Ok(sent)
    }

    /// The text field `name` (empty when absent).
    pub fn text(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The files sent in field `field`, in order.
    pub fn files<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a SentFile> {
        self.files.iter().filter(move |file| file.field == field)
    }
}
