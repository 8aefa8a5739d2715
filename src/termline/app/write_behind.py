"""Reading the next chunk while the last one is written.

On PostgreSQL most of a chunk's write is the server's work (`COPY` with its indexes and
foreign-key checks), during which the importing process only waits; a writer thread lets the
reader parse and validate the next chunk meanwhile (the wait releases the GIL). One chunk is
written and at most one more waits, so memory stays a few chunks. Errors come out in file
order: a chunk refused by the store is reported before a bad line that follows it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def write_behind(chunks: Iterable[T], write: Callable[[T], int]) -> int:
    """`write` each chunk in a thread of its own while the next is read: the sum of what
    `write` returned. The first error (in file order) is raised; no chunk after it is
    written."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []
    total = 0

    def writer() -> None:
        nonlocal total
        while (item := waiting.get()) is not _DONE:
            if failed:
                continue  # drain: the reader stops on seeing the failure
            try:
                total += write(item)  # type: ignore[arg-type]
            except BaseException as exc:  # raised again in the reader
                failed.append(exc)

    def finish() -> None:
        waiting.put(_DONE)
        thread.join()
        if failed:
            raise failed[0]

    thread = threading.Thread(target=writer, name="import-writer", daemon=True)
    thread.start()
    try:
        for chunk in chunks:
            if failed:
                break
            waiting.put(chunk)
    except BaseException:
        finish()  # the chunk being written comes first in the file: its error first
        raise
    finish()
    return total
