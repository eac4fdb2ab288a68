-- Getting paid: settings changed in the admin UI, the e-mail outbox, and dunning.

-- Settings saved on the Settings page, one row per key (`billing.tax_rate_percent`). A key with
-- no row takes the configuration file's value; the file may pin a key, and then its row (if
-- any) is ignored. `value` is the setting as JSON.
CREATE TABLE settings (
    key        TEXT NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
) WITHOUT ROWID;

-- The e-mail outbox: one row per message, written in the same transaction as what caused it
-- (an invoice issued, a payment recorded, a reminder, a suspension), so a crash can neither lose
-- a message nor send one for a change that did not happen. The body is made when it is sent,
-- from the invoice and the templates of that moment. `message_id` is the RFC 5322 Message-ID,
-- fixed when the row is written, so every attempt (also one repeated after a crash between the
-- server's acceptance and our record of it) carries the same one.
--   Pending: waiting for its first or next attempt (next_attempt_at);
--   Sent:    the SMTP server accepted it (smtp_reply holds its answer);
--   Failed:  refused for good, or no answer after the last retry (it can be resent).
CREATE TABLE email_messages (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE CHECK (id LIKE 'eml\_%' ESCAPE '\'),
    message_id      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('Invoice', 'Receipt', 'Reminder', 'Suspension', 'Reactivation', 'Test')),
    customer_id     TEXT    REFERENCES customers (id),
    invoice_id      TEXT    REFERENCES invoices (id),
    payment_id      TEXT,
    to_address      TEXT    NOT NULL,
    subject         TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('Pending', 'Sent', 'Failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,
    last_error      TEXT,
    smtp_reply      TEXT,
    sent_at         TEXT,
    resend_of       TEXT,
    created_at      TEXT    NOT NULL,
    created_by      TEXT    NOT NULL
);
CREATE INDEX email_messages_due ON email_messages (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX email_messages_by_customer ON email_messages (customer_id, seq);
CREATE INDEX email_messages_by_invoice ON email_messages (invoice_id, seq);

-- What dunning did: reminders (step = the reminder day), suspensions and reactivations. A
-- reminder step is taken once per invoice, whoever runs the job and however often.
CREATE TABLE dunning_actions (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    day         TEXT    NOT NULL CHECK (date(day) = day),
    customer_id TEXT    NOT NULL REFERENCES customers (id),
    invoice_id  TEXT    REFERENCES invoices (id),
    action      TEXT    NOT NULL CHECK (action IN ('Reminder', 'Suspended', 'Reactivated')),
    step        INTEGER,
    detail      TEXT
);
CREATE UNIQUE INDEX dunning_reminder_once ON dunning_actions (invoice_id, step)
    WHERE action = 'Reminder';
CREATE INDEX dunning_actions_by_customer ON dunning_actions (customer_id, seq);

-- Customers dunning suspended and has not yet reactivated: only these are reactivated when
-- their overdue invoices are paid (a suspension by hand stays until undone by hand).
CREATE TABLE dunning_suspensions (
    customer_id  TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    suspended_at TEXT NOT NULL
) WITHOUT ROWID;

-- Customers dunning leaves alone until `until` (inclusive), and why.
CREATE TABLE dunning_exemptions (
    customer_id TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    reason      TEXT NOT NULL,
    until       TEXT NOT NULL CHECK (date(until) = until),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
) WITHOUT ROWID;

-- Dunning and the aging report read the open and overdue invoices by due date.
CREATE INDEX invoices_collectable_by_due ON invoices (due_date)
    WHERE status IN ('Open', 'Overdue');
