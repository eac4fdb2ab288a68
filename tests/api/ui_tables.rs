//! Reading the admin UI's list pages without a browser: a table's rows and labelled cells, an
//! element's text, a link's target, an amount as written, and the CSV an export link gives.

use edgebss::domain::money::Currency;
use edgebss::routes::ui::format::money_minor;
use reqwest::StatusCode;
use rust_decimal::Decimal;

use crate::helpers::TestApp;
use crate::ui_helpers::UiClient;

/// The rows of table `id`'s body.
pub fn rows(html: &str, id: &str) -> Vec<String> {
    let table = &html[html.find(&format!("id=\"{id}\"")).expect("the table")..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr>").skip(1).map(str::to_owned).collect()
}

/// Text without its tags.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out).trim().to_owned()
}

/// HTML's escapes of what the tests look for, undone.
pub fn unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
}

/// The text of the cell labelled `label` in a row.
pub fn cell(row: &str, label: &str) -> String {
    let at = row
        .find(&format!("data-label=\"{label}\">"))
        .unwrap_or_else(|| panic!("no {label} in {row}"));
    let rest = &row[at..];
    text(&rest[rest.find('>').unwrap() + 1..rest.find("</td>").unwrap()])
}

/// The text of the element with `id`.
pub fn by_id(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).expect("the element");
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let tag_end = ["</p>", "</tfoot>", "</small>"]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
        .unwrap();
    text(&rest[start..tag_end])
}

/// Where the link with `id` goes.
pub fn href(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).expect("the link");
    let tag_start = html[..at].rfind("<a ").unwrap();
    let tag = &html[tag_start..];
    let start = tag.find("href=\"").unwrap() + 6;
    unescape(&tag[start..start + tag[start..].find('"').unwrap()])
}

/// `USD 1,234.50` as a number.
pub fn amount(money: &str) -> Decimal {
    money
        .trim_start_matches("USD ")
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{money}"))
}

pub fn ids_linked(rows: &[String], path: &str) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let at = r.find(path).unwrap_or_else(|| panic!("{path} in {r}")) + path.len();
            r[at..at + r[at..].find('"').unwrap()].to_owned()
        })
        .collect()
}

/// The CSV an export link gives: its header (comma-separated) and its records.
pub async fn export_records(ui: &UiClient<'_>, link: &str) -> (String, Vec<Vec<String>>) {
    let res = ui.get(link).await;
    assert_eq!(res.status(), StatusCode::OK, "{link}");
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let body = res.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_ref());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .collect::<Vec<_>>()
        .join(",");
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, records)
}

/// The CSV an export link gives: its header and the first column (the id) of every record.
pub async fn export(ui: &UiClient<'_>, link: &str) -> (String, Vec<String>) {
    let (header, records) = export_records(ui, link).await;
    (header, records.into_iter().map(|r| r[0].clone()).collect())
}

pub fn ids_where(app: &TestApp, sql: &str) -> Vec<String> {
    let conn = app.sql();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn sum_where(app: &TestApp, sql: &str) -> (i64, String) {
    let (n, sum): (i64, i64) = app
        .sql()
        .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    (n, money_minor(Currency::USD, sum))
}
