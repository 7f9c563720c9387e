DROP TABLE orders;
PRAGMA user_version = 0;
