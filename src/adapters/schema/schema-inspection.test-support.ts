/** One schema written for both databases: what the inspectors must read back alike. */
export const INSPECTED_SCHEMA_SQL = `
CREATE TABLE users (
  id integer PRIMARY KEY,
  email text NOT NULL UNIQUE,
  plan text NOT NULL DEFAULT 'free',
  age integer CHECK (age >= 0)
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  note text
);
CREATE INDEX orders_by_user ON orders (user_id) WHERE note IS NOT NULL;
CREATE VIEW user_emails AS SELECT id, email FROM users;
`;
