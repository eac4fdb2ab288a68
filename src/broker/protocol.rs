//! What travels between the branches and head office, in one place: each outbox event is one
//! message on its site's subject `bss.<SITE>.ev`, its body the event exactly as the feed
//! (`GET /v1/events`) shows it, with the headers below. Head office reports how far it has
//! applied each site in a key-value bucket, under the site's id.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::domain::site::SiteId;

/// The subjects of every site's events, as head office consumes them.
pub const ALL_SITES: &str = "bss.*.ev";

/// JetStream's de-duplication key: `<SITE>:<sequence>`.
pub const MSG_ID: &str = "Nats-Msg-Id";

/// JetStream refuses the message unless the subject's last message is this stream sequence (0:
/// the subject holds none), so a message is never appended twice, even after the duplicate
/// window.
pub const EXPECTED_LAST_SUBJECT_SEQUENCE: &str = "Nats-Expected-Last-Subject-Sequence";

/// The first event the site forwards (older ones were pruned before the site was set): head
/// office starts the site's watermark just before it.
pub const FIRST_SEQUENCE: &str = "Bss-First-Sequence";

/// Default names of the stream, the watermark bucket and head office's durable consumer.
pub const STREAM: &str = "BSS";
pub const APPLIED_BUCKET: &str = "BSS_APPLIED";
pub const CONSUMER: &str = "central";

/// The subject `site` publishes its events on.
pub fn subject(site: &SiteId) -> String {
    format!("bss.{site}.ev")
}

/// The site whose subject this is.
pub fn site_of(subject: &str) -> Option<SiteId> {
    let site = subject.strip_prefix("bss.")?.strip_suffix(".ev")?;
    SiteId::parse("subject", site).ok()
}

/// The de-duplication key of event `sequence` of `site`.
pub fn msg_id(site: &SiteId, sequence: i64) -> String {
    format!("{site}:{sequence}")
}

/// The site and sequence a message id names.
pub fn parse_msg_id(id: &str) -> Option<(SiteId, i64)> {
    let (site, sequence) = id.split_once(':')?;
    let sequence: i64 = sequence.parse().ok().filter(|s| *s >= 1)?;
    Some((SiteId::parse("msg_id", site).ok()?, sequence))
}

/// An event as it travels. The resource stays the exact JSON the edge stored (amounts are
/// decimal numbers that must not pass through a float).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireEvent {
    pub event_id: String,
    pub sequence: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: String,
    pub actor: WireActor,
    pub data: Box<RawValue>,
}

#[derive(Debug, Deserialize)]
pub struct WireActor {
    pub kind: String,
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Event, EventType};
    use crate::domain::origin::Actor;

    fn site(s: &str) -> SiteId {
        SiteId::parse("site", s).unwrap()
    }

    #[test]
    fn subjects_and_message_ids_name_the_site() {
        assert_eq!(subject(&site("PORTS")), "bss.PORTS.ev");
        assert_eq!(site_of("bss.PORTS.ev"), Some(site("PORTS")));
        assert_eq!(site_of("bss.ports.ev"), None);
        assert_eq!(site_of("bss.PORTS.applied"), None);
        assert_eq!(site_of("x.PORTS.ev"), None);
        assert_eq!(msg_id(&site("DOCKS"), 42), "DOCKS:42");
        assert_eq!(parse_msg_id("DOCKS:42"), Some((site("DOCKS"), 42)));
        for bad in [
            "DOCKS", "DOCKS:", "DOCKS:0", "DOCKS:-1", "docks:1", ":1", "DOCKS:1x",
        ] {
            assert_eq!(parse_msg_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_event_as_the_edge_sends_it_is_read_back_with_its_exact_data() {
        let event = Event {
            event_id: "evt_01".into(),
            sequence: 7,
            event_type: EventType::PaymentRecorded,
            occurred_at: "2026-12-02T10:00:00Z".into(),
            actor: Actor::system("bill run"),
            data: RawValue::from_string(r#"{"amount":29.90,"currency":"EUR"}"#.into()).unwrap(),
        };
        let wire: WireEvent = serde_json::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap();
        assert_eq!(wire.sequence, 7);
        assert_eq!(wire.event_type, "payment.recorded");
        assert_eq!(wire.actor.kind, "system");
        assert_eq!(wire.data.get(), r#"{"amount":29.90,"currency":"EUR"}"#);
    }
}
