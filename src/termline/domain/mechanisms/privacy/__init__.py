"""Sub-processor and hosting changes, audits, force majeure."""
