//! What head office needs on the broker, made if missing (and brought to the configured limits
//! if present): the stream of every site's events, the bucket where watermarks are reported, and
//! the durable consumer `edgebss central` reads from. `nats-server`'s configuration cannot
//! declare streams; this is where they come from.

use std::time::Duration;

use async_nats::jetstream::Context;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::kv;
use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType};

use super::CentralOptions;
use crate::broker::protocol;

/// Most events delivered and not yet acknowledged: events held back for a missing predecessor
/// count against it, so it bounds what waits in memory.
pub const MAX_ACK_PENDING: i64 = 20_000;

pub struct Broker {
    pub consumer: PullConsumer,
    pub watermarks: kv::Store,
}

pub async fn ensure(js: &Context, opts: &CentralOptions) -> anyhow::Result<Broker> {
    let stream = js
        .create_or_update_stream(stream::Config {
            name: opts.stream.clone(),
            description: Some("every branch's events, one subject per site".to_owned()),
            subjects: vec![protocol::ALL_SITES.to_owned()],
            retention: RetentionPolicy::Limits,
            discard: DiscardPolicy::Old,
            storage: StorageType::File,
            num_replicas: 1,
            duplicate_window: opts.duplicate_window,
            max_age: opts.max_age,
            // Branches read their subject's last message (re-synchronisation) with a direct
            // get, which their permissions can limit to their own subject.
            allow_direct: true,
            deny_delete: true,
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!("the stream {} could not be set up: {e}", opts.stream))?;
    tracing::debug!(stream = %stream.config.name, messages = stream.state.messages, "central: stream ready");
    // The bucket's stream is made as the key-value layout prescribes (a bucket is a stream
    // `KV_<bucket>` on `$KV.<bucket>.>`): the client's own bucket creation first asks for the
    // account's limits, an answer nats-server 2.9 gives in a shape the client cannot read.
    js.create_or_update_stream(stream::Config {
        name: format!("KV_{}", opts.applied_bucket),
        description: Some("head office's watermark per site: the last event applied".to_owned()),
        subjects: vec![format!("$KV.{}.>", opts.applied_bucket)],
        max_messages_per_subject: 1,
        storage: StorageType::File,
        num_replicas: 1,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: DiscardPolicy::New,
        ..Default::default()
    })
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "the key-value bucket {} could not be set up: {e}",
            opts.applied_bucket
        )
    })?;
    let watermarks = js
        .get_key_value(opts.applied_bucket.as_str())
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "the key-value bucket {} could not be opened: {e}",
                opts.applied_bucket
            )
        })?;
    let stream = js
        .get_stream(&opts.stream)
        .await
        .map_err(|e| anyhow::anyhow!("the stream {} could not be read: {e}", opts.stream))?;
    let consumer = stream
        .get_or_create_consumer(
            &opts.consumer,
            pull::Config {
                durable_name: Some(opts.consumer.clone()),
                description: Some("edgebss central: applies every site's events".to_owned()),
                filter_subject: protocol::ALL_SITES.to_owned(),
                deliver_policy: DeliverPolicy::All,
                ack_policy: AckPolicy::Explicit,
                ack_wait: opts.ack_wait,
                max_deliver: -1,
                max_ack_pending: MAX_ACK_PENDING,
                max_waiting: 16,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("the consumer {} could not be set up: {e}", opts.consumer))?;
    Ok(Broker {
        consumer,
        watermarks,
    })
}

/// How long an event may wait for its predecessor before it is handed back to the broker: well
/// within the acknowledgement wait, so the broker does not deliver it again meanwhile.
pub fn hold_limit(ack_wait: Duration) -> Duration {
    ack_wait / 2
}
