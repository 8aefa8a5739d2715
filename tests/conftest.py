import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared() -> Path:
    """The reference folder ../shared; under CI=true it must be there."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing under CI=true")
        pytest.skip(f"reference folder {SHARED} is absent")
    return SHARED
