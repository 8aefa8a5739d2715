"""Money coming in: bank statements (CAMT.053) matched to open invoices, SEPA direct-debit
collections (pain.008) and their returns (pain.002 or a bank CSV)."""
