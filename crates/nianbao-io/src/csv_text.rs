//! A small RFC 4180 CSV reader that keeps the line and column of every field, for precise messages.

/// One field of a record and where it starts (1-based line and character column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// One record (one logical line; a quoted field may span lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<Field>,
}

/// A syntax error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvSyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses CSV text (comma-separated, `"` quoting with `""` escapes, LF or CRLF, optional BOM).
/// Blank lines are skipped. Never panics on any input.
pub fn parse(text: &str) -> Result<Vec<Record>, CsvSyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut column) = (1usize, 1usize);
    let mut fields: Vec<Field> = Vec::new();
    let mut record_line = 1;
    let mut at_field_start = true;
    let mut current = Field { text: String::new(), line, column };
    let mut in_quotes = false;
    let mut was_quoted = false;

    while let Some(c) = chars.next() {
        if at_field_start {
            current = Field { text: String::new(), line, column };
            at_field_start = false;
            was_quoted = false;
            if c == '"' {
                in_quotes = true;
                was_quoted = true;
                column += 1;
                continue;
            }
        }
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    current.text.push('"');
                    column += 2;
                }
                '"' => {
                    in_quotes = false;
                    column += 1;
                    match chars.peek() {
                        None | Some(',') | Some('\n') | Some('\r') => {}
                        Some(_) => {
                            return Err(CsvSyntaxError {
                                line,
                                column,
                                message: "unexpected text after a closing quote".into(),
                            });
                        }
                    }
                }
                '\n' => {
                    current.text.push('\n');
                    line += 1;
                    column = 1;
                }
                other => {
                    current.text.push(other);
                    column += 1;
                }
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::replace(&mut current, Field { text: String::new(), line, column: column + 1 }));
                column += 1;
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::replace(&mut current, Field { text: String::new(), line, column }));
                if !(fields.len() == 1 && fields[0].text.is_empty() && !was_quoted) {
                    records.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
                } else {
                    fields.clear();
                }
                line += 1;
                column = 1;
                record_line = line;
                at_field_start = true;
            }
            '"' => {
                return Err(CsvSyntaxError {
                    line,
                    column,
                    message: "a quote inside an unquoted field; quote the whole field and double the quote".into(),
                });
            }
            other => {
                current.text.push(other);
                column += 1;
            }
        }
    }
    if in_quotes {
        return Err(CsvSyntaxError {
            line: current.line,
            column: current.column,
            message: "a quoted field is never closed".into(),
        });
    }
    if !at_field_start || !fields.is_empty() {
        if at_field_start {
            // The text ended right after a comma: the last field is empty.
            current = Field { text: String::new(), line, column };
        }
        fields.push(current);
        if !(fields.len() == 1 && fields[0].text.is_empty() && !was_quoted) {
            records.push(Record { line: record_line, fields });
        }
    }
    Ok(records)
}

/// Quotes a field for writing when it needs it.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(records: &[Record]) -> Vec<Vec<&str>> {
        records.iter().map(|r| r.fields.iter().map(|f| f.text.as_str()).collect()).collect()
    }

    #[test]
    fn parses_quotes_crlf_and_positions() {
        let records = parse("\u{feff}a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\nc,\n").expect("valid csv");
        assert_eq!(texts(&records), vec![vec!["a", "b"], vec!["x,1", "say \"hi\""], vec!["c", ""]]);
        assert_eq!((records[1].fields[1].line, records[1].fields[1].column), (2, 7));
        assert_eq!(records[2].line, 4);
        assert_eq!((records[2].fields[1].line, records[2].fields[1].column), (4, 3));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let records = parse("赣州市,2024,值\n").expect("valid csv");
        assert_eq!(records[0].fields[1].column, 5);
        assert_eq!(records[0].fields[2].column, 10);
    }

    #[test]
    fn reports_unclosed_and_stray_quotes_with_position() {
        let error = parse("a,b\nc,\"open\n").expect_err("unclosed");
        assert_eq!((error.line, error.column), (2, 3));
        let error = parse("a,b\"c\n").expect_err("stray quote");
        assert_eq!((error.line, error.column), (1, 4));
        let error = parse("\"a\"b\n").expect_err("text after quote");
        assert_eq!(error.line, 1);
    }

    #[test]
    fn quote_round_trips() {
        let fields = ["plain", "a,b", "say \"hi\"", " padded "];
        let line = fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",");
        let records = parse(&line).expect("round trip");
        assert_eq!(texts(&records), vec![fields.to_vec()]);
    }
}
