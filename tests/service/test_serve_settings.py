"""`serve`'s settings from the environment: a bad value is refused naming the variable."""

from datetime import timedelta

import pytest

from termline.domain.errors import TermlineError
from termline.entrypoints.cli.serve_app import delivery_lease


def test_the_delivery_lease_is_60_seconds_unless_set() -> None:
    assert delivery_lease({}) == timedelta(seconds=60)
    assert delivery_lease({"TERMLINE_DELIVERY_LEASE": "2.5"}) == timedelta(seconds=2.5)


@pytest.mark.parametrize("text", ["0", "-5", "soon", "nan", "inf", "3601"])
def test_a_delivery_lease_that_is_not_1_to_3600_seconds_is_refused(text: str) -> None:
    with pytest.raises(TermlineError, match=f"TERMLINE_DELIVERY_LEASE: '{text}' is not a number"):
        delivery_lease({"TERMLINE_DELIVERY_LEASE": text})
