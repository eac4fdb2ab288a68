//! Which site this data folder belongs to: set once from `sync.site_id`, then kept. The site id
//! numbers the invoices and keys every record at head office, so it never changes silently.

use anyhow::Context;
use rusqlite::Connection;

use crate::db::record::Recorder;
use crate::db::{Db, sync};
use crate::domain::origin::Origin;
use crate::domain::site::SiteId;

fn adopt_on(conn: &Connection, configured: Option<&SiteId>, now: &str) -> anyhow::Result<()> {
    let current = sync::state(conn)
        .context("the site could not be read")?
        .map(|s| s.site_id);
    match (current, configured) {
        (None, None) => Ok(()),
        (Some(current), Some(site)) if current == *site => Ok(()),
        (None, Some(site)) => {
            let first = sync::adopt(conn, site, now)?;
            let origin = Origin::system("start-up");
            Recorder::new(conn, &origin, now).audit_values(
                "site.adopted",
                ("site", site.as_str()),
                serde_json::json!({
                    "siteId": {"before": null, "after": site},
                    "firstForwardedEvent": {"before": null, "after": first},
                }),
            )?;
            tracing::info!(
                site = %site,
                first_event = first,
                "this data folder is now site {site}: invoices are numbered {site}-YYYY-NNNNNN \
                 from 1 in each year, and events from {first} on are forwarded to head office"
            );
            Ok(())
        }
        (Some(current), Some(site)) => anyhow::bail!(
            "this data folder belongs to site {current}, but sync.site_id is {site}. A site id \
             cannot change: head office keys every record by it, and invoices are numbered in \
             its series. Set sync.site_id = \"{current}\", or start {site} with a data folder \
             of its own"
        ),
        (Some(current), None) => anyhow::bail!(
            "this data folder belongs to site {current}, but sync.site_id is not set. Set \
             sync.site_id = \"{current}\" (its invoices are numbered in that site's series)"
        ),
    }
}

/// Makes the database the configured site's, or refuses a site id other than the one it has.
pub async fn adopt(db: &Db, now: String, configured: Option<SiteId>) -> anyhow::Result<()> {
    db.write(move |conn| adopt_on(conn, configured.as_ref(), &now))
        .await
}

/// [`adopt`] for commands that are not on the async runtime.
pub fn adopt_blocking(db: &Db, now: String, configured: Option<SiteId>) -> anyhow::Result<()> {
    db.write_blocking(move |conn| adopt_on(conn, configured.as_ref(), &now))
}
