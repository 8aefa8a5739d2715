"""The OpenAPI document as the app serves it at /openapi.json;
`python -m termline.entrypoints.api.openapi > docs/openapi.json` refreshes the copy kept in the
repository (a test fails when it is stale)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from termline.app.wiring import unconnected
from termline.entrypoints.api.app import create_app

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def document() -> dict[str, Any]:
    # No connection is made: the document depends on the routes only.
    return create_app(unconnected(), lambda: EPOCH).openapi()


def text() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(text())
