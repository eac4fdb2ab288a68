-- Head office's consolidated books: every branch's customers, subscriptions, invoices and
-- payments, applied by `edgebss central` from the events the branches forward. Each row carries
-- the site it belongs to; a branch is the only writer of its own records, so rows never
-- conflict across sites.
--
-- These tables are written by `edgebss central` only. Read them (and the views in V2) with any
-- SQL or BI tool through a read-only role; see README, "Branches and head office".

CREATE SCHEMA IF NOT EXISTS bss;

-- One row per site: how far its events have been applied (the watermark), reported back to the
-- branch so that it may prune what head office holds.
CREATE TABLE bss.sites (
    site_id          text        PRIMARY KEY CHECK (site_id ~ '^[A-Z][A-Z0-9]{0,15}$'),
    -- The branch's first forwarded event (older ones were pruned before it became a site).
    first_sequence   bigint      NOT NULL CHECK (first_sequence >= 1),
    applied_sequence bigint      NOT NULL CHECK (applied_sequence >= first_sequence - 1),
    -- When the last applied event occurred at the branch, and when it was applied here.
    last_event_at    timestamptz,
    applied_at       timestamptz,
    events_applied   bigint      NOT NULL DEFAULT 0,
    first_seen_at    timestamptz NOT NULL DEFAULT now()
);

-- Every event applied, once: (site, sequence) is the exactly-once key. An event delivered again
-- (a broker redelivery, a branch re-sending after the broker lost messages) finds its row and
-- is skipped.
CREATE TABLE bss.applied_events (
    site_id     text        NOT NULL REFERENCES bss.sites (site_id),
    sequence    bigint      NOT NULL CHECK (sequence >= 1),
    event_id    text        NOT NULL,
    event_type  text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_kind  text        NOT NULL,
    actor_id    text        NOT NULL,
    data        jsonb       NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, sequence)
);
CREATE INDEX applied_events_by_type ON bss.applied_events (event_type, occurred_at);

-- The resources as the branch's API returns them, latest version first: the columns reports
-- need, and `data` with the whole resource. `source_sequence` is the event that last wrote the
-- row (an older event never overwrites a newer one).
CREATE TABLE bss.customers (
    site_id         text        NOT NULL REFERENCES bss.sites (site_id),
    customer_id     text        NOT NULL,
    account_number  text        NOT NULL,
    customer_type   text        NOT NULL,
    status          text        NOT NULL,
    first_name      text,
    last_name       text,
    company_name    text,
    email           text        NOT NULL,
    phone           text,
    tax_exempt      boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    source_sequence bigint      NOT NULL,
    data            jsonb       NOT NULL,
    PRIMARY KEY (site_id, customer_id)
);
CREATE INDEX customers_by_status ON bss.customers (site_id, status);

CREATE TABLE bss.subscriptions (
    site_id         text          NOT NULL REFERENCES bss.sites (site_id),
    subscription_id text          NOT NULL,
    customer_id     text          NOT NULL,
    product_id      text          NOT NULL,
    product_name    text          NOT NULL,
    status          text          NOT NULL,
    start_date      date          NOT NULL,
    end_date        date,
    monthly_charge  numeric NOT NULL,
    currency        char(3)       NOT NULL,
    source_sequence bigint        NOT NULL,
    data            jsonb         NOT NULL,
    PRIMARY KEY (site_id, subscription_id)
);
CREATE INDEX subscriptions_by_customer ON bss.subscriptions (site_id, customer_id);

CREATE TABLE bss.invoices (
    site_id          text          NOT NULL REFERENCES bss.sites (site_id),
    invoice_id       text          NOT NULL,
    invoice_number   text          NOT NULL,
    customer_id      text          NOT NULL,
    status           text          NOT NULL,
    invoice_date     date          NOT NULL,
    due_date         date          NOT NULL,
    period           text,
    currency         char(3)       NOT NULL,
    net_amount       numeric NOT NULL,
    tax_amount       numeric NOT NULL,
    total_amount     numeric NOT NULL,
    tax_rate_percent numeric NOT NULL,
    -- Kept equal to the sum of the invoice's payments (a partial payment changes the invoice at
    -- the branch without an invoice event of its own).
    amount_paid      numeric NOT NULL,
    amount_due       numeric NOT NULL,
    cancel_reason    text,
    source_sequence  bigint        NOT NULL,
    data             jsonb         NOT NULL,
    PRIMARY KEY (site_id, invoice_id),
    -- Each site numbers its own series (PORTS-2026-000001), so a number names one invoice
    -- across all sites; invoices a branch issued before it had a site id (INV-…) are only
    -- unique within it.
    UNIQUE (site_id, invoice_number)
);
CREATE INDEX invoices_by_number ON bss.invoices (invoice_number);
CREATE INDEX invoices_by_customer ON bss.invoices (site_id, customer_id);
CREATE INDEX invoices_by_date ON bss.invoices (invoice_date);

CREATE TABLE bss.invoice_lines (
    site_id         text          NOT NULL,
    invoice_id      text          NOT NULL,
    position        integer       NOT NULL CHECK (position >= 0),
    description     text          NOT NULL,
    quantity        numeric NOT NULL,
    unit_price      numeric NOT NULL,
    amount          numeric NOT NULL,
    kind            text,
    subscription_id text,
    addon_id        text,
    period_start    date,
    period_end      date,
    PRIMARY KEY (site_id, invoice_id, position),
    FOREIGN KEY (site_id, invoice_id) REFERENCES bss.invoices (site_id, invoice_id)
);

CREATE TABLE bss.payments (
    site_id     text          NOT NULL REFERENCES bss.sites (site_id),
    payment_id  text          NOT NULL,
    invoice_id  text          NOT NULL,
    amount      numeric NOT NULL,
    currency    char(3)       NOT NULL,
    paid_at     timestamptz   NOT NULL,
    method      text          NOT NULL,
    reference   text,
    created_at  timestamptz   NOT NULL,
    data        jsonb         NOT NULL,
    PRIMARY KEY (site_id, payment_id)
);
CREATE INDEX payments_by_invoice ON bss.payments (site_id, invoice_id);
CREATE INDEX payments_by_day ON bss.payments (paid_at);
