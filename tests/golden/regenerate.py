"""Rewrite the renderer goldens in this directory: ``python tests/golden/regenerate.py``.

The inputs are fixed: the hand-built traces of ``tests/render_fixtures.py`` and
``json_real.trace.json`` (a real ``import json`` trace, normalised: interpreter prefix,
working directory, version and timings replaced). Review the diff before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

from render_fixtures import golden_cases  # noqa: E402 - after the sys.path set-up


def main() -> int:
    """Write every golden file and list the ones that changed."""
    changed = 0
    for name, text in golden_cases().items():
        path = HERE / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.write_text(text, encoding="utf-8")
            print(f"{'updated' if old is not None else 'created'} {path.relative_to(HERE.parent.parent)}")
            changed += 1
    print(f"{changed} golden file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
