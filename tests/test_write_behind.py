"""service.write_behind: chunks written in a thread while the next is read; errors in file
order, nothing written after the first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from termline.app.write_behind import write_behind


def test_every_chunk_is_written_in_order_and_counted() -> None:
    written: list[list[int]] = []

    def write(chunk: list[int]) -> int:
        written.append(chunk)
        return len(chunk)

    chunks = [[1, 2], [3], [4, 5, 6]]
    assert write_behind(iter(chunks), write) == 6
    assert written == chunks


def test_a_refused_chunk_is_reported_before_a_bad_line_after_it() -> None:
    """Chunk 2 is refused by the store while chunk 3 is read, and chunk 3's reading fails
    too: the store's error (earlier in the file) is the one raised."""
    written: list[int] = []

    def chunks() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("bad line in chunk 3")

    def write(chunk: int) -> int:
        if chunk == 2:
            raise KeyError("chunk 2 stored already")
        written.append(chunk)
        return 1

    with pytest.raises(KeyError, match="chunk 2"):
        write_behind(chunks(), write)
    assert written == [1]


def test_a_bad_line_stops_the_writing_of_what_follows() -> None:
    written: list[int] = []

    def chunks() -> Iterator[int]:
        yield 1
        raise ValueError("bad line in chunk 2")

    def write(chunk: int) -> int:
        written.append(chunk)
        return 1

    with pytest.raises(ValueError, match="chunk 2"):
        write_behind(chunks(), write)
    assert written == [1]


def test_after_a_refused_chunk_no_later_chunk_is_written() -> None:
    written: list[int] = []

    def write(chunk: int) -> int:
        if chunk == 1:
            raise KeyError("refused")
        written.append(chunk)
        return 1

    with pytest.raises(KeyError):
        write_behind(iter(range(1, 50)), write)
    assert written == []
