//! What the bill-run pages need besides their handlers: the history's filters and sort orders,
//! and the list of months the period picker offers, each saying what can be done with it.

use chrono::NaiveDate;
use serde::Deserialize;

use super::format;
use super::layout::FormState;
use crate::domain::FieldError;
use crate::domain::list_order::{Order, RunFilter, SortKey};
use crate::domain::period::Period;

/// How far back the period picker reaches (older months can still be typed into the URL).
const MONTHS_BACK: usize = 24;
/// How far ahead: as far as a preview may look (`billing::run::PREVIEW_MONTHS_AHEAD`).
const MONTHS_AHEAD: usize = 12;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    /// First and last period (`YYYY-MM`).
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub sort: String,
    pub page: Option<String>,
}

impl ListQuery {
    pub fn params(&self) -> [(&'static str, &str); 3] {
        [
            ("status", self.status.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
    }

    pub fn filter_state(&self) -> FormState {
        FormState::from_values(
            self.params()
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSort {
    Started,
    Period,
}

impl SortKey for RunSort {
    const KEYS: &'static [(Self, &'static str)] =
        &[(RunSort::Started, "started"), (RunSort::Period, "period")];
}

const DEFAULT_ORDER: Order<RunSort> = Order {
    by: RunSort::Started,
    desc: true,
};

/// The history's filter, or the field that is wrong; and the order (the default when the asked
/// one is not known).
pub fn run_filter(q: &ListQuery) -> (Result<RunFilter, FieldError>, Order<RunSort>) {
    let order = Order::parse(&q.sort, DEFAULT_ORDER).unwrap_or(DEFAULT_ORDER);
    let period = |field: &str, v: &str| {
        let v = v.trim();
        (!v.is_empty()).then(|| Period::parse(field, v)).transpose()
    };
    let filter = (|| {
        Ok(RunFilter {
            status: match q.status.as_str() {
                "" => None,
                s => Some(
                    s.parse()
                        .map_err(|e: String| FieldError::new("status", e))?,
                ),
            },
            from: period("from", &q.from)?,
            to: period("to", &q.to)?,
            by_period: order.by == RunSort::Period,
            ascending: !order.desc,
        })
    })();
    (filter, order)
}

/// A month the picker offers.
#[derive(Debug, Clone)]
pub struct PeriodChoice {
    pub value: String,
    /// `November 2026 (2026-11)`, and what can be done with it.
    pub label: String,
    pub selected: bool,
}

/// The months from [`MONTHS_AHEAD`] ahead back to [`MONTHS_BACK`] ago, newest first, each saying
/// whether it has been billed or may only be previewed yet.
pub fn period_choices(
    today: NaiveDate,
    bill_day: u32,
    billed: &[Period],
    chosen: &str,
) -> Vec<PeriodChoice> {
    let current = Period::containing(today);
    let mut first = current;
    for _ in 0..MONTHS_AHEAD {
        first = first.next();
    }
    let mut out = Vec::with_capacity(MONTHS_AHEAD + MONTHS_BACK + 1);
    let mut p = first;
    for _ in 0..=(MONTHS_AHEAD + MONTHS_BACK) {
        let bill_date = p.bill_date(bill_day);
        let note = if billed.contains(&p) {
            " · billed".to_owned()
        } else if bill_date > today {
            format!(" · preview only until {}", format::date(bill_date))
        } else {
            String::new()
        };
        let value = p.to_string();
        out.push(PeriodChoice {
            label: format!("{} ({value}){note}", format::month(p.first_day())),
            selected: value == chosen,
            value,
        });
        p = p.previous();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picker_says_what_each_month_allows() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let billed = [Period::parse("p", "2026-10").unwrap()];
        let months = period_choices(today, 1, &billed, "2026-11");
        assert_eq!(months.len(), 37);
        assert_eq!(months[0].value, "2027-11");
        assert!(months[0].label.contains("preview only until 2027-11-01"));
        let nov = months.iter().find(|m| m.value == "2026-11").unwrap();
        assert_eq!(nov.label, "November 2026 (2026-11)");
        assert!(nov.selected);
        let oct = months.iter().find(|m| m.value == "2026-10").unwrap();
        assert!(oct.label.ends_with("billed"));
    }
}
