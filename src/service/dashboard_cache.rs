//! The dashboard's figures, kept until something changes (see [`super::kept`]). They are sums
//! over every open invoice, every active subscription and a year of invoices and payments; the
//! newest audit entry and the day (a new month moves the chart) are their mark. Reading the
//! mark is one step down an index.

use std::sync::Arc;

use chrono::NaiveDate;

use super::attention::{Attention, attention};
use super::kept::Kept;
use super::ui_reports::{Dashboard, dashboard};
use crate::db::Db;
use crate::domain::clock::Clock;
use crate::error::ServiceError;

/// The dashboard's figures and its needs-attention list.
#[derive(Debug, Clone)]
pub struct Figures {
    pub dashboard: Dashboard,
    pub attention: Attention,
}

/// What the figures were summed at: the newest audit entry and the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    last_change: i64,
    today: NaiveDate,
}

/// The last figures and their mark (one per server).
pub type DashboardCache = Kept<Mark, Figures>;

/// The dashboard's figures and needs-attention list: the kept ones while nothing has changed, summed afresh otherwise.
/// The mark is read before summing, so a change made meanwhile makes the next request sum
/// again rather than be missed.
pub async fn figures(
    db: &Db,
    clock: &Clock,
    cache: &DashboardCache,
) -> Result<Arc<Figures>, ServiceError> {
    let last_change = db
        .read(|conn| Ok::<_, ServiceError>(crate::db::attention::last_change(conn)?))
        .await?;
    let mark = Mark {
        last_change,
        today: clock.today(),
    };
    if let Some(kept) = cache.get(&mark) {
        return Ok(kept);
    }
    let fresh = Arc::new(Figures {
        dashboard: dashboard(db, clock).await?,
        attention: attention(db).await?,
    });
    cache.put(mark, Arc::clone(&fresh));
    Ok(fresh)
}
