"""Subscription: terms, tacit renewal and termination notices."""
