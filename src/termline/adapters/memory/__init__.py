"""In-memory fakes of the store's repositories (`app/ports.py`): plain dicts, no SQL, for the
fast tier of the tests. `tests/contract/` holds them to the SQL store's behaviour."""
