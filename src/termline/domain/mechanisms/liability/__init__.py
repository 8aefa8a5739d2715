"""Liability caps: the cap that applies on a date, with its arithmetic and clauses."""
