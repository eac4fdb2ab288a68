-- Charging what operators sell: usage-based prices and usage records, add-on compatibility,
-- plan changes with their history, scheduled price changes, one-off charges, discounts, credit
-- notes with their own gapless series, the customer's credit balance, and refunds.
-- Money is integers of the currency's minor unit, dates YYYY-MM-DD, as in V1 and V3.

-- The catalog. `usage`: a usage-based price ({metric, name?, unit, includedQuantity, unitPrice,
-- tiers}) with decimals written as strings; `addon_for`: what an add-on may be added to
-- ({productTypes, productIds}); NULL means anything.
ALTER TABLE products ADD COLUMN usage TEXT CHECK (usage IS NULL OR json_valid(usage));
ALTER TABLE products ADD COLUMN addon_for TEXT CHECK (addon_for IS NULL OR json_valid(addon_for));

-- Subscriptions:
--   plan_start:       the first day of the current plan after a plan change (NULL: start_date);
--   next_charge(_from): a price change of the catalog, charged from that first day of a month;
--   scheduled_plan:   a plan change that takes effect on the first day of the next period
--                     ({productId, addons, effectiveDate}).
ALTER TABLE subscriptions ADD COLUMN plan_start TEXT
    CHECK (plan_start IS NULL OR date(plan_start) = plan_start);
ALTER TABLE subscriptions ADD COLUMN next_charge INTEGER
    CHECK (next_charge IS NULL OR next_charge >= 0);
ALTER TABLE subscriptions ADD COLUMN next_charge_from TEXT
    CHECK (next_charge_from IS NULL OR date(next_charge_from) = next_charge_from);
ALTER TABLE subscriptions ADD COLUMN scheduled_plan TEXT
    CHECK (scheduled_plan IS NULL OR json_valid(scheduled_plan));
CREATE INDEX subscriptions_scheduled_plan ON subscriptions (id) WHERE scheduled_plan IS NOT NULL;

-- An add-on added by a plan change starts that day (NULL: with its subscription's plan).
ALTER TABLE subscription_addons ADD COLUMN start_date TEXT
    CHECK (start_date IS NULL OR date(start_date) = start_date);
ALTER TABLE subscription_addons ADD COLUMN next_charge INTEGER
    CHECK (next_charge IS NULL OR next_charge >= 0);
ALTER TABLE subscription_addons ADD COLUMN next_charge_from TEXT
    CHECK (next_charge_from IS NULL OR date(next_charge_from) = next_charge_from);

-- The plans (and add-ons) a subscription had before a plan change: its history, and what the
-- bill run still has to settle for them (days charged after the change are credited, days not
-- yet billed before it are charged). `settled` once nothing is left to bill or credit, so the
-- run reads only the few that are not.
CREATE TABLE subscription_plans (
    seq              INTEGER PRIMARY KEY,
    subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id),
    customer_id      TEXT    NOT NULL REFERENCES customers (id),
    addon_id         TEXT,
    product_id       TEXT    NOT NULL REFERENCES products (id),
    name             TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    monthly_charge   INTEGER NOT NULL CHECK (monthly_charge >= 0),
    next_charge      INTEGER CHECK (next_charge IS NULL OR next_charge >= 0),
    next_charge_from TEXT    CHECK (next_charge_from IS NULL OR date(next_charge_from) = next_charge_from),
    currency         TEXT    NOT NULL CHECK (length(currency) = 3),
    start_date       TEXT    NOT NULL CHECK (date(start_date) = start_date),
    last_day         TEXT    NOT NULL CHECK (date(last_day) = last_day),
    billed_through   TEXT    CHECK (billed_through IS NULL OR date(billed_through) = billed_through),
    charged_through  TEXT    CHECK (charged_through IS NULL OR date(charged_through) = charged_through),
    settled          INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1)),
    replaced_at      TEXT    NOT NULL
);
CREATE INDEX subscription_plans_by_subscription ON subscription_plans (subscription_id, seq);
CREATE INDEX subscription_plans_unsettled ON subscription_plans (customer_id) WHERE settled = 0;

-- The usage prices a subscription has, one per metric, copied from its product and add-ons when
-- it is made (or its plan changes), like its monthly charge. `accepted_until`: after a plan
-- change dropped the metric, usage up to that day is still accepted (mediation is late).
CREATE TABLE subscription_usage_prices (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    metric          TEXT NOT NULL,
    product_id      TEXT NOT NULL REFERENCES products (id),
    price           TEXT NOT NULL CHECK (json_valid(price)),
    next_price      TEXT CHECK (next_price IS NULL OR json_valid(next_price)),
    next_from       TEXT CHECK (next_from IS NULL OR date(next_from) = next_from),
    accepted_until  TEXT CHECK (accepted_until IS NULL OR date(accepted_until) = accepted_until),
    PRIMARY KEY (subscription_id, metric)
) WITHOUT ROWID;
CREATE INDEX subscription_usage_prices_by_product ON subscription_usage_prices (product_id);

-- Usage records as received, keyed by the caller's record id (a record sent twice counts once).
-- Quantities are integers of millionths of the metric's unit: exact, and summed exactly by SQL.
-- One B-tree (WITHOUT ROWID) keeps an insert to one index write.
CREATE TABLE usage_records (
    record_id       TEXT    NOT NULL PRIMARY KEY,
    subscription_id TEXT    NOT NULL,
    metric          TEXT    NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity >= 0),
    occurred_at     TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    received_at     TEXT    NOT NULL
) WITHOUT ROWID;

-- Usage per subscription, month and metric, kept in the same transaction as the records: what
-- the bill run and `GET …/usage` read instead of the records. `billed_quantity` is what invoices
-- have billed; usage that arrives later is billed on the next invoice, marked late.
CREATE TABLE usage_totals (
    subscription_id TEXT    NOT NULL REFERENCES subscriptions (id),
    period          TEXT    NOT NULL,
    metric          TEXT    NOT NULL,
    customer_id     TEXT    NOT NULL,
    quantity        INTEGER NOT NULL CHECK (typeof(quantity) = 'integer' AND quantity >= 0),
    records         INTEGER NOT NULL CHECK (records >= 0),
    billed_quantity INTEGER NOT NULL DEFAULT 0 CHECK (billed_quantity >= 0),
    PRIMARY KEY (subscription_id, period, metric)
) WITHOUT ROWID;
CREATE INDEX usage_totals_unbilled ON usage_totals (customer_id, period)
    WHERE quantity <> billed_quantity;

-- One-off charges, billed on the customer's next invoice.
CREATE TABLE charges (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    customer_id TEXT    NOT NULL REFERENCES customers (id),
    description TEXT    NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    charge_date TEXT    NOT NULL CHECK (date(charge_date) = charge_date),
    status      TEXT    NOT NULL CHECK (status IN ('Pending', 'Billed', 'Cancelled')),
    invoice_id  TEXT    REFERENCES invoices (id),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX charges_by_customer ON charges (customer_id, seq);
CREATE INDEX charges_pending ON charges (customer_id) WHERE status = 'Pending';

-- Discounts on a subscription's charge lines: a percentage of each, or an amount off each
-- invoice; for `months` invoices (NULL: for ever).
CREATE TABLE discounts (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id),
    customer_id      TEXT    NOT NULL REFERENCES customers (id),
    percent_off      TEXT,
    amount_off       INTEGER CHECK (amount_off IS NULL OR amount_off > 0),
    currency         TEXT    NOT NULL CHECK (length(currency) = 3),
    months           INTEGER CHECK (months IS NULL OR months >= 1),
    invoices_applied INTEGER NOT NULL DEFAULT 0 CHECK (invoices_applied >= 0),
    description      TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('Active', 'Ended', 'Removed')),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    CHECK ((percent_off IS NULL) <> (amount_off IS NULL))
);
CREATE INDEX discounts_by_subscription ON discounts (subscription_id, seq);
CREATE INDEX discounts_active ON discounts (customer_id) WHERE status = 'Active';

-- What a line is (NULL: a subscription's or add-on's recurring charge or credit, as before) and
-- what it comes from: the charge, the discount, the metric, or the replaced plan (its seq).
ALTER TABLE invoice_lines ADD COLUMN line_type TEXT
    CHECK (line_type IS NULL OR line_type IN ('Recurring', 'Usage', 'OneOff', 'Discount'));
ALTER TABLE invoice_lines ADD COLUMN source_id TEXT;

-- Credit notes and the customer's credit balance lower what an invoice still asks for; the
-- unpaid-amount gauges read it from the covering index.
ALTER TABLE invoices ADD COLUMN amount_credited INTEGER NOT NULL DEFAULT 0
    CHECK (amount_credited >= 0);
DROP INDEX invoices_by_status_currency;
CREATE INDEX invoices_by_status_currency
    ON invoices (status, currency, total_amount, amount_paid, amount_credited);

-- Credit notes: numbered CN-YYYY-NNNNNN, gapless within the year of their date, taken in the
-- same transaction that stores them. What lowered the invoice's amount due, and what went to
-- the customer's credit balance, add up to the amount.
CREATE TABLE credit_notes (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT    NOT NULL UNIQUE,
    credit_note_number TEXT    NOT NULL UNIQUE,
    invoice_id         TEXT    NOT NULL REFERENCES invoices (id),
    customer_id        TEXT    NOT NULL REFERENCES customers (id),
    amount             INTEGER NOT NULL CHECK (amount > 0),
    currency           TEXT    NOT NULL CHECK (length(currency) = 3),
    to_invoice         INTEGER NOT NULL CHECK (to_invoice >= 0),
    to_balance         INTEGER NOT NULL CHECK (to_balance >= 0),
    reason             TEXT    NOT NULL,
    issue_date         TEXT    NOT NULL CHECK (date(issue_date) = issue_date),
    created_at         TEXT    NOT NULL,
    CHECK (to_invoice + to_balance = amount)
);
CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id, seq);
CREATE INDEX credit_notes_by_customer ON credit_notes (customer_id, seq);

CREATE TABLE credit_note_number_counters (
    year        INTEGER NOT NULL PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number >= 0)
);

-- Money the operator owes a customer (from credit notes on paid invoices), consumed first by
-- the customer's next invoices.
CREATE TABLE customer_credit (
    customer_id TEXT    NOT NULL PRIMARY KEY REFERENCES customers (id),
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    balance     INTEGER NOT NULL CHECK (balance >= 0),
    updated_at  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX customer_credit_open ON customer_credit (customer_id) WHERE balance > 0;

-- A payment reversed (in part or whole) with a reason: corrected, never deleted.
CREATE TABLE refunds (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    payment_id TEXT    NOT NULL REFERENCES payments (id),
    invoice_id TEXT    NOT NULL REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    currency   TEXT    NOT NULL CHECK (length(currency) = 3),
    reason     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX refunds_by_payment ON refunds (payment_id, seq);
CREATE INDEX refunds_by_invoice ON refunds (invoice_id, seq);
