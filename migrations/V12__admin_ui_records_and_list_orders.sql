-- The admin UI as an operator expects it: the customer record an ISP keeps, and an index for
-- every sort order and filter the lists offer, so list pages stay fast at 100,000 customers.

-- The customer record: who to talk to at an organisation, the customer's own tax id (printed on
-- its invoices), and free-form notes. All optional.
ALTER TABLE customers ADD COLUMN contact_person TEXT;
ALTER TABLE customers ADD COLUMN tax_id TEXT;
ALTER TABLE customers ADD COLUMN notes TEXT;

-- The name the customer list sorts by: the name it shows (the company for organisations, the
-- person's name otherwise), in lower case. Computed, never stored by hand, so it cannot go
-- stale; each sort and its most used filter (status) has an index ending in seq, so a page of
-- a sorted list reads only its own rows and the index entries before them.
ALTER TABLE customers ADD COLUMN sort_name TEXT GENERATED ALWAYS AS (
    lower(CASE WHEN customer_type = 'Individual'
               THEN COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')
               ELSE COALESCE(company_name, '') END)) VIRTUAL;
CREATE INDEX customers_by_name ON customers (sort_name, seq);
CREATE INDEX customers_by_status_name ON customers (status, sort_name, seq);
-- "Customer since" filters: a date range is a range of this index.
CREATE INDEX customers_by_created ON customers (created_at);

-- The invoices a bill run created, for the run's page (only bill-run invoices carry a run).
CREATE INDEX invoices_by_run ON invoices (bill_run_id, seq) WHERE bill_run_id IS NOT NULL;
-- The invoice list: by status in date order, and by due date with or without a status. Date
-- order without a status uses `invoices_by_date` (V4), number order the unique number index.
CREATE INDEX invoices_by_status_date ON invoices (status, invoice_date);
CREATE INDEX invoices_by_due ON invoices (due_date);
CREATE INDEX invoices_by_status_due ON invoices (status, due_date);
-- The dashboard's overdue customers: what each owes, read from this index alone.
CREATE INDEX invoices_overdue_by_customer ON invoices (customer_id, currency, total_amount, amount_paid)
    WHERE status = 'Overdue';
-- The dashboard's chart: what was paid each month, read from this index alone.
CREATE INDEX payments_by_paid_at ON payments (paid_at, currency, amount);
-- Who recorded a payment, who cancelled an invoice, who started a run: the newest audit entry
-- of that action on that object (`audit_by_object`, V9, already orders each object's entries).
