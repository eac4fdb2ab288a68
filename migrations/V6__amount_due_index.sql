-- The unpaid-amount gauge on /metrics sums what is still due (total less payments), so the
-- covering index carries amount_paid too.
DROP INDEX invoices_by_status_currency;
CREATE INDEX invoices_by_status_currency ON invoices (status, currency, total_amount, amount_paid);
