-- Billing: what each subscription and add-on has been billed for, invoices tied to their period
-- and explained line by line, gapless invoice numbers, payments, and bill-run records.
-- Dates are YYYY-MM-DD text, money integers of the currency's minor unit, as in V1.

-- A customer that pays no tax (e.g. an exempt public body).
ALTER TABLE customers ADD COLUMN tax_exempt INTEGER NOT NULL DEFAULT 0 CHECK (tax_exempt IN (0, 1));

-- Billing state of a subscription (and, below, of each add-on):
--   billed_through:  every day up to this one has been dealt with by a bill run, either charged
--                    or skipped because the subscription was suspended on that period's bill day;
--   charged_through: the last day charged on an invoice that still stands. Days after the end
--                    date and up to this one are credited on the next invoice.
-- NULL means nothing yet. suspended_by says who suspended it: the customer's status (undone when
-- the customer is Active again) or the subscription's own suspend action.
ALTER TABLE subscriptions ADD COLUMN billed_through TEXT
    CHECK (billed_through IS NULL OR date(billed_through) = billed_through);
ALTER TABLE subscriptions ADD COLUMN charged_through TEXT
    CHECK (charged_through IS NULL OR date(charged_through) = charged_through);
ALTER TABLE subscriptions ADD COLUMN suspended_by TEXT
    CHECK (suspended_by IS NULL OR suspended_by IN ('Customer', 'Operator'));

ALTER TABLE subscription_addons ADD COLUMN billed_through TEXT
    CHECK (billed_through IS NULL OR date(billed_through) = billed_through);
ALTER TABLE subscription_addons ADD COLUMN charged_through TEXT
    CHECK (charged_through IS NULL OR date(charged_through) = charged_through);

-- The jobs find subscriptions to start and to end without a scan.
CREATE INDEX subscriptions_pending_by_start ON subscriptions (start_date) WHERE status = 'Pending';
CREATE INDEX subscriptions_ending ON subscriptions (end_date)
    WHERE end_date IS NOT NULL AND status <> 'Cancelled';

-- Invoices made by a bill run carry their period (YYYY-MM). NULL only for invoices that did not
-- come from a bill run.
ALTER TABLE invoices ADD COLUMN period TEXT
    CHECK (period IS NULL OR (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'
                              AND substr(period, 6, 2) BETWEEN '01' AND '12'));
ALTER TABLE invoices ADD COLUMN tax_rate TEXT NOT NULL DEFAULT '0';
ALTER TABLE invoices ADD COLUMN amount_paid INTEGER NOT NULL DEFAULT 0 CHECK (amount_paid >= 0);
ALTER TABLE invoices ADD COLUMN cancel_reason TEXT;
ALTER TABLE invoices ADD COLUMN bill_run_id TEXT;

-- At most one invoice per customer and period: UNIQUE over (customer_id, period). The columns are
-- indexed period first, so a run's inserts append at one end of the index and each chunk of a run
-- finds its customers' invoices for the period with one range scan.
CREATE UNIQUE INDEX invoices_one_per_customer_period ON invoices (period, customer_id);
-- The overdue job reads only open invoices, oldest due date first.
CREATE INDEX invoices_open_by_due ON invoices (due_date) WHERE status = 'Open';

-- What each line bills: which subscription (and add-on), which days, charge or credit.
ALTER TABLE invoice_lines ADD COLUMN subscription_id TEXT REFERENCES subscriptions (id);
ALTER TABLE invoice_lines ADD COLUMN addon_id TEXT;
ALTER TABLE invoice_lines ADD COLUMN period_start TEXT
    CHECK (period_start IS NULL OR date(period_start) = period_start);
ALTER TABLE invoice_lines ADD COLUMN period_end TEXT
    CHECK (period_end IS NULL OR (date(period_end) = period_end AND period_end >= period_start));
ALTER TABLE invoice_lines ADD COLUMN kind TEXT CHECK (kind IS NULL OR kind IN ('Charge', 'Credit'));

-- The last invoice number given out in each year. Read and advanced in the same transaction that
-- stores the invoices, so numbers are gapless within a year.
CREATE TABLE invoice_number_counters (
    year        INTEGER NOT NULL PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE payments (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    invoice_id  TEXT    NOT NULL REFERENCES invoices (id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    paid_at     TEXT    NOT NULL,
    method      TEXT    NOT NULL CHECK (method IN ('Cash', 'Card', 'BankTransfer', 'MobileMoney')),
    reference   TEXT,
    created_at  TEXT    NOT NULL
);

CREATE INDEX payments_by_invoice ON payments (invoice_id, seq);

CREATE TABLE bill_runs (
    seq                       INTEGER PRIMARY KEY,
    id                        TEXT    NOT NULL UNIQUE,
    period                    TEXT    NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    status                    TEXT    NOT NULL CHECK (status IN ('Running', 'Completed', 'Failed', 'Interrupted')),
    trigger                   TEXT    NOT NULL CHECK (trigger IN ('Api', 'Cli', 'Schedule')),
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

CREATE INDEX bill_runs_by_period ON bill_runs (period, status);

-- A run's amounts, per currency; updated in the same transaction as each chunk of invoices.
CREATE TABLE bill_run_totals (
    bill_run_id  TEXT    NOT NULL REFERENCES bill_runs (id),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    invoices     INTEGER NOT NULL CHECK (invoices >= 0),
    net_amount   INTEGER NOT NULL,
    tax_amount   INTEGER NOT NULL,
    total_amount INTEGER NOT NULL,
    PRIMARY KEY (bill_run_id, currency)
) WITHOUT ROWID;
