//! What the Collections page shows of the whole book: the aging report's oldest debts and its
//! totals, tomorrow's dunning and the exemptions. Summing them reads every open invoice (about
//! 110,000 at 100,000 customers with two months billed), so they are kept until something
//! changes (see [`super::kept`]): their mark is the newest audit entry, the newest dunning
//! action (reminders are not audited), the day and the dunning rules, which a settings file can
//! change without an audit entry.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;

use super::collections::{Aging, Exemption};
use super::dunning::{Plan, plan};
use super::kept::Kept;
use crate::db::{Db, customers, dunning as sql};
use crate::domain::clock::Clock;
use crate::domain::dunning::DunningSettings;
use crate::error::ServiceError;

/// The Collections page's figures: each list cut to its first rows, with how long it is.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// The oldest debts, named, and the totals of every row.
    pub aging: Aging,
    /// How many aging rows there are in all (a row per customer and currency).
    pub aging_rows: usize,
    /// How many customers owe something.
    pub customers_owing: usize,
    /// Tomorrow's first steps.
    pub plan: Plan,
    /// How many steps tomorrow's dunning takes in all.
    pub planned: usize,
    pub exemptions: Vec<Exemption>,
    /// Names of the customers the plan and the exemptions name only by id.
    pub names: HashMap<String, String>,
}

/// What the figures were summed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    last_change: i64,
    last_dunning: i64,
    today: NaiveDate,
    rules: DunningSettings,
    shown: usize,
}

/// The last figures and their mark (one per server).
pub type OverviewCache = Kept<Mark, Overview>;

/// The figures on the clock's today with `rules`, each list cut to `shown` rows: the kept ones
/// while nothing has changed, summed afresh otherwise.
pub async fn overview(
    db: &Db,
    clock: &Clock,
    rules: DunningSettings,
    shown: usize,
    cache: &OverviewCache,
) -> Result<Arc<Overview>, ServiceError> {
    let today = clock.today();
    let (last_change, last_dunning) = db
        .read(|conn| {
            Ok::<_, ServiceError>((
                crate::db::attention::last_change(conn)?,
                sql::last_action(conn)?,
            ))
        })
        .await?;
    let mark = Mark {
        last_change,
        last_dunning,
        today,
        rules,
        shown,
    };
    if let Some(kept) = cache.get(&mark) {
        return Ok(kept);
    }
    let rules = mark.rules.clone();
    let fresh = Arc::new(
        db.read(move |conn| {
            // One snapshot for the aging report and the plan, so they agree.
            let tx = conn.unchecked_transaction()?;
            sum(&tx, today, &rules, shown)
        })
        .await?,
    );
    cache.put(mark, Arc::clone(&fresh));
    Ok(fresh)
}

fn sum(
    conn: &rusqlite::Connection,
    today: NaiveDate,
    rules: &DunningSettings,
    shown: usize,
) -> Result<Overview, ServiceError> {
    let mut rows = super::collections::aging_rows(conn, today)?;
    let totals = super::collections::totals(&rows);
    let aging_rows = rows.len();
    let customers_owing = rows
        .iter()
        .map(|r| r.customer_id.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    rows.truncate(shown);
    super::collections::name_rows(conn, &mut rows)?;

    let tomorrow = today.succ_opt().unwrap_or(today);
    let mut plan = plan(conn, rules, tomorrow)?;
    let planned = plan.suspend.len() + plan.reminders.len() + plan.reactivate.len();
    plan.suspend.truncate(shown);
    plan.reminders
        .truncate(shown.saturating_sub(plan.suspend.len()));
    plan.reactivate
        .truncate(shown.saturating_sub(plan.suspend.len() + plan.reminders.len()));
    let exemptions = sql::exemptions(conn, today)?;

    let mut names = HashMap::new();
    let named = plan
        .suspend
        .iter()
        .map(|(c, _)| c)
        .chain(plan.reminders.iter().map(|(i, _)| &i.customer_id))
        .chain(plan.reactivate.iter())
        .chain(exemptions.iter().map(|e| &e.customer_id));
    for id in named {
        if !names.contains_key(id.as_str())
            && let Some(c) = customers::get(conn, id)?
        {
            names.insert(id.to_string(), c.display_name());
        }
    }
    Ok(Overview {
        aging: Aging { rows, totals },
        aging_rows,
        customers_owing,
        plan,
        planned,
        exemptions,
        names,
    })
}
