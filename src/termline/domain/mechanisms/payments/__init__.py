"""Payments: applied to the oldest open item first; what is left is the customer's credit."""
