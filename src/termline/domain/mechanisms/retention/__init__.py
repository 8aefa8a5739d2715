"""Data after termination: export window, deletion dates, deletion on instruction."""
