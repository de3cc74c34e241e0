"""Full-text search: one query language, one interface, two engines (SQLite FTS5, PostgreSQL)."""
