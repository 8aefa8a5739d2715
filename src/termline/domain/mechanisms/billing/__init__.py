"""Invoicing in advance per billing period, and pro-rata amounts for mid-period changes."""
