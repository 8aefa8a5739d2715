"""`replace` for the engine's frozen records: checked as `dataclasses.replace`, run as the fast
copy of `record_copy.replace`.

mypy checks a call of `dataclasses.replace` against the record's fields (a misspelt field or
a value of the wrong type is an error at the call site); the fast copy, chosen for the daily
step's profile, takes `**changes: Any` and would check nothing. So mypy is shown the one and
Python runs the other (the same result: `record_copy` falls back to `dataclasses.replace`
wherever a copy would differ). This module stays pure Python: mypyc compiles an `else:` that
mypy holds unreachable into a RuntimeError, while the compiled callers take the fast copy
from here at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import replace as replace
else:
    from termline.domain.values.record_copy import replace

__all__ = ["replace"]
