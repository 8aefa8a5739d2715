"""Notices: webhook deliveries and e-mails derived from the ledger's actions, and their senders."""
