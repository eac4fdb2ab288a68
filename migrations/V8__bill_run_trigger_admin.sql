-- A bill run started from the admin UI is recorded as such ('Admin'), not as an API call.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt (it holds one row per
-- run): copied aside, dropped, created anew and filled back. bill_run_totals refers to bill_runs
-- by name; with foreign-key checks deferred to the end of this migration's transaction, the drop
-- leaves its rows pointing at nothing only until the same runs are inserted again.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE bill_runs_copy AS SELECT * FROM bill_runs;
DROP TABLE bill_runs;

CREATE TABLE bill_runs (
    seq                       INTEGER PRIMARY KEY,
    id                        TEXT    NOT NULL UNIQUE,
    period                    TEXT    NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    status                    TEXT    NOT NULL CHECK (status IN ('Running', 'Completed', 'Failed', 'Interrupted')),
    trigger                   TEXT    NOT NULL CHECK (trigger IN ('Api', 'Cli', 'Schedule', 'Admin')),
    invoice_date              TEXT    NOT NULL CHECK (date(invoice_date) = invoice_date),
    started_at                TEXT    NOT NULL,
    finished_at               TEXT,
    invoices_created          INTEGER NOT NULL DEFAULT 0 CHECK (invoices_created >= 0),
    skipped_already_invoiced  INTEGER NOT NULL DEFAULT 0 CHECK (skipped_already_invoiced >= 0),
    skipped_nothing_due       INTEGER NOT NULL DEFAULT 0 CHECK (skipped_nothing_due >= 0),
    skipped_mixed_currencies  INTEGER NOT NULL DEFAULT 0 CHECK (skipped_mixed_currencies >= 0),
    -- Customers someone must look at (JSON array of ids, at most 100).
    needs_attention           TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(needs_attention)),
    error                     TEXT
);

INSERT INTO bill_runs (seq, id, period, status, trigger, invoice_date, started_at,
    finished_at, invoices_created, skipped_already_invoiced, skipped_nothing_due,
    skipped_mixed_currencies, needs_attention, error)
SELECT seq, id, period, status, trigger, invoice_date, started_at, finished_at, invoices_created,
       skipped_already_invoiced, skipped_nothing_due, skipped_mixed_currencies, needs_attention,
       error
  FROM bill_runs_copy;

DROP TABLE bill_runs_copy;
CREATE INDEX bill_runs_by_period ON bill_runs (period, status);
