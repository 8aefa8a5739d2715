"""VAT: dated standard rates, the category a supply falls in, and EN 16931 totals."""
