"""Concurrent requests' database work gathered into batches, run in one thread trip each.

A request awaits `Gather.__call__(item)` on the event loop. When no batch is running, the
item's arrival starts one at once (no timer): every item queued by then goes to a thread of
the pool together, and the function given runs them in one transaction with multi-row
statements. The items that arrive while a batch runs wait for it and form the next one, so
a quiet server runs a batch of one without delay and a loaded one batches as many requests
as arrive during a round trip. One thread trip and one commit per batch, not per request:
on a server bound by the interpreter, the per-statement and per-trip overhead is what a
request costs.

The function answers each item on its own (a result, or the exception that item raised:
one request's refusal never fails the others).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from anyio import to_thread

In = TypeVar("In")
Out = TypeVar("Out")


class Gather(Generic[In, Out]):
    def __init__(self, run: Callable[[Sequence[In]], Sequence[Out | BaseException]]) -> None:
        self._run = run
        self._queue: list[tuple[In, asyncio.Future[Out]]] = []
        self._running = False
        self.batches = 0  # how many batches ran, and how many items (a test's and a bench's view)
        self.items = 0

    @property
    def waiting(self) -> int:
        """Items queued for the next batch."""
        return len(self._queue)

    async def __call__(self, item: In) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                self.batches += 1
                self.items += len(batch)
                try:
                    found = await to_thread.run_sync(self._run, [item for item, _ in batch])
                except Exception as exc:  # every waiter of the batch is told
                    _fail(batch, exc)
                    continue
                except BaseException as exc:  # cancelled (the server stops): so are they
                    _fail(batch, exc)
                    raise
                for (_, future), answer in zip(batch, found, strict=True):
                    if future.done():  # its request was cancelled (the client left)
                        continue
                    if isinstance(answer, BaseException):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)
        finally:
            self._running = False


def _fail(batch: Sequence[tuple[object, asyncio.Future[Out]]], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)
