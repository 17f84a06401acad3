//! A small RFC 4180 reader: comma-separated fields, optionally in double quotes, a doubled quote
//! inside quotes, line breaks inside quotes, CRLF or LF records. Enough for the open-data CSV
//! files towns publish; a dependency would buy nothing more.

/// Splits `text` into records of fields. A leading byte-order mark is skipped and blank lines are
/// dropped. Fails on a quote that is never closed, with the record's line number.
pub(super) fn records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                line += 1;
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record[0].is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
                record_line = line;
            }
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if quoted {
        return Err(format!(
            "line {record_line}: a quoted field is never closed"
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let text = "\u{feff}a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n\n2,,\n";
        assert_eq!(
            records(text).unwrap(),
            vec![
                vec!["a", "b", "c"],
                vec!["1", "x, \"y\"", "two\nlines"],
                vec!["2", "", ""],
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_is_an_error() {
        assert!(records("a\n\"b,c\n").unwrap_err().contains("line 2"));
    }
}
