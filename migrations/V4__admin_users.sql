-- The admin UI: its users, their server-side sessions, sign-in throttling state, and a full-text
-- index that keeps customer search fast at hundreds of thousands of customers.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash        TEXT    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role                 TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);

-- Only the SHA-256 of a session token is stored: a copy of the database does not let anyone in.
-- Times are Unix seconds, so expiry checks are plain comparisons.
CREATE TABLE user_sessions (
    token_hash   TEXT    NOT NULL PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL CHECK (expires_at >= created_at)
) WITHOUT ROWID;

CREATE INDEX user_sessions_by_user ON user_sessions (user_id);
CREATE INDEX user_sessions_by_expiry ON user_sessions (expires_at);

-- Failed sign-ins per key ('u:<username>' or 'a:<address>') inside the current window. Stored so
-- that restarting the service does not reset an attacker's count.
CREATE TABLE sign_in_failures (
    key          TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    window_start INTEGER NOT NULL,
    locked_until INTEGER
) WITHOUT ROWID;

-- Customer search: one trigram index over name, e-mail, phone (as typed and digits only) and
-- account number, so any part of any of them is found without a scan. Contentless (the text lives
-- in `customers`), kept in step by triggers in the same transaction as every write.
CREATE VIRTUAL TABLE customer_search USING fts5 (
    name, email, phone, phone_digits, account_number,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_search (rowid, name, email, phone, phone_digits, account_number) VALUES (
        NEW.seq,
        trim(COALESCE(NEW.first_name, '') || ' ' || COALESCE(NEW.last_name, '') || ' ' ||
             COALESCE(NEW.company_name, '')),
        NEW.email,
        COALESCE(NEW.phone, ''),
        replace(replace(replace(replace(replace(replace(COALESCE(NEW.phone, ''),
            ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''),
        NEW.account_number);
END;

CREATE TRIGGER customers_search_update
AFTER UPDATE OF first_name, last_name, company_name, email, phone, account_number ON customers
BEGIN
    DELETE FROM customer_search WHERE rowid = OLD.seq;
    INSERT INTO customer_search (rowid, name, email, phone, phone_digits, account_number) VALUES (
        NEW.seq,
        trim(COALESCE(NEW.first_name, '') || ' ' || COALESCE(NEW.last_name, '') || ' ' ||
             COALESCE(NEW.company_name, '')),
        NEW.email,
        COALESCE(NEW.phone, ''),
        replace(replace(replace(replace(replace(replace(COALESCE(NEW.phone, ''),
            ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''),
        NEW.account_number);
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customer_search WHERE rowid = OLD.seq;
END;

INSERT INTO customer_search (rowid, name, email, phone, phone_digits, account_number)
SELECT seq,
       trim(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '') || ' ' ||
            COALESCE(company_name, '')),
       email,
       COALESCE(phone, ''),
       replace(replace(replace(replace(replace(replace(COALESCE(phone, ''),
           ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''),
       account_number
  FROM customers;

-- The dashboard counts active subscriptions and sums their charges.
CREATE INDEX subscriptions_by_status ON subscriptions (status);
-- ... and invoiced and paid amounts per month.
CREATE INDEX invoices_by_date ON invoices (invoice_date);
