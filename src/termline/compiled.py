"""Which code runs: the pure-Python package (the reference) or the compiled core.

`make compiled` (compile_core.py) builds the modules listed in pyproject.toml with mypyc into
build/compiled/, beside the source tree and never inside it, with a manifest of each source's
SHA-256. `termline/__init__.py` calls `use_compiled()` first thing: unless TERMLINE_PURE is set
(to anything but "" or "0"), and only when the manifest is of this Python and matches every
source, a finder placed first on `sys.meta_path` loads those modules from their extensions;
every other module, and every module under TERMLINE_PURE=1, is imported from its .py file.
A stale build (a source edited since) is not used: termline warns and runs pure.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]  # the repository, for an editable install
BUILD = Path(os.environ.get("TERMLINE_COMPILED_DIR") or ROOT / "build" / "compiled")

loaded: dict[str, Path] = {}  # the modules the finder serves, with their extension


def pure() -> bool:
    """TERMLINE_PURE asks for the pure-Python package."""
    return os.environ.get("TERMLINE_PURE", "") not in ("", "0")


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        extension = loaded.get(fullname)
        if extension is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(extension))
        return importlib.util.spec_from_file_location(fullname, extension, loader=loader)


def use_compiled() -> bool:
    """Serve the compiled modules when a matching build exists and TERMLINE_PURE is unset."""
    if pure() or loaded:
        return bool(loaded)
    manifest = BUILD / "manifest.json"
    if not manifest.is_file():
        return False
    built = json.loads(manifest.read_text())
    if built.get("python") != sys.implementation.cache_tag:
        warnings.warn(f"{BUILD} was built for {built.get('python')}: running pure",
                      RuntimeWarning, stacklevel=2)
        return False
    stale = [m["source"] for m in built["modules"].values()
             if not (ROOT / m["source"]).is_file()
             or hashlib.sha256((ROOT / m["source"]).read_bytes()).hexdigest() != m["sha256"]]
    if stale:
        warnings.warn(f"the compiled core in {BUILD} is older than {', '.join(stale)}: running "
                      "pure (make compiled rebuilds it)", RuntimeWarning, stacklevel=2)
        return False
    loaded.update((name, BUILD / m["extension"]) for name, m in built["modules"].items())
    sys.path.append(str(BUILD))  # mypyc's shared library, imported by name by each module
    sys.meta_path.insert(0, _Finder())
    return True


def compiled_modules() -> list[str]:
    """The modules now imported from their extension (for reports and tests)."""
    return sorted(name for name, module in sys.modules.items()
                  if name in loaded and not (getattr(module, "__file__", "") or "").endswith(".py"))
