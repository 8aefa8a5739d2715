"""Overdue: the dunning ladder per unpaid invoice and late-payment interest."""
