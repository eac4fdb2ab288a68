//! Dashboard charts drawn as SVG on the server: they need no JavaScript, print well and pass the
//! strict Content-Security-Policy (colours come from the stylesheet, not inline styles).

use chrono::NaiveDate;

use super::format;
use crate::domain::enums::ProductType;
use crate::domain::money::Currency;

#[derive(Debug, Clone)]
pub struct Rect {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// CSS class giving the colour.
    pub class: &'static str,
    /// Tooltip and accessible text.
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Text {
    pub x: i64,
    pub y: i64,
    pub text: String,
    pub anchor: &'static str,
    /// CSS class (`year` for the smaller line under a month).
    pub class: &'static str,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub width: i64,
    pub height: i64,
    pub rects: Vec<Rect>,
    pub texts: Vec<Text>,
    /// Horizontal guide lines (y positions).
    pub grid: Vec<i64>,
    /// What the chart says, for screen readers.
    pub summary: String,
}

const W: i64 = 720;
const H: i64 = 272;
const LEFT: i64 = 70;
/// Room under the bars for the month and, below it, its year.
const BOTTOM: i64 = 42;
const TOP: i64 = 12;

/// Invoiced and paid per month: two bars per month.
pub fn monthly(currency: Option<Currency>, months: &[(NaiveDate, i64, i64)]) -> Chart {
    let c = currency.unwrap_or(Currency::USD);
    let unit = 10_i64.pow(c.minor_units());
    let max = nice_ceiling(
        months
            .iter()
            .map(|(_, a, b)| (*a).max(*b))
            .max()
            .unwrap_or(0)
            .div_euclid(unit)
            + 1,
    ) * unit;
    let plot_h = H - TOP - BOTTOM;
    let slot = (W - LEFT) / months.len().max(1) as i64;
    let bar = (slot - 10) / 2;
    let mut rects = Vec::new();
    let mut texts = Vec::new();
    for (i, (month, invoiced, paid)) in months.iter().enumerate() {
        let x0 = LEFT + i as i64 * slot + 5;
        let label = month.format("%b %Y").to_string();
        for (k, (value, class, what)) in [
            (*invoiced, "bar-invoiced", "invoiced"),
            (*paid, "bar-paid", "paid"),
        ]
        .into_iter()
        .enumerate()
        {
            let h = value.saturating_mul(plot_h) / max;
            rects.push(Rect {
                x: x0 + k as i64 * bar,
                y: TOP + plot_h - h,
                w: bar - 1,
                h,
                class,
                title: format!("{label}: {} {what}", format::money_minor(c, value)),
            });
        }
        texts.push(Text {
            x: x0 + bar,
            y: H - 22,
            text: month.format("%b").to_string(),
            anchor: "middle",
            class: "",
        });
        texts.push(Text {
            x: x0 + bar,
            y: H - 8,
            text: month.format("%Y").to_string(),
            anchor: "middle",
            class: "year",
        });
    }
    let mut grid = Vec::new();
    for step in 0..=4 {
        let y = TOP + plot_h - plot_h * step / 4;
        grid.push(y);
        texts.push(Text {
            x: LEFT - 6,
            y: y + 4,
            text: format::count((max * step / 4 / unit) as u64),
            anchor: "end",
            class: "",
        });
    }
    let total: i64 = months.iter().map(|m| m.1).sum();
    let paid: i64 = months.iter().map(|m| m.2).sum();
    Chart {
        width: W,
        height: H,
        rects,
        texts,
        grid,
        summary: format!(
            "From {} to {}, {} was invoiced and {} paid.",
            months
                .first()
                .map(|m| format::month(m.0))
                .unwrap_or_default(),
            months
                .last()
                .map(|m| format::month(m.0))
                .unwrap_or_default(),
            format::money_minor(c, total),
            format::money_minor(c, paid)
        ),
    }
}

/// The smallest 1, 2 or 5 times a power of ten at least `n` (whole currency units), so the
/// axis reads 0, 250, 500, ... rather than odd amounts.
fn nice_ceiling(n: i64) -> i64 {
    let mut step = 1_i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= n {
                return step.saturating_mul(m).max(4);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Active subscriptions per product type: one horizontal bar each.
pub fn by_type(items: &[(ProductType, u64)]) -> Chart {
    let row = 34;
    let height = (items.len().max(1) as i64) * row + 10;
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let left = 110;
    let plot_w = W - left - 80;
    let mut rects = Vec::new();
    let mut texts = Vec::new();
    for (i, (t, n)) in items.iter().enumerate() {
        let y = 5 + i as i64 * row;
        let w = (*n as i64).saturating_mul(plot_w) / max as i64;
        rects.push(Rect {
            x: left,
            y,
            w: w.max(1),
            h: row - 10,
            class: "bar-type",
            title: format!("{}: {n} active", format::word(t)),
        });
        texts.push(Text {
            x: left - 8,
            y: y + 17,
            text: format::word(t),
            anchor: "end",
            class: "",
        });
        texts.push(Text {
            x: left + w + 8,
            y: y + 17,
            text: format::count(*n),
            anchor: "start",
            class: "",
        });
    }
    Chart {
        width: W,
        height,
        rects,
        texts,
        grid: Vec::new(),
        summary: if items.is_empty() {
            "No active subscriptions yet.".to_owned()
        } else {
            items
                .iter()
                .map(|(t, n)| format!("{}: {n}", format::word(t)))
                .collect::<Vec<_>>()
                .join(", ")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(1), 4);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(1234), 2000);
        assert_eq!(nice_ceiling(4001), 5000);
    }
}
