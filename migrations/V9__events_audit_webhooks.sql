-- Integration: the event outbox, the audit trail, idempotency keys and webhook deliveries.

-- The outbox: one row per state change, written in the same transaction as the change, so a
-- crash can neither lose an event nor emit one for a change that did not happen. `sequence` is
-- AUTOINCREMENT so it only ever grows, even after old events are pruned (consumers resume from
-- the last one they saw). `data` is the resource as the API returns it after the change.
CREATE TABLE events (
    sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE CHECK (id LIKE 'evt\_%' ESCAPE '\'),
    type        TEXT    NOT NULL,
    occurred_at TEXT    NOT NULL,
    actor_kind  TEXT    NOT NULL CHECK (actor_kind IN ('apiClient', 'user', 'system')),
    actor_id    TEXT    NOT NULL,
    data        TEXT    NOT NULL CHECK (json_valid(data))
);
CREATE INDEX events_by_type ON events (type, sequence);
CREATE INDEX events_by_time ON events (occurred_at);

-- The audit trail: who changed what, with the fields before and after, hash-chained. Each row's
-- `hash` is SHA-256 over the previous row's hash and the row's own canonical content, so an edit
-- or a deletion anywhere breaks the chain from that row on (`edgebss audit verify`). The triggers
-- refuse changes through SQL; the chain catches one made around them.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    actor_kind  TEXT    NOT NULL CHECK (actor_kind IN ('apiClient', 'user', 'system')),
    actor_id    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    changes     TEXT    NOT NULL CHECK (json_valid(changes)),
    request_id  TEXT,
    source      TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_by_object ON audit_log (object_id, seq);
CREATE INDEX audit_by_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_by_time ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;

-- Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header): the answer to the first
-- request with a key, stored in the same transaction as its effect, replayed for a retry with
-- the same body. Kept 24 hours.
CREATE TABLE idempotency_keys (
    client_id   TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    status      INTEGER NOT NULL CHECK (status BETWEEN 200 AND 299),
    location    TEXT,
    body        BLOB    NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (client_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at);

-- Webhook endpoints. The signing secret must be readable to sign each delivery, so it is stored
-- as given (the database file is readable by the service's user only). `cursor` is the last event
-- for which this endpoint's deliveries have been queued.
CREATE TABLE webhook_endpoints (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE CHECK (id LIKE 'whe\_%' ESCAPE '\'),
    url         TEXT    NOT NULL,
    event_types TEXT    CHECK (event_types IS NULL OR json_valid(event_types)),
    description TEXT,
    secret      TEXT    NOT NULL CHECK (secret LIKE 'whsec\_%' ESCAPE '\'),
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    cursor      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    deleted_at  TEXT
);

-- One row per (endpoint, event): pending until a 2xx, then delivered; failed after the last
-- retry. A restart or a crash delays a pending delivery, never loses it.
CREATE TABLE webhook_deliveries (
    seq             INTEGER PRIMARY KEY,
    endpoint_seq    INTEGER NOT NULL REFERENCES webhook_endpoints (seq),
    event_sequence  INTEGER NOT NULL,
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('Pending', 'Delivered', 'Failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,
    created_at      TEXT    NOT NULL,
    UNIQUE (endpoint_seq, event_sequence)
);
-- Each endpoint's task reads its own due deliveries, soonest first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_seq, next_attempt_at)
    WHERE status = 'Pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_seq, seq);

-- Each attempt of a delivery: when, the HTTP status or the error, how long it took.
CREATE TABLE webhook_attempts (
    delivery_seq INTEGER NOT NULL REFERENCES webhook_deliveries (seq),
    attempt      INTEGER NOT NULL CHECK (attempt >= 1),
    at           TEXT    NOT NULL,
    http_status  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0),
    PRIMARY KEY (delivery_seq, attempt)
) WITHOUT ROWID;
