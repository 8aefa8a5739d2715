"""Metered usage above allowances, one-off purchases, storage warnings."""
