"""Asking a real database, opt-in: how many rows a statement would change, out of how many.

Nothing here ever changes a database. Every connection is read-only at the session level, has
connect and statement timeouts, sends one statement at a time (a text holding two is refused by the
protocol), never runs the statement itself nor `EXPLAIN ANALYZE`, and rolls back after each
question. The URL's password never leaves `urls`: messages name the URL in its redacted form.

- `urls`: what a database URL names (engine, redacted form, secret).
- `connections`: a read-only session per engine (PostgreSQL, MySQL/MariaDB, SQLite).
- `estimates`: the rows a DELETE, UPDATE or MERGE would change, and the table's size.
"""
