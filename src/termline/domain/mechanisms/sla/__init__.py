"""Availability per measuring window, SLA credits, maintenance notices."""
