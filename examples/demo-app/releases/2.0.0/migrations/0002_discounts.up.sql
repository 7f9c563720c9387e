-- Schema version 2: discount codes. Breaking for 1.0.0, which inserts orders.qty: the column is
-- renamed to quantity. There is deliberately no down-migration, so rolling 2.0.0 back to 1.0.0 is
-- a Type 3 rollback by restore (docs/rollback.md).
ALTER TABLE orders ADD COLUMN discount_code TEXT;
CREATE TABLE coupons (
  code TEXT PRIMARY KEY,
  percent_off INTEGER NOT NULL
);
INSERT INTO coupons (code, percent_off) VALUES ('WELCOME10', 10), ('SPRING25', 25), ('VIP50', 50);
ALTER TABLE orders RENAME COLUMN qty TO quantity;
PRAGMA user_version = 2;
