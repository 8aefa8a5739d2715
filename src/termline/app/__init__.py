"""The service layer: thin handlers over a unit of work (intake, the daily run, the ledger)."""
