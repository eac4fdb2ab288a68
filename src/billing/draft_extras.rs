//! The lines of an invoice beyond the current plans' monthly charges: replaced plans still to
//! settle, usage, one-off charges and discounts. Pure, like `draft`; called only for customers
//! that have any of them.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::draft::{DraftLine, Settles, StateUpdate};
use super::rating::{Chargeable, RatedLine, rate};
use super::usage::rate_usage;
use crate::domain::billing_rows::{Extras, SubRow};
use crate::domain::charge::DiscountOff;
use crate::domain::enums::{LineKind, LineType, SubscriptionStatus};
use crate::domain::money::Currency;
use crate::domain::period::Period;

/// The plans and add-ons a plan change replaced on `sub`: days charged after their last day are
/// credited, days up to it not yet billed are charged, like any ended item.
pub fn past_plans(
    sub: &SubRow,
    extras: &Extras,
    period: Period,
    lines: &mut Vec<DraftLine>,
    updates: &mut Vec<StateUpdate>,
) {
    let suspended = sub.status == SubscriptionStatus::Suspended;
    for past in extras
        .past_plans
        .iter()
        .filter(|p| p.subscription_id == sub.id)
    {
        let item = Chargeable {
            label: &past.label,
            monthly: past.monthly,
            next: past.next_charge,
            start: past.start,
            last_day: Some(past.last_day),
            suspended,
            billed_through: past.billed_through,
            charged_through: past.charged_through,
        };
        let rating = rate(&item, period);
        let settled = Chargeable {
            billed_through: rating.billed_through,
            charged_through: rating.charged_through,
            ..item.clone()
        }
        .settled();
        if rating.changed(&item) || settled {
            updates.push(StateUpdate {
                subscription_seq: sub.seq,
                subscription_id: sub.id.clone(),
                addon_id: past.addon_id.clone(),
                billed_through: rating.billed_through,
                charged_through: rating.charged_through,
                past_plan: Some((past.seq, settled)),
            });
        }
        for rated in rating.lines {
            let mut line = DraftLine::recurring(rated, &sub.id, past.addon_id.as_deref());
            line.source_id = Some(past.seq.to_string());
            lines.push(line);
        }
    }
}

/// One line per month and metric of `sub`'s usage not yet billed (the rows were read up to the
/// month the invoice bills usage for); a month billed before and grown since is marked late.
pub fn usage(
    sub: &SubRow,
    extras: &Extras,
    lines: &mut Vec<DraftLine>,
    settles: &mut Settles,
) -> anyhow::Result<()> {
    for u in extras.usage.iter().filter(|u| u.subscription_id == sub.id) {
        let price = u.price_for_month();
        let rated = rate_usage(price, sub.currency, u.period, u.quantity, u.billed)
            .ok_or_else(|| anyhow::anyhow!("subscription {}: usage charge overflows", sub.id))?;
        let days = u.period.days();
        lines.push(DraftLine {
            rated: RatedLine {
                kind: LineKind::Charge,
                first: u.period.first_day(),
                last: u.period.last_day(),
                days,
                days_in_month: days,
                amount: rated.amount,
                description: rated.description,
            },
            subscription_id: Some(sub.id.clone()),
            addon_id: None,
            line_type: LineType::Usage,
            source_id: Some(price.metric.as_str().to_owned()),
        });
        settles.usage.push((
            sub.id.clone(),
            u.period,
            price.metric.as_str().to_owned(),
            u.quantity,
        ));
    }
    Ok(())
}

/// The customer's pending one-off charges, each on its own line dated the day it was made.
pub fn charges(
    extras: &Extras,
    lines: &mut Vec<DraftLine>,
    currencies: &mut Vec<Currency>,
    settles: &mut Settles,
) {
    for c in &extras.charges {
        if !currencies.contains(&c.currency) {
            currencies.push(c.currency);
        }
        lines.push(DraftLine {
            rated: RatedLine {
                kind: LineKind::Charge,
                first: c.date,
                last: c.date,
                days: 1,
                days_in_month: 1,
                amount: c.amount,
                description: format!("{} · {}", c.description, c.date),
            },
            subscription_id: None,
            addon_id: None,
            line_type: LineType::OneOff,
            source_id: Some(c.id.clone()),
        });
        settles.charges.push(c.id.clone());
    }
}

/// Puts each discount's negative line right after every charge line of its subscription it
/// reduces: a percentage of the line, or (an amount off) what is left of the amount for this
/// invoice. A line is never taken below zero: later discounts see what earlier ones left.
pub fn discounts(
    lines: Vec<DraftLine>,
    extras: &Extras,
    currency: Currency,
    settles: &mut Settles,
) -> anyhow::Result<Vec<DraftLine>> {
    // What is left of each amount-off discount on this invoice.
    let mut left: Vec<i64> = extras
        .discounts
        .iter()
        .map(|d| match d.off {
            DiscountOff::Amount(a) => a,
            DiscountOff::Percent(_) => 0,
        })
        .collect();
    let mut used = vec![false; extras.discounts.len()];
    let mut out = Vec::with_capacity(lines.len() * 2);
    for line in lines {
        let eligible = line.rated.kind == LineKind::Charge
            && matches!(line.line_type, LineType::Recurring | LineType::Usage)
            && line.rated.amount > 0;
        let Some(sub) = line.subscription_id.clone().filter(|_| eligible) else {
            out.push(line);
            continue;
        };
        let mut remaining = line.rated.amount;
        let mut added = Vec::new();
        for (i, d) in extras.discounts.iter().enumerate() {
            if d.subscription_id != sub || remaining == 0 {
                continue;
            }
            let off = match d.off {
                DiscountOff::Percent(p) => percent_of(remaining, p)
                    .ok_or_else(|| anyhow::anyhow!("discount {}: amount overflows", d.id))?,
                DiscountOff::Amount(_) => left[i],
            }
            .min(remaining);
            if off <= 0 {
                continue;
            }
            if matches!(d.off, DiscountOff::Amount(_)) {
                left[i] -= off;
            }
            remaining -= off;
            used[i] = true;
            added.push(DraftLine {
                rated: RatedLine {
                    kind: LineKind::Credit,
                    amount: -off,
                    description: format!(
                        "Discount {} · {}",
                        d.label(currency),
                        line.rated.description
                    ),
                    ..line.rated.clone()
                },
                subscription_id: Some(sub.clone()),
                addon_id: line.addon_id.clone(),
                line_type: LineType::Discount,
                source_id: Some(d.id.clone()),
            });
        }
        out.push(line);
        out.extend(added);
    }
    for (d, used) in extras.discounts.iter().zip(used) {
        if used {
            let ended = d.months.is_some_and(|m| d.applied + 1 >= m);
            settles.discounts.push((d.id.clone(), ended));
        }
    }
    Ok(out)
}

/// `amount × percent / 100` in minor units, rounded half away from zero.
fn percent_of(amount: i64, percent: Decimal) -> Option<i64> {
    (Decimal::from(amount) * percent / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

#[cfg(test)]
#[path = "draft_extras_tests.rs"]
mod tests;
