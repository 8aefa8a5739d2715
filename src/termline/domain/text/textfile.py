"""Reading an input file as text: UTF-8 (a byte-order mark is allowed), or a located error."""

from __future__ import annotations

from pathlib import Path

from termline.domain.errors import InputError


def read_text(path: str | Path, what: str = "file",
              error: type[InputError] = InputError) -> str:
    """The file's text; `error` naming the file when it cannot be read or is not UTF-8 text
    (a binary file, Latin-1, UTF-16: a spreadsheet's "save as" picks any of them)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", source=str(p)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{what} is UTF-16 text: save it as UTF-8", source=str(p))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x}): save it as "
                    "UTF-8", source=str(p), line=line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise error(f"{what} is binary, not text (a NUL byte)", source=str(p), line=line)
    return text
