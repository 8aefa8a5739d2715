"""Backups, restores, export requests and exit periods."""
