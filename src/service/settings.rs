//! The settings the admin UI changes: read from the database into the [`LiveSettings`] every
//! part of the server shares, and changed as one write job that checks the result by the same
//! rules as the configuration file before anything is stored.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::db::email::{self, MailPolicy};
use crate::db::record::Recorder;
use crate::db::{Db, settings as sql};
use crate::domain::FieldError;
use crate::domain::clock::Clock;
use crate::domain::origin::Origin;
use crate::domain::settings::{BusinessSettings, Current, LiveSettings};
use crate::error::ServiceError;

/// Keys whose values never appear in the audit trail.
const SECRET_KEYS: &[&str] = &["email.password"];

fn apply(live: &LiveSettings, clock: &Clock, current: Current) {
    clock.set_timezone(current.values.billing.tz());
    live.replace(current);
}

/// What the write jobs may queue, from the settings in force.
pub fn mail_policy(s: &BusinessSettings) -> MailPolicy {
    let from = &s.email.from;
    let address = match (from.find('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from.as_str(),
    };
    MailPolicy {
        enabled: s.email.enabled(),
        invoices: s.email.send_invoices,
        receipts: s.email.send_receipts,
        domain: address
            .rsplit_once('@')
            .map(|(_, d)| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "edgebss.invalid".to_owned()),
    }
}

fn merged(
    live: &LiveSettings,
    saved: BTreeMap<String, Value>,
    changed: BTreeMap<String, crate::domain::settings::Changed>,
) -> Result<Current, FieldError> {
    let values = live.file().merge(&saved)?;
    Ok(Current {
        values,
        saved,
        changed,
    })
}

/// Reads the saved settings (at start-up, and in commands that bill or send). Blocking: call
/// it off the async runtime. A saved value
/// that no longer passes the rules (after an upgrade made them stricter) is named in the log
/// and the file's values are used instead of all saved ones, rather than refusing to start.
pub fn load_blocking(db: &Db, live: &LiveSettings, clock: &Clock) -> Result<(), ServiceError> {
    let (saved, changed) = db.read_blocking(|conn| Ok::<_, ServiceError>(sql::all(conn)?))?;
    let current = match merged(live, saved, changed) {
        Ok(current) => current,
        Err(e) => {
            tracing::error!(
                setting = %e.field,
                problem = %e.message,
                "a setting saved in the admin UI is invalid; using the configuration file's \
                 settings until it is corrected on the Settings page"
            );
            live.current().as_ref().clone()
        }
    };
    let policy = mail_policy(&current.values);
    db.write_blocking(move |conn| -> Result<(), ServiceError> {
        Ok(email::set_policy(conn, &policy)?)
    })?;
    apply(live, clock, current);
    Ok(())
}

/// Changes settings: each key to its new value, or back to the file's (`None`). Every key must
/// be a setting the file does not pin; the settings that result must pass the file's rules.
pub async fn update(
    db: &Db,
    live: &LiveSettings,
    clock: &Clock,
    origin: &Origin,
    changes: Vec<(String, Option<Value>)>,
) -> Result<BusinessSettings, ServiceError> {
    for (key, _) in &changes {
        if !live.file().is_key(key) {
            return Err(FieldError::new(key.clone(), "is not a setting").into());
        }
        if live.file().is_pinned(key) {
            return Err(ServiceError::Conflict(format!(
                "{key} is pinned in the configuration file ([settings] pinned) and can only be \
                 changed there"
            )));
        }
    }
    let (now, origin, l) = (clock.timestamp(), origin.clone(), live.clone());
    let current = db
        .write(move |conn| -> Result<Current, ServiceError> {
            let (mut saved, mut changed) = sql::all(conn)?;
            let before = l.current().values.clone();
            let by = origin.actor.id.clone();
            let mut audit = serde_json::Map::new();
            for (key, value) in &changes {
                match value {
                    Some(v) => {
                        saved.insert(key.clone(), v.clone());
                        changed.insert(
                            key.clone(),
                            crate::domain::settings::Changed {
                                at: now.clone(),
                                by: by.clone(),
                            },
                        );
                    }
                    None => {
                        saved.remove(key);
                        changed.remove(key);
                    }
                }
            }
            let next = merged(&l, saved, changed).map_err(ServiceError::Invalid)?;
            for (key, value) in &changes {
                let old = crate::domain::settings::value_at(&before, key);
                let new = crate::domain::settings::value_at(&next.values, key);
                if old == new && value.is_some() == l.current().saved.contains_key(key) {
                    continue;
                }
                match value {
                    Some(v) => sql::put(conn, key, v, &now, &by)?,
                    None => {
                        sql::remove(conn, key)?;
                    }
                }
                let shown = |v: Value| {
                    if SECRET_KEYS.contains(&key.as_str()) {
                        Value::from(if v.as_str().is_some_and(str::is_empty) {
                            ""
                        } else {
                            "(secret)"
                        })
                    } else {
                        v
                    }
                };
                audit.insert(
                    key.clone(),
                    serde_json::json!({"before": shown(old), "after": shown(new)}),
                );
            }
            email::set_policy(conn, &mail_policy(&next.values))?;
            if !audit.is_empty() {
                Recorder::new(conn, &origin, &now).audit_values(
                    "settings.updated",
                    ("settings", "business"),
                    Value::Object(audit),
                )?;
            }
            Ok(next)
        })
        .await?;
    let values = current.values.clone();
    apply(live, clock, current);
    Ok(values)
}
