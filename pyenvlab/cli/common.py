"""Helpers shared by the command modules: output options and loading saved traces."""

from __future__ import annotations

import argparse
from pathlib import Path

from pyenvlab.errors import PyenvlabError

__all__ = ["add_output_options", "load_trace", "write_output"]


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--json FILE``, ``--width N`` and ``--color/--no-color``."""
    parser.add_argument(
        "--json", metavar="FILE", dest="json_out", help="also save the result as JSON to FILE"
    )
    parser.add_argument("--width", type=int, metavar="N", help="table width (default: the terminal's)")
    parser.add_argument(
        "--color",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="colour the table (default: on a terminal)",
    )


def write_output(record: object, args: argparse.Namespace) -> None:
    """Print ``record`` as a terminal table, and save its JSON if ``--json`` was given."""
    from pyenvlab import render

    json_out = getattr(args, "json_out", None)
    if json_out:
        try:
            record.save(json_out)  # type: ignore[attr-defined]
        except OSError as exc:
            msg = f"cannot write {json_out}: {exc.strerror or exc}"
            raise PyenvlabError(msg) from None
    print(render.text(record, width=getattr(args, "width", None), color=getattr(args, "color", None)))


def load_trace(path: str):
    """Read a saved trace, turning every failure into a one-line PyenvlabError."""
    from pyenvlab.model import Trace

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise PyenvlabError(msg) from None
    except UnicodeDecodeError:
        msg = f"{path} is not a UTF-8 text file"
        raise PyenvlabError(msg) from None
    return Trace.from_json(text)
