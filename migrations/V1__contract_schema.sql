-- The connectX contract's data: customers, the product catalog, subscriptions with their add-ons,
-- invoices with their line items. Money is stored as integers of the currency's minor unit.
-- Every enum has a CHECK constraint; every list filter and order has an index.

CREATE TABLE customers (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    account_number TEXT    NOT NULL UNIQUE,
    customer_type  TEXT    NOT NULL CHECK (customer_type IN ('Individual', 'Business', 'Government')),
    status         TEXT    NOT NULL CHECK (status IN ('Active', 'Inactive', 'Suspended', 'Terminated')),
    first_name     TEXT,
    last_name      TEXT,
    company_name   TEXT,
    email          TEXT    NOT NULL,
    phone          TEXT,
    address        TEXT    CHECK (address IS NULL OR json_valid(address)),
    billing_address TEXT   CHECK (billing_address IS NULL OR json_valid(billing_address)),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    CHECK (customer_type <> 'Individual' OR (first_name IS NOT NULL AND last_name IS NOT NULL)),
    CHECK (customer_type = 'Individual' OR company_name IS NOT NULL)
);

-- List order is creation order (seq); each filter combination has an index ending in seq.
CREATE INDEX customers_by_status ON customers (status, seq);
CREATE INDEX customers_by_type ON customers (customer_type, seq);
CREATE INDEX customers_by_status_type ON customers (status, customer_type, seq);

-- How many customers each list holds, per block of 1024 rows (by seq). Totals are a sum over at
-- most a few thousand small rows instead of a COUNT(*) scan, and a deep page is found by skipping
-- whole blocks before a short OFFSET inside one. The triggers keep it exact in the same transaction
-- as every write, whoever writes.
--   key: '*' (all), 's:<status>', 't:<type>', 'st:<status>:<type>'
CREATE TABLE customer_list_counts (
    key   TEXT    NOT NULL,
    block INTEGER NOT NULL,
    n     INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (key, block)
) WITHOUT ROWID;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_list_counts (key, block, n) VALUES
        ('*', NEW.seq >> 10, 1),
        ('s:' || NEW.status, NEW.seq >> 10, 1),
        ('t:' || NEW.customer_type, NEW.seq >> 10, 1),
        ('st:' || NEW.status || ':' || NEW.customer_type, NEW.seq >> 10, 1)
    ON CONFLICT (key, block) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER customers_count_update AFTER UPDATE OF status, customer_type ON customers
WHEN OLD.status <> NEW.status OR OLD.customer_type <> NEW.customer_type
BEGIN
    UPDATE customer_list_counts SET n = n - 1
     WHERE block = OLD.seq >> 10
       AND key IN ('s:' || OLD.status, 't:' || OLD.customer_type,
                   'st:' || OLD.status || ':' || OLD.customer_type);
    INSERT INTO customer_list_counts (key, block, n) VALUES
        ('s:' || NEW.status, NEW.seq >> 10, 1),
        ('t:' || NEW.customer_type, NEW.seq >> 10, 1),
        ('st:' || NEW.status || ':' || NEW.customer_type, NEW.seq >> 10, 1)
    ON CONFLICT (key, block) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER customers_count_delete AFTER DELETE ON customers
BEGIN
    UPDATE customer_list_counts SET n = n - 1
     WHERE block = OLD.seq >> 10
       AND key IN ('*', 's:' || OLD.status, 't:' || OLD.customer_type,
                   'st:' || OLD.status || ':' || OLD.customer_type);
END;

CREATE TABLE products (
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    product_type  TEXT    NOT NULL CHECK (product_type IN ('Mobile', 'Broadband', 'TV', 'Bundle', 'Addon')),
    description   TEXT,
    monthly_price INTEGER NOT NULL CHECK (monthly_price >= 0),
    currency      TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    features      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(features)),
    status        TEXT    NOT NULL CHECK (status IN ('Active', 'Discontinued')),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE INDEX products_by_type ON products (product_type, seq);
CREATE INDEX products_by_status ON products (status, seq);
CREATE INDEX products_by_type_status ON products (product_type, status, seq);

CREATE TABLE subscriptions (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    customer_id    TEXT    NOT NULL REFERENCES customers (id),
    product_id     TEXT    NOT NULL REFERENCES products (id),
    product_name   TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('Active', 'Suspended', 'Cancelled', 'Pending')),
    start_date     TEXT    NOT NULL CHECK (date(start_date) = start_date),
    end_date       TEXT    CHECK (end_date IS NULL OR (date(end_date) = end_date AND end_date >= start_date)),
    monthly_charge INTEGER NOT NULL CHECK (monthly_charge >= 0),
    currency       TEXT    NOT NULL CHECK (length(currency) = 3),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE INDEX subscriptions_by_customer ON subscriptions (customer_id, seq);
CREATE INDEX subscriptions_by_customer_status ON subscriptions (customer_id, status, seq);
CREATE INDEX subscriptions_by_product ON subscriptions (product_id);

-- An add-on's name and charge are copied from the catalog when it is subscribed, like the
-- subscription's own, so later price changes do not rewrite them.
CREATE TABLE subscription_addons (
    subscription_id TEXT    NOT NULL REFERENCES subscriptions (id),
    position        INTEGER NOT NULL,
    addon_id        TEXT    NOT NULL REFERENCES products (id),
    addon_name      TEXT    NOT NULL,
    charge          INTEGER NOT NULL CHECK (charge >= 0),
    PRIMARY KEY (subscription_id, position),
    UNIQUE (subscription_id, addon_id)
) WITHOUT ROWID;

CREATE INDEX subscription_addons_by_addon ON subscription_addons (addon_id);

CREATE TABLE invoices (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    invoice_number TEXT    NOT NULL UNIQUE,
    customer_id    TEXT    NOT NULL REFERENCES customers (id),
    status         TEXT    NOT NULL CHECK (status IN ('Open', 'Paid', 'Overdue', 'Cancelled')),
    invoice_date   TEXT    NOT NULL CHECK (date(invoice_date) = invoice_date),
    due_date       TEXT    NOT NULL CHECK (date(due_date) = due_date AND due_date >= invoice_date),
    currency       TEXT    NOT NULL CHECK (length(currency) = 3),
    net_amount     INTEGER NOT NULL,
    tax_amount     INTEGER NOT NULL,
    total_amount   INTEGER NOT NULL CHECK (total_amount = net_amount + tax_amount),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

-- Invoices list newest first; the date range and status filters use these.
CREATE INDEX invoices_by_customer_date ON invoices (customer_id, invoice_date, seq);
CREATE INDEX invoices_by_customer_status_date ON invoices (customer_id, status, invoice_date, seq);

CREATE TABLE invoice_lines (
    invoice_id  TEXT    NOT NULL REFERENCES invoices (id),
    position    INTEGER NOT NULL,
    description TEXT    NOT NULL,
    quantity    TEXT    NOT NULL,
    unit_price  INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, position)
) WITHOUT ROWID;

-- Facts about this installation (e.g. that the demo data was loaded), as key/value pairs.
CREATE TABLE app_meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
