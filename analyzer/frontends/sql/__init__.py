"""SQL: statements with exact spans, parsed by sqlglot."""
