//! Usage records from a CSV file (a RADIUS accounting or CDR export): the columns `recordId`,
//! `subscriptionId`, `metric`, `quantity`, `occurredAt` (the API's field names, in any order,
//! other columns ignored), UTF-8 with or without a byte-order mark, fields quoted the usual way
//! when they hold commas or quotes. A malformed line is reported with its number and the rest
//! is sent as usual.

use crate::domain::usage::UsageRecordInput;

/// The columns a usage file must have.
pub const COLUMNS: [&str; 5] = [
    "recordId",
    "subscriptionId",
    "metric",
    "quantity",
    "occurredAt",
];

/// A line of the file: its number (from 1, the header being line 1) and its record, or why it
/// is not one.
pub type ImportLine = (usize, Result<UsageRecordInput, String>);

/// Splits one CSV line into fields (RFC 4180 quoting within the line).
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_start => {
                quoted = true;
                at_start = false;
            }
            (true, '"') => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            (false, ',') => {
                out.push(std::mem::take(&mut field));
                at_start = true;
            }
            (_, c) => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_owned());
    }
    out.push(field);
    Ok(out)
}

/// Reads a usage file. `Err` only when the header lacks a column.
pub fn parse(text: &str) -> Result<Vec<ImportLine>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let (_, header) = lines
        .by_ref()
        .find(|(_, l)| !l.trim().is_empty())
        .ok_or_else(|| "the file is empty; its first line names the columns".to_owned())?;
    let names = fields(header)?;
    let mut at = [0_usize; 5];
    for (slot, column) in at.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|n| n.trim() == column)
            .ok_or_else(|| {
                format!(
                    "the first line has no `{column}` column (it needs {})",
                    COLUMNS.join(", ")
                )
            })?;
    }
    let mut out = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let record = fields(line).and_then(|f| {
            let get = |i: usize| {
                f.get(at[i])
                    .map(|v| v.trim().to_owned())
                    .ok_or_else(|| format!("it has no `{}` value", COLUMNS[i]))
            };
            let occurred = get(4)?;
            let occurred_at = chrono::DateTime::parse_from_rfc3339(&occurred)
                .map_err(|_| format!("occurredAt `{occurred}` is not an RFC 3339 date-time such as 2026-11-05T14:30:00Z"))?
                .to_utc();
            let record_id = get(0)?;
            if record_id.is_empty() || record_id.chars().count() > 100 {
                return Err("recordId must be 1 to 100 characters".to_owned());
            }
            Ok(UsageRecordInput {
                record_id,
                subscription_id: get(1)?,
                metric: get(2)?,
                quantity: get(3)?,
                occurred_at,
            })
        });
        out.push((n, record));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_by_its_header_with_quotes_and_a_byte_order_mark() {
        let text = "\u{feff}metric,recordId,quantity,subscriptionId,occurredAt,note\r\n\
                    data_gb,r1,1.5,sub_1,2026-11-05T10:00:00Z,\"a, b\"\r\n\
                    \n\
                    data_gb,\"r\"\"2\",2,sub_1,2026-11-05T11:00:00+01:00,x\n\
                    data_gb,r3,2,sub_1,yesterday,x\n";
        let lines = parse(text).unwrap();
        assert_eq!(lines.len(), 3);
        let (n, first) = &lines[0];
        let first = first.as_ref().unwrap();
        assert_eq!(
            (*n, first.record_id.as_str(), first.quantity.as_str()),
            (2, "r1", "1.5")
        );
        assert_eq!(lines[1].1.as_ref().unwrap().record_id, "r\"2");
        assert_eq!(lines[1].0, 4, "line numbers count the blank line");
        assert!(lines[2].1.as_ref().unwrap_err().contains("occurredAt"));
    }

    #[test]
    fn a_missing_column_is_named() {
        let e = parse("recordId,metric\nx,y\n").unwrap_err();
        assert!(e.contains("`subscriptionId`"), "{e}");
    }
}
