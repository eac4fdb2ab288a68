-- Head-office reporting: views over the consolidated books, for any SQL or BI tool. Amounts are
-- exact decimals in each invoice's currency; never add amounts of different currencies.

-- Revenue invoiced per site and calendar month of the invoice date (cancelled invoices left
-- out), by currency.
CREATE VIEW bss.revenue_by_site_month AS
SELECT site_id,
       date_trunc('month', invoice_date)::date AS month,
       currency,
       count(*)          AS invoices,
       sum(net_amount)   AS net_amount,
       sum(tax_amount)   AS tax_amount,
       sum(total_amount) AS total_amount
FROM bss.invoices
WHERE status <> 'Cancelled'
GROUP BY site_id, date_trunc('month', invoice_date), currency;

-- What customers still owe per site, by how far past the due date it is today.
CREATE VIEW bss.receivables_aging AS
SELECT site_id,
       currency,
       CASE
           WHEN current_date <= due_date THEN 'not due'
           WHEN current_date - due_date <= 30 THEN '1-30'
           WHEN current_date - due_date <= 60 THEN '31-60'
           WHEN current_date - due_date <= 90 THEN '61-90'
           ELSE '90+'
       END              AS days_past_due,
       count(*)         AS invoices,
       sum(amount_due)  AS amount_due
FROM bss.invoices
WHERE status IN ('Open', 'Overdue') AND amount_due > 0
GROUP BY 1, 2, 3;

-- Payments received per day (UTC) and method, per site.
CREATE VIEW bss.payments_by_day_method AS
SELECT site_id,
       (paid_at AT TIME ZONE 'UTC')::date AS day,
       method,
       currency,
       count(*)    AS payments,
       sum(amount) AS amount
FROM bss.payments
GROUP BY 1, 2, 3, 4;

-- Customers per site and status.
CREATE VIEW bss.customers_by_site_status AS
SELECT site_id, status, count(*) AS customers
FROM bss.customers
GROUP BY site_id, status;

-- How far behind head office is for each site: the last event applied, when it happened at the
-- branch and when it was applied here.
CREATE VIEW bss.site_lag AS
SELECT site_id,
       applied_sequence         AS last_applied_sequence,
       last_event_at,
       applied_at,
       now() - last_event_at    AS behind_by,
       events_applied
FROM bss.sites;

-- A role for reports: it may read the books and the views, and change nothing. Log-in roles
-- are made members of it (CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE bss_reader). Creating a
-- role needs CREATEROLE; without it, the grants are left to an administrator (README).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bss_reader') THEN
        BEGIN
            CREATE ROLE bss_reader NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'role bss_reader not created (no CREATEROLE privilege)';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bss_reader') THEN
        GRANT USAGE ON SCHEMA bss TO bss_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA bss TO bss_reader;
        ALTER DEFAULT PRIVILEGES IN SCHEMA bss GRANT SELECT ON TABLES TO bss_reader;
    END IF;
END
$$;
