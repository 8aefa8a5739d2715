"""What comes back out for the accountant: the double-entry journal of the documents and the
money, a tenant's chart of accounts, and the Belgian VAT return's sales grids from it."""
