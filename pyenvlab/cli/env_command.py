"""Export, diff and recreate environments; check whether a venv survives being copied.

examples:
  python -m pyenvlab env export                       # pinned requirements of this interpreter
  python -m pyenvlab env export --python .venv/bin/python --format yml > environment.yml
  python -m pyenvlab env export --format pylock --find-links wheels/ > pylock.toml   # PEP 751
  python -m pyenvlab env diff .venv/bin/python requirements.txt
  python -m pyenvlab env diff .venv uv.lock           # or a pylock.toml
  python -m pyenvlab env recreate env.json new-venv --find-links wheels/
  python -m pyenvlab env relocatable .venv            # absolute paths that break a copied venv
  python -m pyenvlab env conda /opt/conda             # packages, builds, channels, shared libraries
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_timeout_option

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-commands of ``env``."""
    sub = parser.add_subparsers(dest="env_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    exp = sub.add_parser("export", help="pin every distribution of an environment")
    exp.add_argument("--python", metavar="EXE", help="the environment's interpreter (default: this one)")
    exp.add_argument(
        "--format", choices=("requirements", "yml", "pylock", "json", "text", "html"), default="requirements"
    )
    exp.add_argument("--name", default="exported", help="the environment name in the yml form")
    add_timeout_option(exp, what="the --python interpreter")
    exp.add_argument(
        "--find-links",
        metavar="DIR",
        action="append",
        default=[],
        help="pylock: lock the wheels and sdists in DIR for packages installed from an index (repeatable)",
    )
    dif = sub.add_parser("diff", help="compare two interpreters, environments or export files")
    dif.add_argument(
        "left",
        help="an interpreter, a venv directory, an export (.json/.txt/.yml) or a lock (pylock.toml, uv.lock)",
    )
    dif.add_argument("right")
    dif.add_argument("--format", choices=("text", "json", "html"), default="text")
    add_timeout_option(dif, what="an interpreter compared")
    rec = sub.add_parser("recreate", help="make a new venv from an export (offline with --find-links)")
    rec.add_argument("source", help="an export file, an interpreter or a venv")
    rec.add_argument("target", help="directory of the new venv (must not exist or be empty)")
    rec.add_argument(
        "--python", metavar="EXE", help="the interpreter that creates the venv (default: this one)"
    )
    rec.add_argument(
        "--find-links",
        metavar="DIR",
        action="append",
        default=[],
        help="install from wheels in DIR, without the index (repeatable)",
    )
    add_timeout_option(rec, what="making the venv and pip", default=600.0)
    con = sub.add_parser("conda", help="list the packages of a conda environment from its conda-meta")
    con.add_argument("prefix", nargs="?", help="the environment (default: $CONDA_PREFIX, else sys.prefix)")
    con.add_argument("--format", choices=("text", "json", "html"), default="text")
    rel = sub.add_parser("relocatable", help="list the absolute paths that break a copied venv")
    rel.add_argument("venv", help="the venv directory")
    rel.add_argument("--original", help="where it was created (default: what its own files say)")
    rel.add_argument("--format", choices=("text", "json", "html"), default="text")


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; ``relocatable`` returns 1 when the venv is not relocatable."""
    from pyenvlab.anatomy import envcopy
    from pyenvlab.cli.abi_command import emit

    if args.env_command == "export":
        if args.format == "pylock":
            lock = envcopy.export_pylock(python=args.python, find_links=args.find_links, timeout=args.timeout)
            print(lock, end="")
            return 0
        exported = envcopy.export(python=args.python, timeout=args.timeout)
        if args.format == "requirements":
            print(exported.requirements(), end="")
        elif args.format == "yml":
            print(exported.environment_yml(args.name), end="")
        else:
            emit(exported, args.format)
        return 0
    if args.env_command == "diff":
        result = envcopy.diff(args.left, args.right, timeout=args.timeout)
        emit(result, args.format)
        return 0
    if args.env_command == "recreate":
        python = envcopy.recreate(
            args.source, args.target, python=args.python, find_links=args.find_links, timeout=args.timeout
        )
        print(f"created {python}")
        return 0
    if args.env_command == "conda":
        from pyenvlab.anatomy.conda import conda_env

        emit(conda_env(args.prefix), args.format)
        return 0
    report = envcopy.check_relocatable(args.venv, original=args.original)
    emit(report, args.format)
    return 0 if report.relocatable else 1
