//! Re-synchronising with the broker, and reading head office's watermark.
//!
//! The broker's last message on the site's subject is the truth about what it holds: after a
//! crash between an acknowledgement and its mark, it is ahead of the edge's record (those events
//! are not sent again); after the broker lost acknowledged messages, it is behind (they are sent
//! again, except those head office already applied, which it no longer needs).

use async_nats::jetstream::Context;
use async_nats::jetstream::stream::DirectGetErrorKind;

use super::{ForwardError, ForwarderSettings};
use crate::broker::protocol;
use crate::db::{Db, DbError, events, sync};
use crate::domain::clock::Clock;

fn broker(what: &str, e: impl std::fmt::Display) -> ForwardError {
    ForwardError::Broker(format!("{what}: {e}"))
}

/// The event id and broker sequence of the last message on the site's subject, if any.
async fn last_on_subject(
    js: &Context,
    settings: &ForwarderSettings,
) -> Result<Option<(i64, u64)>, ForwardError> {
    let subject = protocol::subject(&settings.site);
    let stream = js
        .get_stream_no_info(&settings.stream)
        .await
        .map_err(|e| broker("the stream cannot be named", e))?;
    let message = match stream.direct_get_last_for_subject(subject.clone()).await {
        Ok(m) => m,
        Err(e) if e.kind() == DirectGetErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(broker(
                &format!(
                    "could not read the last message on {subject} from stream {}",
                    settings.stream
                ),
                e,
            ));
        }
    };
    let id = message
        .headers
        .get(protocol::MSG_ID)
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default();
    match protocol::parse_msg_id(&id) {
        Some((site, sequence)) if site == settings.site => Ok(Some((sequence, message.sequence))),
        _ => Err(ForwardError::Broker(format!(
            "the last message on {subject} has the id `{id}`, not one of this site's events; \
             only this site may publish on its subject"
        ))),
    }
}

/// Head office's watermark for this site, if it has reported one.
pub(super) async fn read_applied(
    js: &Context,
    settings: &ForwarderSettings,
) -> Result<Option<i64>, ForwardError> {
    let kv = js
        .get_key_value(settings.applied_bucket.as_str())
        .await
        .map_err(|e| broker("the applied-events bucket could not be opened", e))?;
    let value = kv
        .get(settings.site.as_str())
        .await
        .map_err(|e| broker("head office's watermark could not be read", e))?;
    Ok(value.and_then(|v| std::str::from_utf8(&v).ok()?.trim().parse().ok()))
}

/// Reads the broker's view and goes on from it; returns whether it differed from the edge's.
pub(super) async fn resync(
    db: &Db,
    clock: &Clock,
    js: &Context,
    settings: &ForwarderSettings,
) -> Result<bool, ForwardError> {
    let last = last_on_subject(js, settings).await?;
    // The watermark is only an optimisation here (events head office has need not be sent
    // again): without it, the edge's own record of it serves.
    let reported = read_applied(js, settings).await.unwrap_or_else(|e| {
        tracing::debug!(error = %e, "forwarder: no watermark from head office yet");
        None
    });
    let (state, local_last) = db
        .read(|conn| Ok::<_, DbError>((sync::state(conn)?, events::last_sequence(conn)?)))
        .await?;
    let state = state.ok_or_else(|| {
        ForwardError::Broker("this database has no site; set sync.site_id".to_owned())
    })?;
    let (broker_last, subject_sequence) = last.unwrap_or((0, 0));
    let applied = state.applied_sequence.max(reported.unwrap_or(0));
    let sent = broker_last.max(applied).max(state.first_sequence - 1);
    if sent > local_last {
        return Err(ForwardError::BrokerAhead {
            broker: sent,
            local: local_last,
        });
    }
    let differs = (sent, subject_sequence) != (state.sent_sequence, state.subject_sequence);
    if differs {
        tracing::warn!(
            site = %settings.site,
            recorded = state.sent_sequence,
            broker = broker_last,
            applied,
            going_on_after = sent,
            "forwarder: the broker's last message differs from this edge's record; going on \
             from the broker's"
        );
    }
    let now = clock.timestamp();
    db.write(move |conn| -> Result<(), DbError> {
        if differs {
            sync::resynced(conn, sent, subject_sequence, &now)?;
        }
        sync::set_applied(conn, applied, &now)?;
        Ok(())
    })
    .await?;
    Ok(differs)
}
