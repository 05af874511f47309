"""Compile the listed modules of a built layer to bytecode for the interpreter running this (python3.13).

Usage: python3.13 precompile.py LAYER_PYTHON_DIR LISTING. Each line of LISTING is a file or a package folder,
relative to LAYER_PYTHON_DIR; "#" starts a comment. Run by the layer's Makefile during `sam build`.
"""

from __future__ import annotations

import py_compile
import sys
from pathlib import Path


def main(root: Path, listing: Path) -> int:
    compiled = 0
    for line in listing.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        path = root / entry
        if not path.exists():
            print(f"precompile: {entry} is not in the layer", file=sys.stderr)
            return 1
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            py_compile.compile(
                str(source), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
            )
            compiled += 1
    print(f"precompile: {compiled} modules compiled for Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
