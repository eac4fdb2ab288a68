//! The audit trail: one entry per change, hash-chained so that an entry edited or removed
//! afterwards is found (`edgebss audit verify`).

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::origin::{Actor, ActorKind};

/// The hash the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry as stored and as `GET /v1/audit-events` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Its place in the chain, from 1.
    pub sequence: i64,
    pub at: String,
    pub actor: Actor,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// `{field: {"before": …, "after": …}}` for every field that changed, exactly as stored
    /// (the hash covers these bytes).
    pub changes: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub object_id: Option<String>,
    /// An actor id (client id, user name, or the system job).
    pub actor: Option<String>,
    pub object_type: Option<String>,
    /// Entries after this sequence number.
    pub after: i64,
    /// Entries at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Entries before this instant (RFC 3339).
    pub to: Option<String>,
}

/// The content an entry's hash covers, in one fixed spelling: a JSON array of its fields, with
/// `changes` as stored (serde_json writes object keys sorted, so equal content hashes equally).
#[allow(clippy::too_many_arguments)]
pub fn canonical(
    sequence: i64,
    at: &str,
    actor_kind: ActorKind,
    actor_id: &str,
    action: &str,
    object: (&str, &str),
    changes: &str,
    request_id: Option<&str>,
    source: Option<&str>,
) -> String {
    serde_json::json!([
        sequence,
        at,
        actor_kind.as_str(),
        actor_id,
        action,
        object.0,
        object.1,
        changes,
        request_id,
        source
    ])
    .to_string()
}

/// SHA-256 over the previous entry's hash and this entry's canonical content, hex.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

impl AuditEntry {
    /// Whether the stored hash is the one this entry's content and `prev_hash` give.
    pub fn hash_matches(&self) -> bool {
        let content = canonical(
            self.sequence,
            &self.at,
            self.actor.kind,
            &self.actor.id,
            &self.action,
            (&self.object_type, &self.object_id),
            self.changes.get(),
            self.request_id.as_deref(),
            self.source.as_deref(),
        );
        chain_hash(&self.prev_hash, &content) == self.hash
    }
}

/// The fields that differ between two JSON objects (a missing side counts as `null`), as
/// `{field: {"before": …, "after": …}}`. Nested objects (an address) are compared whole.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut out = Map::new();
    for key in b.keys().chain(a.keys()) {
        if out.contains_key(key) {
            continue;
        }
        let (old, new) = (b.get(key), a.get(key));
        if old != new {
            out.insert(
                key.clone(),
                serde_json::json!({ "before": old.cloned().unwrap_or(Value::Null),
                                    "after": new.cloned().unwrap_or(Value::Null) }),
            );
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_kept_with_both_values() {
        let before = json!({"email": "a@x.io", "phone": "1", "status": "Active"});
        let after = json!({"email": "b@x.io", "phone": "1", "status": "Active", "note": "n"});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            json!({"email": {"before": "a@x.io", "after": "b@x.io"},
                   "note": {"before": null, "after": "n"}})
        );
        assert_eq!(
            diff(None, Some(&json!({"id": 1}))),
            json!({"id": {"before": null, "after": 1}})
        );
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let entry = |action: &str, prev: &str| {
            let content = canonical(
                1,
                "2026-12-01T10:00:00Z",
                ActorKind::User,
                "admin",
                action,
                ("customer", "cus_1"),
                "{}",
                Some("req"),
                None,
            );
            chain_hash(prev, &content)
        };
        let base = entry("customer.updated", GENESIS_HASH);
        assert_eq!(base.len(), 64);
        assert_ne!(base, entry("customer.created", GENESIS_HASH));
        assert_ne!(base, entry("customer.updated", &base));
    }
}
