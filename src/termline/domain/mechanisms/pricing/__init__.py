"""Price indexation and announced price and terms changes."""
