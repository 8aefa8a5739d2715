"""The house drawn from its imports: which part imports which, as a Mermaid graph.

`python -m termline.devtools.architecture [SRC] [--depth N]` reads every module under SRC
(default: this package's own source), keeps the imports between termline's modules, and folds
each module into its part (the first N names after `termline`). docs/architecture.md shows the
drawing of this layout beside the one of the layout before it; a test keeps the first current.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = "termline"


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> Iterable[str]:
    """The termline modules one file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == ROOT)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == ROOT:
                yield base


def part(module: str, depth: int) -> str:
    return ".".join(module.split(".")[1: 1 + depth]) or ROOT


def edges(src: Path, depth: int) -> Counter[tuple[str, str]]:
    """(importing part, imported part) -> number of module-to-module imports."""
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted((src / ROOT).rglob("*.py")):
        module = module_name(path, src)
        for target in imports_of(path, module):
            a, b = part(module, depth), part(target, depth)
            if a != b and b != ROOT:
                found[(a, b)] += 1
    return found


def mermaid(found: Counter[tuple[str, str]]) -> str:
    def node(name: str) -> str:
        return name.replace(".", "_")

    lines = ["```mermaid", "flowchart TD"]
    for (a, b), count in sorted(found.items()):
        lines.append(f"    {node(a)}[{a}] -->|{count}| {node(b)}[{b}]")
    lines.append("```")
    return "\n".join(lines)


def redraw(page: str, src: Path) -> str:
    """The page with its drawings of this layout (after `<!-- after -->` at depth 1 and after
    `<!-- inside -->`, the domain's parts at depth 2) made anew."""
    inside = Counter({(a, b): n for (a, b), n in edges(src, 2).items()
                      if a.startswith("domain.") and b.startswith("domain.")})
    for marker, drawing in (("<!-- after -->", mermaid(edges(src, 1))),
                            ("<!-- inside -->", mermaid(inside))):
        start = page.index(marker) + len(marker) + 1
        end = page.index("```\n", page.index("```mermaid", start) + 3) + 3
        page = page[:start] + drawing + page[end:]
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", nargs="?", type=Path, default=Path(__file__).parents[2])
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--write", type=Path, help="redraw this page (docs/architecture.md)")
    args = parser.parse_args()
    if args.write:
        args.write.write_text(redraw(args.write.read_text("utf-8"), args.src), "utf-8")
        return
    print(mermaid(edges(args.src, args.depth)))


if __name__ == "__main__":
    main()
