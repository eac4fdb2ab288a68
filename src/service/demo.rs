//! Demo data: a small operator's catalog and about fifty customers of every type and status, with
//! subscriptions. Loaded once (recorded in `app_meta`), in a single write job, so it is all there
//! or not at all.

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

use crate::db::subscriptions::NewSubscriptionRow;
use crate::db::{Db, customers, products, subscriptions};
use crate::domain::address::AddressInput;
use crate::domain::clock::Clock;
use crate::domain::customer::{CustomerInput, NewCustomer};
use crate::domain::enums::{
    CustomerStatus, CustomerType, ProductStatus, ProductType, SubscriptionStatus,
};
use crate::domain::ids::ProductId;
use crate::domain::product::ProductDraft;
use crate::error::ServiceError;

const MARKER: &str = "demo_loaded_at";

mod charging;
mod data;

use data::{AGENCIES, CATALOG, CITIES, COMPANIES, FIRST, LAST};

/// Loads the demo data unless it was loaded before.
pub async fn load(db: &Db, clock: &Clock) -> anyhow::Result<()> {
    let today = clock.today();
    let now = clock.timestamp();
    let loaded = db
        .write(move |conn| -> Result<bool, ServiceError> {
            if marker(conn)?.is_some() {
                return Ok(false);
            }
            insert_all(conn, today, &now)?;
            conn.execute(
                "INSERT INTO app_meta (key, value) VALUES (?1, ?2)",
                params![MARKER, now],
            )?;
            Ok(true)
        })
        .await
        .map_err(|e| anyhow::anyhow!("failed to load the demo data: {e}"))?;
    if loaded {
        tracing::info!("demo data loaded: {} products, 50 customers", CATALOG.len());
    }
    Ok(())
}

fn marker(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM app_meta WHERE key = ?1", [MARKER], |r| {
        r.get(0)
    })
    .optional()
}

fn insert_all(conn: &Connection, today: NaiveDate, now: &str) -> Result<(), ServiceError> {
    let mut ids: Vec<(ProductId, ProductType, bool)> = Vec::new();
    for (name, ty, cents, desc, features, discontinued) in CATALOG {
        let draft = ProductDraft::parse(
            name,
            *ty,
            Some(desc),
            Decimal::new(*cents, 2),
            "USD",
            features,
        )?;
        let status = if *discontinued {
            ProductStatus::Discontinued
        } else {
            ProductStatus::Active
        };
        ids.push((
            products::insert(conn, &draft, status, now)?,
            *ty,
            *discontinued,
        ));
    }
    let main: Vec<&(ProductId, ProductType, bool)> = ids
        .iter()
        .filter(|(_, t, d)| *t != ProductType::Addon && !d)
        .collect();
    let addons: Vec<&(ProductId, ProductType, bool)> = ids
        .iter()
        .filter(|(_, t, _)| *t == ProductType::Addon)
        .collect();
    let legacy = ids.iter().find(|(_, _, d)| *d);

    for i in 0..50_usize {
        let (customer_type, first, last, company) = match i {
            0..34 => (
                CustomerType::Individual,
                Some(FIRST[i]),
                Some(LAST[i]),
                None,
            ),
            34..44 => (
                CustomerType::Business,
                Some(FIRST[i - 34]),
                Some(LAST[(i * 7) % LAST.len()]),
                Some(COMPANIES[i - 34]),
            ),
            _ => (CustomerType::Government, None, None, Some(AGENCIES[i - 44])),
        };
        let handle = match (company, first, last) {
            (Some(c), _, _) => c
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
            (None, Some(f), Some(l)) => format!("{}.{}", ascii(f), ascii(l)),
            _ => format!("customer{i}"),
        };
        let email = format!("{handle}@example.com");
        let phone = format!("+1 555 01{:02} {:03}", i % 100, (i * 37) % 1000);
        let (city, state) = CITIES[i % CITIES.len()];
        let address = AddressInput {
            street: Some(format!(
                "{} {} Street",
                10 + i * 3,
                ["Oak", "Elm", "Harbour", "Mill", "Station"][i % 5]
            )),
            city: Some(city.to_owned()),
            state: Some(state.to_owned()),
            postal_code: Some(format!("{:05}", 10_000 + i * 211)),
            country: Some("US".to_owned()),
        };
        // Organisations have someone to talk to, a tax number and, some, an accounts office
        // apart from the site that is connected.
        let organisation = company.is_some();
        let contact = match (organisation, first, last) {
            (true, Some(f), Some(l)) => Some(format!("{f} {l}")),
            (true, _, _) => Some("Facilities office".to_owned()),
            _ => None,
        };
        let tax_id = organisation.then(|| format!("US{:09}", 120_000_000 + i * 7919));
        let billing = (organisation && i % 2 == 0).then(|| AddressInput {
            street: Some(format!("PO Box {}", 400 + i)),
            city: Some(city.to_owned()),
            state: Some(state.to_owned()),
            postal_code: Some(format!("{:05}", 10_000 + i * 211)),
            country: Some("US".to_owned()),
        });
        let notes = (i % 7 == 0).then_some("Gate code 4417; the router is in the back office.");
        let new = NewCustomer::parse(
            customer_type,
            CustomerInput {
                first_name: first,
                last_name: last,
                company_name: company,
                email: &email,
                phone: Some(&phone),
                address: Some(&address),
                billing_address: billing.as_ref(),
                contact_person: contact.as_deref(),
                tax_id: tax_id.as_deref(),
                notes,
            },
        )?;
        let customer = customers::insert(conn, new, now)?;
        // Mostly active, a few of every other status, spread through the list.
        let status = match i % 10 {
            3 if i < 40 => CustomerStatus::Inactive,
            6 => CustomerStatus::Suspended,
            9 => CustomerStatus::Terminated,
            _ => CustomerStatus::Active,
        };
        if status != CustomerStatus::Active {
            customers::set_status(conn, &customer.customer_id, status, now)?;
        }
        if status == CustomerStatus::Inactive {
            continue;
        }
        let started = months_before(today, 1 + (i % 14) as u32)
            .with_day(1 + (i % 28) as u32)
            .unwrap_or(today);
        let sub_status = match status {
            CustomerStatus::Suspended => SubscriptionStatus::Suspended,
            CustomerStatus::Terminated => SubscriptionStatus::Cancelled,
            _ => SubscriptionStatus::Active,
        };
        let mut plans = vec![main[i % main.len()].0.clone()];
        if i % 3 == 0 {
            plans.push(main[(i * 5 + 2) % main.len()].0.clone());
        }
        if i == 12
            && let Some(l) = legacy
        {
            plans.push(l.0.clone());
        }
        for (n, product_id) in plans.iter().enumerate() {
            let product = products::get(conn, product_id.as_str())?
                .ok_or_else(|| ServiceError::not_found("product", product_id.as_str()))?;
            let chosen: Vec<_> = if n == 0 && i % 2 == 0 {
                vec![addons[i % addons.len()].0.clone()]
            } else {
                Vec::new()
            };
            let mut addon_rows = Vec::new();
            for a in chosen {
                let p = products::get(conn, a.as_str())?
                    .ok_or_else(|| ServiceError::not_found("product", a.as_str()))?;
                addon_rows.push((p.product.product_id, p.product.product_name, p.price_minor));
            }
            let row = NewSubscriptionRow {
                customer_id: customer.customer_id.clone(),
                product_id: product.product.product_id,
                product_name: product.product.product_name,
                status: sub_status,
                start_date: started,
                monthly_charge_minor: product.price_minor,
                currency: product.product.currency,
                addons: addon_rows,
            };
            let sid = subscriptions::insert(conn, &row, now)?;
            if sub_status == SubscriptionStatus::Cancelled {
                conn.execute(
                    "UPDATE subscriptions SET end_date = ?2 WHERE id = ?1",
                    params![sid, months_before(today, 0).max(started)],
                )?;
            }
        }
    }
    // One customer with a subscription that starts next month, so `Pending` shows too.
    let first_active = conn.query_row(
        "SELECT id FROM customers WHERE status = 'Active' ORDER BY seq LIMIT 1",
        [],
        |r| r.get::<_, crate::domain::ids::CustomerId>(0),
    )?;
    let product = products::get(conn, main[2].0.as_str())?
        .ok_or_else(|| ServiceError::not_found("product", main[2].0.as_str()))?;
    subscriptions::insert(
        conn,
        &NewSubscriptionRow {
            customer_id: first_active,
            product_id: product.product.product_id,
            product_name: product.product.product_name,
            status: SubscriptionStatus::Pending,
            start_date: months_before(today, 0)
                .checked_add_months(Months::new(1))
                .unwrap_or(today),
            monthly_charge_minor: product.price_minor,
            currency: product.product.currency,
            addons: Vec::new(),
        },
        now,
    )?;
    // The subscriptions started months ago, before edgebss billed them: count the months
    // before this one as billed, so the first bill run invoices this month only.
    let billed = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    crate::db::billing_state::settle_history(conn, billed)?;
    charging::add(conn, today, now)?;
    Ok(())
}

fn months_before(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months)).unwrap_or(d)
}

fn ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'é' => Some('e'),
            'ü' => Some('u'),
            'í' => Some('i'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}
