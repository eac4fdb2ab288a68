//! Reading one CSV file of an import: UTF-8 with or without a byte-order mark, a header of the
//! columns of an export, then every row with its line number, bad rows reported rather than
//! stopping the read, and at most [`MAX_ROWS`] of them.

use std::collections::HashMap;

use super::import::{ImportFile, RowError};
use crate::domain::FieldError;

/// Most rows one file of an import takes.
pub const MAX_ROWS: usize = 100_000;

/// A file whose header has been checked: where each column is.
pub struct Sheet<'a> {
    file: ImportFile,
    reader: csv::Reader<&'a [u8]>,
    index: HashMap<String, usize>,
}

/// A row of a sheet: its line in the file and how to read its cells.
pub struct Line<'r> {
    pub line: u64,
    record: &'r csv::StringRecord,
    index: &'r HashMap<String, usize>,
}

impl Line<'_> {
    /// The cell of `column`, trimmed; `None` when the file has no such column or it is empty.
    pub fn cell(&self, column: &str) -> Option<&str> {
        self.index
            .get(column)
            .and_then(|i| self.record.get(*i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

impl<'a> Sheet<'a> {
    /// Reads the header of `data`: every column must be one of `known` (the columns of the
    /// `export` named), and each of `required` must be there.
    pub fn open(
        file: ImportFile,
        data: &'a [u8],
        known: &[String],
        required: &[&str],
    ) -> Result<Self, Vec<RowError>> {
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let mut reader = csv::ReaderBuilder::new().from_reader(data);
        let refuse = |field: &str, message: String| vec![error(file, 1, field, message)];
        let headers = reader
            .headers()
            .map_err(|e| refuse("header", format!("the header cannot be read: {e}")))?
            .clone();
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            if !known.iter().any(|k| k == h) {
                return Err(refuse(
                    h,
                    format!(
                        "is not a column; the columns are those of the {file} export: {}",
                        known.join(", ")
                    ),
                ));
            }
            index.insert(h.to_owned(), i);
        }
        for column in required {
            if !index.contains_key(*column) {
                return Err(refuse(column, "this column is required".to_owned()));
            }
        }
        Ok(Self {
            file,
            reader,
            index,
        })
    }

    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    /// The error of a row of this file.
    pub fn error(&self, line: u64, e: FieldError) -> RowError {
        error(self.file, line, &e.field, e.message)
    }

    /// Calls `read` with each row, in order; a row the CSV reader cannot read, or one past
    /// [`MAX_ROWS`], is an error of its own, and reading goes on to report every bad row.
    /// `read` says whether the row was good; what it keeps, it keeps itself.
    pub fn rows(
        mut self,
        mut read: impl FnMut(&Line<'_>) -> Result<(), FieldError>,
    ) -> Vec<RowError> {
        let (file, index) = (self.file, std::mem::take(&mut self.index));
        let mut errors = Vec::new();
        let mut seen = 0;
        for record in self.reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    errors.push(error(file, line, "row", e.to_string()));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            seen += 1;
            if seen > MAX_ROWS {
                errors.push(error(
                    file,
                    line,
                    "row",
                    format!("an import takes at most {MAX_ROWS} rows"),
                ));
                break;
            }
            let row = Line {
                line,
                record: &record,
                index: &index,
            };
            if let Err(e) = read(&row) {
                errors.push(error(file, line, &e.field, e.message));
            }
        }
        errors
    }
}

fn error(file: ImportFile, line: u64, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        file,
        line,
        field: field.to_owned(),
        message: message.into(),
    }
}
