//! One-off charges (billed on the customer's next invoice, cancellable until then) and discounts
//! on a subscription's charges (listed, removable).

use rusqlite::Connection;

use crate::db::Db;
use crate::db::charges as sql;
use crate::db::record::Recorder;
use crate::db::{customers, subscriptions};
use crate::domain::FieldError;
use crate::domain::bill_run::PreviewLine;
use crate::domain::billing_rows::{ChargeRow, DiscountRow};
use crate::domain::charge::{Charge, ChargeInput, Discount, DiscountInput, DiscountOff};
use crate::domain::clock::Clock;
use crate::domain::enums::{ChargeStatus, CustomerStatus, DiscountStatus, SubscriptionStatus};
use crate::domain::event::EventType;
use crate::domain::ids::{ChargeId, CustomerId, DiscountId, SubscriptionId};
use crate::domain::money::{Currency, parse_amount};
use crate::domain::origin::Origin;
use crate::domain::period::Period;
use crate::domain::subscription::Subscription;
use crate::error::ServiceError;
use crate::service::previews;

fn unprocessable(field: &str, message: String) -> ServiceError {
    ServiceError::Unprocessable(FieldError::new(field, message))
}

/// The currency of a customer's invoices: that of its subscriptions. `None` when it has none
/// (a charge would then never be invoiced).
fn customer_currency(
    conn: &Connection,
    customer: &CustomerId,
) -> Result<Option<Currency>, ServiceError> {
    Ok(subscriptions::list_for_customer(conn, customer, None)?
        .first()
        .map(|s| s.currency))
}

/// Checks a charge for customer `cid`: its currency (the customer's invoices') and its amount
/// in minor units.
fn check_charge(
    conn: &Connection,
    cid: &CustomerId,
    input: &ChargeInput,
) -> Result<(Currency, i64), ServiceError> {
    let c = customers::get(conn, cid)?.ok_or_else(|| ServiceError::not_found("customer", cid))?;
    if c.status == CustomerStatus::Terminated {
        return Err(ServiceError::Conflict(format!(
            "customer `{cid}` is terminated; its account was settled"
        )));
    }
    let Some(invoice_currency) = customer_currency(conn, cid)? else {
        return Err(unprocessable(
            "customerId",
            format!(
                "customer `{cid}` has no subscription, so no invoice would carry the charge; \
                 add a subscription first"
            ),
        ));
    };
    let currency = input.currency.unwrap_or(invoice_currency);
    if currency != invoice_currency {
        return Err(unprocessable(
            "currency",
            format!("customer `{cid}` is invoiced in {invoice_currency}, not {currency}"),
        ));
    }
    let amount = parse_amount("amount", &input.amount, currency)?;
    if amount.is_zero() {
        return Err(FieldError::new("amount", "must be more than 0").into());
    }
    let minor = currency
        .to_minor(amount)
        .ok_or_else(|| FieldError::new("amount", "is too large"))?;
    Ok((currency, minor))
}

/// The id a previewed charge or discount has until it is stored.
const PREVIEW: &str = "preview";

/// What adding `input` would put on the customer's next invoice: its period and the line.
pub async fn preview_charge(
    db: &Db,
    clock: &Clock,
    customer: &CustomerId,
    input: ChargeInput,
) -> Result<(Period, Vec<PreviewLine>), ServiceError> {
    let cid = customer.clone();
    let today = clock.today();
    db.read(move |conn| {
        let (currency, amount) = check_charge(conn, &cid, &input)?;
        let period = previews::next_period(conn, &cid, today, Period::containing(today))?;
        let row = ChargeRow {
            id: PREVIEW.to_owned(),
            description: input.description.clone(),
            amount,
            currency,
            date: today,
        };
        let lines = previews::lines_with(
            conn,
            &cid,
            period,
            today,
            |rows| rows.extras.charges.push(row),
            |l| l.source_id.as_deref() == Some(PREVIEW),
        )?;
        Ok((period, lines))
    })
    .await
}

/// Adds a one-off charge to a customer's next invoice.
pub async fn create_charge(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    customer: &CustomerId,
    input: ChargeInput,
) -> Result<Charge, ServiceError> {
    let cid = customer.clone();
    let (now, today, origin) = (clock.timestamp(), clock.today(), origin.clone());
    db.write(move |conn| {
        let (currency, minor) = check_charge(conn, &cid, &input)?;
        let id = sql::insert_charge(
            conn,
            &sql::NewCharge {
                customer_id: &cid,
                description: &input.description,
                amount: minor,
                currency,
                date: today,
            },
            &now,
        )?;
        let charge = sql::get_charge(conn, &cid, &id)?
            .ok_or_else(|| ServiceError::not_found("charge", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::ChargeCreated,
            ("charge", id.as_str()),
            None::<&Charge>,
            &charge,
        )?;
        rec.answer(&charge)?;
        Ok(charge)
    })
    .await
}

pub async fn list_charges(db: &Db, customer: &CustomerId) -> Result<Vec<Charge>, ServiceError> {
    let cid = customer.clone();
    db.read(move |conn| {
        customers::get(conn, &cid)?.ok_or_else(|| ServiceError::not_found("customer", &cid))?;
        Ok(sql::charges_of(conn, &cid)?)
    })
    .await
}

/// Cancels a charge no invoice has billed yet.
pub async fn cancel_charge(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    customer: &CustomerId,
    id: &ChargeId,
) -> Result<Charge, ServiceError> {
    let (cid, chid) = (customer.clone(), id.clone());
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let before = sql::get_charge(conn, &cid, &chid)?
            .ok_or_else(|| ServiceError::not_found("charge", &chid))?;
        if before.status != ChargeStatus::Pending || !sql::cancel_charge(conn, &chid, &now)? {
            return Err(ServiceError::Conflict(format!(
                "charge `{chid}` is {} and can no longer be cancelled",
                before.status
            )));
        }
        let after = sql::get_charge(conn, &cid, &chid)?
            .ok_or_else(|| ServiceError::not_found("charge", &chid))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::ChargeCancelled,
            ("charge", chid.as_str()),
            Some(&before),
            &after,
        )?;
        Ok(after)
    })
    .await
}

/// Checks a discount for subscription `sid`: the subscription and what the discount takes off.
fn check_discount(
    conn: &Connection,
    sid: &SubscriptionId,
    input: &DiscountInput,
) -> Result<(Subscription, DiscountOff), ServiceError> {
    let sub = subscriptions::get(conn, sid)?
        .ok_or_else(|| ServiceError::not_found("subscription", sid))?;
    if sub.status == SubscriptionStatus::Cancelled {
        return Err(ServiceError::Conflict(format!(
            "subscription `{sid}` is Cancelled; there is nothing left to discount"
        )));
    }
    let off = match (input.percent_off, &input.amount_off) {
        (Some(p), _) => DiscountOff::Percent(p),
        (None, Some(raw)) => {
            let amount = parse_amount("amountOff", raw, sub.currency)?;
            if amount.is_zero() {
                return Err(FieldError::new("amountOff", "must be more than 0").into());
            }
            DiscountOff::Amount(
                sub.currency
                    .to_minor(amount)
                    .ok_or_else(|| FieldError::new("amountOff", "is too large"))?,
            )
        }
        (None, None) => {
            return Err(FieldError::new("percentOff", "give percentOff or amountOff").into());
        }
    };
    Ok((sub, off))
}

/// The subscription's lines on its next invoice with discount `input` given: its period and
/// the lines, the discount's among them.
pub async fn preview_discount(
    db: &Db,
    clock: &Clock,
    subscription: &SubscriptionId,
    input: DiscountInput,
) -> Result<(Period, Vec<PreviewLine>), ServiceError> {
    let sid = subscription.clone();
    let today = clock.today();
    db.read(move |conn| {
        let (sub, off) = check_discount(conn, &sid, &input)?;
        let period =
            previews::next_period(conn, &sub.customer_id, today, Period::containing(today))?;
        let row = DiscountRow {
            id: PREVIEW.to_owned(),
            subscription_id: sid.to_string(),
            off,
            months: input.months,
            applied: 0,
            description: input.description.clone(),
        };
        let lines = previews::lines_with(
            conn,
            &sub.customer_id,
            period,
            today,
            |rows| rows.extras.discounts.push(row),
            |l| l.subscription_id.as_deref() == Some(sid.as_str()),
        )?;
        Ok((period, lines))
    })
    .await
}

/// Gives a subscription a discount on its charge lines from its next invoice on.
pub async fn create_discount(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    subscription: &SubscriptionId,
    input: DiscountInput,
) -> Result<Discount, ServiceError> {
    let sid = subscription.clone();
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let (sub, off) = check_discount(conn, &sid, &input)?;
        let id = sql::insert_discount(
            conn,
            &sql::NewDiscount {
                subscription_id: &sid,
                customer_id: &sub.customer_id,
                off,
                currency: sub.currency,
                months: input.months,
                description: &input.description,
            },
            &now,
        )?;
        let discount = sql::get_discount(conn, &sid, &id)?
            .ok_or_else(|| ServiceError::not_found("discount", &id))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::DiscountCreated,
            ("discount", id.as_str()),
            None::<&Discount>,
            &discount,
        )?;
        rec.answer(&discount)?;
        Ok(discount)
    })
    .await
}

pub async fn list_discounts(
    db: &Db,
    subscription: &SubscriptionId,
) -> Result<Vec<Discount>, ServiceError> {
    let sid = subscription.clone();
    db.read(move |conn| {
        subscriptions::get(conn, &sid)?
            .ok_or_else(|| ServiceError::not_found("subscription", &sid))?;
        Ok(sql::discounts_of(conn, &sid)?)
    })
    .await
}

/// Ends a discount: invoices from now on are not reduced by it.
pub async fn remove_discount(
    db: &Db,
    clock: &Clock,
    origin: &Origin,
    subscription: &SubscriptionId,
    id: &DiscountId,
) -> Result<Discount, ServiceError> {
    let (sid, did) = (subscription.clone(), id.clone());
    let (now, origin) = (clock.timestamp(), origin.clone());
    db.write(move |conn| {
        let before = sql::get_discount(conn, &sid, &did)?
            .ok_or_else(|| ServiceError::not_found("discount", &did))?;
        if !sql::set_discount_status(conn, &did, DiscountStatus::Removed, &now)? {
            return Err(ServiceError::Conflict(format!(
                "discount `{did}` is {} already",
                before.status
            )));
        }
        let after = sql::get_discount(conn, &sid, &did)?
            .ok_or_else(|| ServiceError::not_found("discount", &did))?;
        let rec = Recorder::new(conn, &origin, &now);
        rec.change(
            EventType::DiscountRemoved,
            ("discount", did.as_str()),
            Some(&before),
            &after,
        )?;
        Ok(after)
    })
    .await
}
