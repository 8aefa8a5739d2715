"""Command-line entrypoints (the imperative shell): files in, the pure core, output out."""
