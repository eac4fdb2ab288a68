-- Branches and head office: which site this edge is, and how far its event outbox has gone.
--
-- At most one row, written when `sync.site_id` is first configured. From then on the database
-- belongs to that site: invoices are numbered in the site's own series, and every event is
-- forwarded to head office under the site's id. The id cannot change afterwards, as head office
-- keys every record by it.
CREATE TABLE sync_site (
    only             INTEGER PRIMARY KEY CHECK (only = 1),
    site_id          TEXT    NOT NULL CHECK (length(site_id) BETWEEN 1 AND 16
                                             AND substr(site_id, 1, 1) BETWEEN 'A' AND 'Z'
                                             AND site_id NOT GLOB '*[^A-Z0-9]*'),
    -- The first event forwarded: the oldest one the outbox held when the site was set.
    first_sequence   INTEGER NOT NULL CHECK (first_sequence >= 1),
    adopted_at       TEXT    NOT NULL,
    -- The last event the broker acknowledged, and the broker's stream sequence of its message
    -- (the next publish names it as the subject's last, so nothing is appended twice).
    sent_sequence    INTEGER NOT NULL CHECK (sent_sequence >= 0),
    subject_sequence INTEGER NOT NULL DEFAULT 0 CHECK (subject_sequence >= 0),
    last_sent_at     TEXT,
    -- The last event head office reported applied. The broker may lose what it acknowledged
    -- (it writes to disk lazily), so events are pruned only up to here, never up to
    -- `sent_sequence`.
    applied_sequence INTEGER NOT NULL CHECK (applied_sequence >= 0),
    applied_seen_at  TEXT,
    -- Times the forwarder found the broker's last message differing from its own record and
    -- went on from the broker's.
    resyncs          INTEGER NOT NULL DEFAULT 0 CHECK (resyncs >= 0),
    last_resync_at   TEXT,
    last_error       TEXT,
    last_error_at    TEXT
);
