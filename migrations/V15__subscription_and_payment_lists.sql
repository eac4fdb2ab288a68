-- The admin UI's Subscriptions and Payments lists: an index for each filter and order they
-- offer, and their counts and totals kept up to date as the rows change, so that a page of
-- either costs about the same at 100,000 customers as at fifty.

-- Subscriptions by start date, alone or after a status or a product; by monthly charge, alone
-- or after a status. Every index ends in seq, so a page reads its own rows in list order.
CREATE INDEX subscriptions_by_start ON subscriptions (start_date);
CREATE INDEX subscriptions_by_status_start ON subscriptions (status, start_date);
CREATE INDEX subscriptions_by_product_start ON subscriptions (product_id, start_date);
CREATE INDEX subscriptions_by_charge ON subscriptions (monthly_charge);
CREATE INDEX subscriptions_by_status_charge ON subscriptions (status, monthly_charge);
-- Its first column is subscriptions_by_product_start's: every lookup by product uses that one.
DROP INDEX subscriptions_by_product;

-- Payments by the time paid after a method, in the order of payments_by_paid_at (V12: paid_at,
-- currency, amount), which lists them by the time paid alone; by amount; and by reference as
-- typed in any case (a search finds references starting with it).
CREATE INDEX payments_by_method_paid_at ON payments (method, paid_at, currency, amount);
CREATE INDEX payments_by_amount ON payments (amount);
CREATE INDEX payments_by_reference ON payments (reference COLLATE NOCASE)
    WHERE reference IS NOT NULL;

-- How many subscriptions there are and what they charge a month, per status, product and
-- currency: of all of them (span '*'), of those started in a month ('m:2026-11') and on a day
-- ('d:2026-11-26'). A list's count and totals add up the rows its filters pick: a start-date
-- range is its whole months and the days at either end, a few hundred rows at most however many
-- subscriptions it holds, where summing the subscriptions themselves reads every one of them
-- (16 ms for 80,000). The triggers keep it exact in the same transaction as every write,
-- whoever writes.
CREATE TABLE subscription_list_totals (
    span       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    product_id TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    n          INTEGER NOT NULL CHECK (n >= 0),
    charge     INTEGER NOT NULL CHECK (charge >= 0),
    PRIMARY KEY (span, status, product_id, currency)
) WITHOUT ROWID;

INSERT INTO subscription_list_totals (span, status, product_id, currency, n, charge)
SELECT '*', status, product_id, currency, COUNT(*), SUM(monthly_charge)
  FROM subscriptions GROUP BY status, product_id, currency;
INSERT INTO subscription_list_totals (span, status, product_id, currency, n, charge)
SELECT 'm:' || substr(start_date, 1, 7), status, product_id, currency, COUNT(*), SUM(monthly_charge)
  FROM subscriptions GROUP BY substr(start_date, 1, 7), status, product_id, currency;
INSERT INTO subscription_list_totals (span, status, product_id, currency, n, charge)
SELECT 'd:' || start_date, status, product_id, currency, COUNT(*), SUM(monthly_charge)
  FROM subscriptions GROUP BY start_date, status, product_id, currency;

CREATE TRIGGER subscriptions_totals_insert AFTER INSERT ON subscriptions
BEGIN
    INSERT INTO subscription_list_totals (span, status, product_id, currency, n, charge) VALUES
        ('*', NEW.status, NEW.product_id, NEW.currency, 1, NEW.monthly_charge),
        ('m:' || substr(NEW.start_date, 1, 7), NEW.status, NEW.product_id, NEW.currency, 1,
         NEW.monthly_charge),
        ('d:' || NEW.start_date, NEW.status, NEW.product_id, NEW.currency, 1, NEW.monthly_charge)
    ON CONFLICT (span, status, product_id, currency)
    DO UPDATE SET n = n + 1, charge = charge + excluded.charge;
END;

-- The bill run's own updates (how far each subscription is billed) name none of these columns,
-- so they do not fire it.
CREATE TRIGGER subscriptions_totals_update
AFTER UPDATE OF status, product_id, currency, monthly_charge, start_date ON subscriptions
WHEN OLD.status <> NEW.status OR OLD.product_id <> NEW.product_id
  OR OLD.currency <> NEW.currency OR OLD.monthly_charge <> NEW.monthly_charge
  OR OLD.start_date <> NEW.start_date
BEGIN
    UPDATE subscription_list_totals SET n = n - 1, charge = charge - OLD.monthly_charge
     WHERE status = OLD.status AND product_id = OLD.product_id AND currency = OLD.currency
       AND span IN ('*', 'm:' || substr(OLD.start_date, 1, 7), 'd:' || OLD.start_date);
    INSERT INTO subscription_list_totals (span, status, product_id, currency, n, charge) VALUES
        ('*', NEW.status, NEW.product_id, NEW.currency, 1, NEW.monthly_charge),
        ('m:' || substr(NEW.start_date, 1, 7), NEW.status, NEW.product_id, NEW.currency, 1,
         NEW.monthly_charge),
        ('d:' || NEW.start_date, NEW.status, NEW.product_id, NEW.currency, 1, NEW.monthly_charge)
    ON CONFLICT (span, status, product_id, currency)
    DO UPDATE SET n = n + 1, charge = charge + excluded.charge;
END;

CREATE TRIGGER subscriptions_totals_delete AFTER DELETE ON subscriptions
BEGIN
    UPDATE subscription_list_totals SET n = n - 1, charge = charge - OLD.monthly_charge
     WHERE status = OLD.status AND product_id = OLD.product_id AND currency = OLD.currency
       AND span IN ('*', 'm:' || substr(OLD.start_date, 1, 7), 'd:' || OLD.start_date);
END;

-- The same for payments, per method and currency, by the UTC time paid (stored as
-- `2026-11-26T10:00:00.000Z`): all ('*'), a month ('m:2026-11'), a day ('d:2026-11-26') and an
-- hour ('h:2026-11-26T10'). The list's dates are days in the operator's time zone, whose
-- midnight is a UTC hour (or, in a few zones, half or three quarters past one: those minutes
-- are counted from the payments themselves).
CREATE TABLE payment_list_totals (
    span     TEXT    NOT NULL,
    method   TEXT    NOT NULL,
    currency TEXT    NOT NULL,
    n        INTEGER NOT NULL CHECK (n >= 0),
    amount   INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (span, method, currency)
) WITHOUT ROWID;

INSERT INTO payment_list_totals (span, method, currency, n, amount)
SELECT '*', method, currency, COUNT(*), SUM(amount) FROM payments GROUP BY method, currency;
INSERT INTO payment_list_totals (span, method, currency, n, amount)
SELECT 'm:' || substr(paid_at, 1, 7), method, currency, COUNT(*), SUM(amount)
  FROM payments GROUP BY substr(paid_at, 1, 7), method, currency;
INSERT INTO payment_list_totals (span, method, currency, n, amount)
SELECT 'd:' || substr(paid_at, 1, 10), method, currency, COUNT(*), SUM(amount)
  FROM payments GROUP BY substr(paid_at, 1, 10), method, currency;
INSERT INTO payment_list_totals (span, method, currency, n, amount)
SELECT 'h:' || substr(paid_at, 1, 13), method, currency, COUNT(*), SUM(amount)
  FROM payments GROUP BY substr(paid_at, 1, 13), method, currency;

CREATE TRIGGER payments_totals_insert AFTER INSERT ON payments
BEGIN
    INSERT INTO payment_list_totals (span, method, currency, n, amount) VALUES
        ('*', NEW.method, NEW.currency, 1, NEW.amount),
        ('m:' || substr(NEW.paid_at, 1, 7), NEW.method, NEW.currency, 1, NEW.amount),
        ('d:' || substr(NEW.paid_at, 1, 10), NEW.method, NEW.currency, 1, NEW.amount),
        ('h:' || substr(NEW.paid_at, 1, 13), NEW.method, NEW.currency, 1, NEW.amount)
    ON CONFLICT (span, method, currency) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

-- Payments are recorded once and never changed (a refund is a record of its own); these two
-- keep the sums right should one ever be.
CREATE TRIGGER payments_totals_update AFTER UPDATE OF method, currency, amount, paid_at ON payments
WHEN OLD.method <> NEW.method OR OLD.currency <> NEW.currency OR OLD.amount <> NEW.amount
  OR OLD.paid_at <> NEW.paid_at
BEGIN
    UPDATE payment_list_totals SET n = n - 1, amount = amount - OLD.amount
     WHERE method = OLD.method AND currency = OLD.currency
       AND span IN ('*', 'm:' || substr(OLD.paid_at, 1, 7), 'd:' || substr(OLD.paid_at, 1, 10),
                    'h:' || substr(OLD.paid_at, 1, 13));
    INSERT INTO payment_list_totals (span, method, currency, n, amount) VALUES
        ('*', NEW.method, NEW.currency, 1, NEW.amount),
        ('m:' || substr(NEW.paid_at, 1, 7), NEW.method, NEW.currency, 1, NEW.amount),
        ('d:' || substr(NEW.paid_at, 1, 10), NEW.method, NEW.currency, 1, NEW.amount),
        ('h:' || substr(NEW.paid_at, 1, 13), NEW.method, NEW.currency, 1, NEW.amount)
    ON CONFLICT (span, method, currency) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

CREATE TRIGGER payments_totals_delete AFTER DELETE ON payments
BEGIN
    UPDATE payment_list_totals SET n = n - 1, amount = amount - OLD.amount
     WHERE method = OLD.method AND currency = OLD.currency
       AND span IN ('*', 'm:' || substr(OLD.paid_at, 1, 7), 'd:' || substr(OLD.paid_at, 1, 10),
                    'h:' || substr(OLD.paid_at, 1, 13));
END;
