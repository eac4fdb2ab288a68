//! Rating: which days of a subscription or add-on an invoice charges or credits, and for how
//! much. Pure functions of the item's billing state and the period; the README's "Billing"
//! section states the rules these implement.

use chrono::{Days, NaiveDate};

use crate::domain::enums::LineKind;
use crate::domain::period::Period;

/// A subscription or one of its add-ons, as the bill run sees it. Amounts in minor units.
#[derive(Debug, Clone)]
pub struct Chargeable<'a> {
    /// What the line calls it: the product's name, or the add-on's with its product's.
    pub label: &'a str,
    pub monthly: i64,
    /// A catalog price change: from that first day of a month on, a month costs this instead.
    pub next: Option<(NaiveDate, i64)>,
    pub start: NaiveDate,
    /// The last day it may be charged (its end date), `None` while open-ended. A subscription
    /// cancelled before it started has `start - 1`: nothing is chargeable.
    pub last_day: Option<NaiveDate>,
    /// `Suspended` when the run happens: the period itself is skipped.
    pub suspended: bool,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
}

/// One invoice line: some days of one month, charged (positive) or credited (negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedLine {
    pub kind: LineKind,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub days: u32,
    pub days_in_month: u32,
    /// Signed: credits are negative.
    pub amount: i64,
    pub description: String,
}

/// What a run does to one item: the lines it bills and the item's new billing state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub lines: Vec<RatedLine>,
    pub billed_through: Option<NaiveDate>,
    pub charged_through: Option<NaiveDate>,
}

impl Chargeable<'_> {
    /// The monthly charge for the month that begins on `first`.
    fn monthly_for(&self, first: NaiveDate) -> i64 {
        match self.next {
            Some((from, next)) if from <= first => next,
            _ => self.monthly,
        }
    }

    /// Whether a run can still bill or credit anything of it: days after its last day that
    /// were charged, or days up to its last day not yet billed. An item with no last day is
    /// never settled.
    pub fn settled(&self) -> bool {
        let Some(last) = self.last_day else {
            return false;
        };
        let over_charged = self.charged_through.is_some_and(|c| c > last);
        let unbilled_from = self
            .billed_through
            .map_or(self.start, next_day)
            .max(self.start);
        !over_charged && unbilled_from > last
    }
}

impl Rating {
    pub fn changed(&self, c: &Chargeable<'_>) -> bool {
        self.billed_through != c.billed_through || self.charged_through != c.charged_through
    }
}

/// Rates `c` for the invoice of `period`:
///
/// 1. Days charged beyond the last chargeable day (an end date set after they were charged) are
///    credited, month by month.
/// 2. Every day from the start (or the day after `billed_through`) to the end of the period, and
///    not after the last chargeable day, is charged, month by month: a whole month is one
///    `monthly`, part of a month `monthly × days / days_in_that_month`, rounded half away from
///    zero. When `c` is suspended, the period's own days are skipped instead (marked billed,
///    not charged); earlier days that were never billed are still charged.
pub fn rate(c: &Chargeable<'_>, period: Period) -> Rating {
    let mut lines = Vec::new();
    let mut billed = c.billed_through;
    let mut charged = c.charged_through;
    let day_before_start = c.start.pred_opt().unwrap_or(c.start);

    if let (Some(through), Some(last)) = (charged, c.last_day)
        && through > last
    {
        let from = next_day(last).max(c.start);
        push_segments(&mut lines, c, LineKind::Credit, from, through);
        charged = (last >= c.start).then_some(last);
    }

    let from = billed.map_or(c.start, next_day).max(c.start);
    let upper = match c.last_day {
        Some(last) => last.min(period.last_day()),
        None => period.last_day(),
    };
    if from <= upper {
        let charge_to = if c.suspended {
            upper.min(period.first_day().pred_opt().unwrap_or(day_before_start))
        } else {
            upper
        };
        if from <= charge_to {
            push_segments(&mut lines, c, LineKind::Charge, from, charge_to);
            charged = Some(charge_to);
        }
        billed = Some(upper);
    }
    Rating {
        lines,
        billed_through: billed,
        charged_through: charged,
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

/// Adds one line per calendar month that `from..=to` touches.
fn push_segments(
    lines: &mut Vec<RatedLine>,
    c: &Chargeable<'_>,
    kind: LineKind,
    from: NaiveDate,
    to: NaiveDate,
) {
    let mut month = Period::containing(from);
    while month.first_day() <= to {
        let first = from.max(month.first_day());
        let last = to.min(month.last_day());
        let days = (last - first).num_days() as u32 + 1;
        let days_in_month = month.days();
        let amount = prorate(c.monthly_for(month.first_day()), days, days_in_month);
        lines.push(RatedLine {
            kind,
            first,
            last,
            days,
            days_in_month,
            amount: match kind {
                LineKind::Charge => amount,
                LineKind::Credit => -amount,
            },
            description: describe(c.label, kind, first, last, days, days_in_month),
        });
        let next = month.next();
        if next == month {
            break;
        }
        month = next;
    }
}

/// `monthly × days / days_in_month` in minor units, rounded half away from zero; a whole month
/// is exactly `monthly`.
pub fn prorate(monthly: i64, days: u32, days_in_month: u32) -> i64 {
    if days >= days_in_month {
        return monthly;
    }
    let num = i128::from(monthly) * i128::from(days);
    let den = i128::from(days_in_month);
    let rounded = (2 * num.abs() + den) / (2 * den);
    let signed = if num < 0 { -rounded } else { rounded };
    i64::try_from(signed).unwrap_or(monthly)
}

/// `Fiber 500 · 2026-11-15–2026-11-30 · 16/30 days`; whole months leave out the days.
pub fn describe(
    label: &str,
    kind: LineKind,
    first: NaiveDate,
    last: NaiveDate,
    days: u32,
    days_in_month: u32,
) -> String {
    let prefix = match kind {
        LineKind::Charge => "",
        LineKind::Credit => "Credit: ",
    };
    if days == days_in_month {
        format!("{prefix}{label} · {first}–{last}")
    } else {
        format!("{prefix}{label} · {first}–{last} · {days}/{days_in_month} days")
    }
}

#[cfg(test)]
#[path = "rating_tests.rs"]
mod tests;
