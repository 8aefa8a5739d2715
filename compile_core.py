"""Build the compiled pure core: the modules listed in pyproject.toml
(`[tool.termline.compiled] modules`) compiled with mypyc into build/compiled/.

Opt-in (`make compiled`); nothing else needs it. `termline` imports these extensions instead of
the .py files when build/compiled/manifest.json matches the sources and TERMLINE_PURE is not set
(src/termline/compiled.py). The manifest records each source's SHA-256: an edited source makes
the whole build stale, and termline then runs pure with a warning until the next build.

    python compile_core.py            # the build, from scratch
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "build" / "compiled"
TEMP = ROOT / "build" / "mypyc-temp"


def modules() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        listed: list[str] = tomllib.load(f)["tool"]["termline"]["compiled"]["modules"]
    return listed


def module_name(source: str) -> str:
    return ".".join(Path(source).relative_to("src").with_suffix("").parts)


def build() -> None:
    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[import-untyped]

    sources = modules()
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.rmtree(TEMP, ignore_errors=True)
    extensions = mypycify(sources, opt_level="3", target_dir=str(TEMP / "c"))
    setup(name="termline-compiled", ext_modules=extensions, py_modules=[],
          script_args=["--quiet", "build_ext", "--build-lib", str(OUT),
                       "--build-temp", str(TEMP / "obj")])
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = {}
    for source in sources:
        name = module_name(source)
        ext = Path(*name.split(".")).with_suffix("")
        ext = ext.parent / (ext.name + suffix)
        if not (OUT / ext).is_file():
            sys.exit(f"mypyc built no {ext} for {source}")
        built[name] = {"source": source, "extension": str(ext),
                       "sha256": hashlib.sha256((ROOT / source).read_bytes()).hexdigest()}
    import mypy.version

    (OUT / "manifest.json").write_text(json.dumps(
        {"python": sys.implementation.cache_tag, "ext_suffix": suffix,
         "mypy": mypy.version.__version__, "modules": built}, indent=1) + "\n")
    print(f"compiled {len(built)} modules into {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    build()
