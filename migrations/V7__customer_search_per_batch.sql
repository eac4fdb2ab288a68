-- The search index is brought up to date once per write batch instead of once per customer.
--
-- FTS5 writes its pending terms out as a new index segment whenever a savepoint it took part in
-- is released, and the writer runs every job in its own savepoint: with V4's triggers each new
-- customer wrote (and later merged) a segment of its own, a third of the writer's time under a
-- load of creates. The triggers now only note which customers changed; the writer indexes them
-- all with one statement at the end of each batch, inside the same transaction and before its
-- COMMIT (src/db/customer_search.rs, `index_pending`), so a committed customer is always
-- searchable.
--   indexed: 0 = not in the index yet (new), 1 = in it with old text that must be replaced.
CREATE TABLE customer_search_pending (
    seq     INTEGER PRIMARY KEY,
    indexed INTEGER NOT NULL CHECK (indexed IN (0, 1))
);

DROP TRIGGER customers_search_insert;
DROP TRIGGER customers_search_update;
DROP TRIGGER customers_search_delete;

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_search_pending (seq, indexed) VALUES (NEW.seq, 0)
    ON CONFLICT (seq) DO NOTHING;
END;

-- A customer already waiting keeps its flag: new stays new, changed stays changed.
CREATE TRIGGER customers_search_update
AFTER UPDATE OF first_name, last_name, company_name, email, phone, account_number ON customers
BEGIN
    INSERT INTO customer_search_pending (seq, indexed) VALUES (NEW.seq, 1)
    ON CONFLICT (seq) DO NOTHING;
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customer_search
     WHERE rowid = OLD.seq
       AND NOT EXISTS (SELECT 1 FROM customer_search_pending WHERE seq = OLD.seq AND indexed = 0);
    DELETE FROM customer_search_pending WHERE seq = OLD.seq;
END;
