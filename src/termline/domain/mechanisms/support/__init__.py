"""Support response deadlines in business hours, defects and refunds."""
