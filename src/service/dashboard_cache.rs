//! The dashboard's figures, kept until something changes. They are sums over every open invoice,
//! every active subscription and a year of invoices and payments: at 100,000 customers that is
//! tens of milliseconds of reading, too much for a page people open all day. Every change the
//! server makes writes an audit entry in its own transaction, so the newest entry's sequence
//! number says whether anything changed since the figures were summed; with the day, it is the
//! cache's key (a new month moves the chart). Reading it is one step down an index.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::attention::{Attention, attention};
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
struct Mark {
    last_change: i64,
    today: NaiveDate,
}

/// The figures last summed, with what they were summed at.
type Kept = Option<(Mark, Arc<Figures>)>;

/// The last figures and their mark; cheap to clone (one per server).
#[derive(Debug, Clone, Default)]
pub struct DashboardCache(Arc<Mutex<Kept>>);

impl DashboardCache {
    fn get(&self, mark: Mark) -> Option<Arc<Figures>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.as_ref()
            .filter(|(m, _)| *m == mark)
            .map(|(_, d)| Arc::clone(d))
    }

    fn put(&self, mark: Mark, figures: Arc<Figures>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((mark, figures));
    }
}

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
    if let Some(kept) = cache.get(mark) {
        return Ok(kept);
    }
    let fresh = Arc::new(Figures {
        dashboard: dashboard(db, clock).await?,
        attention: attention(db).await?,
    });
    cache.put(mark, Arc::clone(&fresh));
    Ok(fresh)
}
