-- Covering indexes for the business gauges on /metrics: counting active subscriptions and
-- summing recurring revenue, and summing open and overdue invoices, read only these indexes.
CREATE INDEX subscriptions_by_status_currency ON subscriptions (status, currency, monthly_charge, id);
CREATE INDEX invoices_by_status_currency ON invoices (status, currency, total_amount);
