//! How the admin pages write amounts, dates, times, counts and enum values: one way each, so a
//! figure reads the same on every page. Templates reach these through their `layout`
//! (`{{ layout.money(c, v) }}`, `{{ layout.time(ts) }}`, `{{ layout.word(x) }}`), Rust code
//! calls them directly.
//!
//! - money: the currency code, then the amount grouped at the currency's scale (`USD 1,234.50`);
//!   never a bare `0`, never the code after the amount;
//! - dates: ISO 8601 (`2026-11-26`), in tables, forms and detail pages alike, as the date fields
//!   of the forms take them: one spelling that no reader's locale can misread;
//! - times: the date and the minute in the operator's time zone (`2026-11-26 14:05`);
//! - enum values: words (`Bank transfer`, `Add-on`), never the API's spelling;
//! - counts: grouped (`100,000`), with the noun in the right number (`1 invoice`, `3 invoices`).

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::domain::money::Currency;

/// A date however a template holds it (by value or behind references).
pub trait Day {
    fn day(&self) -> NaiveDate;
}

impl Day for NaiveDate {
    fn day(&self) -> NaiveDate {
        *self
    }
}

impl<T: Day + ?Sized> Day for &T {
    fn day(&self) -> NaiveDate {
        (**self).day()
    }
}

/// A count however a template holds it.
pub trait Number {
    fn number(&self) -> u64;
}

impl Number for u64 {
    fn number(&self) -> u64 {
        *self
    }
}

impl Number for usize {
    fn number(&self) -> u64 {
        *self as u64
    }
}

/// Counts SQLite hands back as `i64`; none is below zero.
impl Number for i64 {
    fn number(&self) -> u64 {
        u64::try_from(*self).unwrap_or(0)
    }
}

impl<T: Number + ?Sized> Number for &T {
    fn number(&self) -> u64 {
        (**self).number()
    }
}

/// `1234567.5` -> `1,234,567.50`-style grouping of an amount at its currency's scale.
pub fn amount(currency: Currency, value: Decimal) -> String {
    let value = currency.round(value);
    let text = format!("{:.*}", currency.minor_units() as usize, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = group(int);
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Thousands separators in a run of digits.
fn group(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// An amount with its currency code: `USD 1,234.50`.
pub fn money(currency: Currency, value: Decimal) -> String {
    format!("{currency} {}", amount(currency, value))
}

/// Minor units with their currency code.
pub fn money_minor(currency: Currency, minor: i64) -> String {
    money(currency, currency.from_minor(minor))
}

/// Several currencies' totals on one line; none at all is zero in `fallback`.
pub fn money_list_or(items: &[(Currency, i64)], fallback: Currency) -> String {
    if items.is_empty() {
        return money_minor(fallback, 0);
    }
    items
        .iter()
        .map(|(c, n)| money_minor(*c, *n))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Several currencies' totals on one line; none at all is `USD 0.00` (the contract's default
/// currency). Prefer [`money_list_or`] where the operator's own currency is known.
pub fn money_list(items: &[(Currency, i64)]) -> String {
    money_list_or(items, Currency::USD)
}

pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// `1 invoice`, `2 invoices`, `1,024 customers`: `noun` is the singular, `nouns` the plural.
pub fn plural(n: u64, noun: &str, nouns: &str) -> String {
    format!("{} {}", count(n), if n == 1 { noun } else { nouns })
}

/// A date as every page writes it.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored RFC 3339 timestamp as the operator's wall clock shows it: `2026-11-26 14:05`.
/// Text that is not a timestamp is shown as it is.
pub fn time(ts: &str, tz: Tz) -> String {
    match chrono::DateTime::parse_from_rfc3339(ts) {
        Ok(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => ts.to_owned(),
    }
}

/// The day of a stored timestamp in the operator's time zone.
pub fn day(ts: &str, tz: Tz) -> Option<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&tz).date_naive())
}

/// A month as a person names it: `November 2026`.
pub fn month(first_day: NaiveDate) -> String {
    first_day.format("%B %Y").to_string()
}

/// An enum value (a status, a method, a type, a trigger, a role, an audit action) in words:
/// `BankTransfer` -> `Bank transfer`, `Addon` -> `Add-on`, `customer.created` ->
/// `Customer created`. Values without a word of their own are split at their capitals.
pub fn word(value: impl std::fmt::Display) -> String {
    let value = value.to_string();
    let known = match value.as_str() {
        "Addon" => "Add-on",
        "TV" => "TV",
        "Api" => "API client",
        "Cli" => "Command line",
        "Schedule" => "Bill-day job",
        "Admin" => "Admin UI",
        "apiClient" => "API client",
        "admin" => "Admin",
        "operator" => "Operator",
        "viewer" => "Viewer",
        "user" => "User",
        "system" => "System",
        "Charge" => "Charge",
        "Credit" => "Credit",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    // `customer.created`, `bill_run.completed`: an event or audit action.
    if value.contains(['.', '_']) {
        let spaced = value.replace(['.', '_'], " ");
        return capitalise(&spaced);
    }
    let mut out = String::with_capacity(value.len() + 4);
    for (i, ch) in value.chars().enumerate() {
        if i > 0 && ch.is_uppercase() {
            out.push(' ');
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    capitalise(&out)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An address as lines, the country by its name (addresses store ISO 3166 codes).
pub fn address_lines(a: &crate::domain::address::Address) -> Vec<String> {
    let mut a = a.clone();
    if let Some(c) = &a.country {
        a.country = Some(crate::domain::country::display(c));
    }
    a.lines()
}

/// Who did something: a user by name, an API client by its id, a background task in words.
pub fn actor(a: &crate::domain::origin::Actor) -> String {
    use crate::domain::origin::ActorKind;
    match a.kind {
        ActorKind::User => a.id.clone(),
        ActorKind::ApiClient => format!("{} (API client)", a.id),
        ActorKind::System => system_actor(&a.id).map_or_else(|| a.id.clone(), str::to_owned),
    }
}

/// The system's own actors in words; `None` for any other id.
pub fn system_actor(id: &str) -> Option<&'static str> {
    match id {
        "jobs" => Some("the background jobs"),
        "cli" => Some("the command line"),
        "start-up" => Some("start-up"),
        "bill run" => Some("the bill run"),
        "dunning" => Some("dunning"),
        _ => None,
    }
}

/// What an API scope lets a client do, in a sentence fragment; unknown scopes get none.
pub fn scope_meaning(scope: &str) -> &'static str {
    match scope {
        "read:customers" => "look up customers and list their subscriptions",
        "write:customers" => "create customers and change their details or status",
        "write:subscriptions" => "subscribe customers to products, suspend, resume and cancel",
        "read:billing" => "read invoices, payments and bill runs",
        "write:billing" => "record payments, cancel invoices and start bill runs",
        "read:events" => "read the event feed (GET /v1/events)",
        "write:webhooks" => "register and manage webhook endpoints",
        "read:audit" => "read the audit trail of who changed what",
        "write:catalog" => "add and change products in the catalog",
        "write:usage" => "send usage records for usage-based prices",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_are_grouped_at_the_currency_scale() {
        let usd = Currency::USD;
        assert_eq!(
            amount(usd, Decimal::from_str("1234567.5").unwrap()),
            "1,234,567.50"
        );
        assert_eq!(amount(usd, Decimal::from_str("-29.9").unwrap()), "-29.90");
        assert_eq!(amount(usd, Decimal::ZERO), "0.00");
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert_eq!(money(jpy, Decimal::from(1500)), "JPY 1,500");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(7), "7");
    }

    #[test]
    fn no_amounts_is_zero_in_a_currency_never_a_bare_zero() {
        let eur = Currency::parse("c", "EUR").unwrap();
        assert_eq!(money_list_or(&[], eur), "EUR 0.00");
        assert_eq!(money_list(&[]), "USD 0.00");
        assert_eq!(
            money_list(&[(Currency::USD, 123450), (eur, 5)]),
            "USD 1,234.50 · EUR 0.05"
        );
    }

    #[test]
    fn counts_name_their_noun_in_the_right_number() {
        assert_eq!(plural(1, "invoice", "invoices"), "1 invoice");
        assert_eq!(plural(0, "invoice", "invoices"), "0 invoices");
        assert_eq!(plural(1234, "customer", "customers"), "1,234 customers");
    }

    #[test]
    fn times_are_shown_in_the_operators_time_zone() {
        let oslo: Tz = "Europe/Oslo".parse().unwrap();
        assert_eq!(time("2026-11-26T23:30:00.000Z", oslo), "2026-11-27 00:30");
        assert_eq!(time("2026-07-01T10:00:00Z", oslo), "2026-07-01 12:00");
        assert_eq!(time("not a time", oslo), "not a time");
        assert_eq!(
            day("2026-11-26T23:30:00Z", oslo),
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
    }

    #[test]
    fn enum_values_are_words() {
        assert_eq!(word("BankTransfer"), "Bank transfer");
        assert_eq!(word("MobileMoney"), "Mobile money");
        assert_eq!(word("Addon"), "Add-on");
        assert_eq!(word("TV"), "TV");
        assert_eq!(word("Active"), "Active");
        assert_eq!(word("Schedule"), "Bill-day job");
        assert_eq!(word("customer.created"), "Customer created");
        assert_eq!(word("bill_run.completed"), "Bill run completed");
        assert_eq!(word("operator"), "Operator");
    }

    #[test]
    fn every_scope_has_a_meaning() {
        for s in crate::domain::scope::Scope::ALL {
            assert!(!scope_meaning(s.as_str()).is_empty(), "{s}");
        }
    }
}
