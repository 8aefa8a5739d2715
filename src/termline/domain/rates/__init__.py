"""Dated statutory late-payment interest rates, shipped with their sources."""
