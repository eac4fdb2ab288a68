-- Credit notes are e-mailed to the customer when issued, with their PDF, through the same outbox
-- as invoices: a kind of message of their own, and the credit note the message carries. SQLite
-- cannot change a CHECK constraint in place, so the outbox is copied into a table that allows
-- the new kind (no other table refers to it).
CREATE TABLE email_messages_next (
    seq             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE CHECK (id LIKE 'eml\_%' ESCAPE '\'),
    message_id      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('Invoice', 'Receipt', 'Reminder', 'Suspension', 'Reactivation', 'Test', 'CreditNote')),
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
    created_by      TEXT    NOT NULL,
    credit_note_id  TEXT    REFERENCES credit_notes (id),
    CHECK ((kind = 'CreditNote') = (credit_note_id IS NOT NULL))
);
INSERT INTO email_messages_next (seq, id, message_id, kind, customer_id, invoice_id, payment_id,
    to_address, subject, status, attempts, next_attempt_at, last_error, smtp_reply, sent_at,
    resend_of, created_at, created_by)
SELECT seq, id, message_id, kind, customer_id, invoice_id, payment_id, to_address, subject,
    status, attempts, next_attempt_at, last_error, smtp_reply, sent_at, resend_of, created_at,
    created_by
FROM email_messages;
DROP TABLE email_messages;
ALTER TABLE email_messages_next RENAME TO email_messages;
CREATE INDEX email_messages_due ON email_messages (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX email_messages_by_customer ON email_messages (customer_id, seq);
CREATE INDEX email_messages_by_invoice ON email_messages (invoice_id, seq);
