"""``python -m pyenvlab``: the command line.

``python -m`` puts the working directory first on ``sys.path``, the very situation
``pyenvlab doctor`` diagnoses: a ``random.py`` or an ``email/`` there would shadow the standard
library for pyenvlab itself. So before importing anything that is not already loaded, take the
working directory off ``sys.path`` (``doctor`` still sees the original list).
"""

import os
import sys

_original = tuple(sys.path)
_cwd = os.getcwd() if os.path.isdir(".") else None
sys.path[:] = [p for p in sys.path if p not in ("", ".") and (_cwd is None or os.path.abspath(p) != _cwd)]

from pyenvlab import cli  # noqa: E402

cli.invocation_sys_path = _original

if __name__ == "__main__":
    sys.exit(cli.main())
