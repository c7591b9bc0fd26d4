"""A cell's source in titles and graph labels shows as code, not as one line with ``\\n`` in it
(issue 14: ``%%trace_imports`` titles read "import mymod\\nimport os\\n")."""

from __future__ import annotations

import pytest

from pyenvlab import render
from pyenvlab._records import replace
from pyenvlab.render._table import CSS
from tests import render_fixtures as fx

CELL = "import mymod\nimport os\n"  # a cell's source ends with a newline


def test_text_title_joins_the_lines() -> None:
    head = render.text(replace(fx.json_trace(), code=CELL), width=100, color=False).splitlines()[0]
    assert head.endswith(": import mymod; import os"), head
    assert "\\n" not in head
    one = render.text(replace(fx.json_trace(), code="import json\n"), width=100, color=False).splitlines()[0]
    assert one.endswith(": import json"), one


def test_html_title_has_real_line_breaks_and_stays_escaped() -> None:
    html = render.html(replace(fx.json_trace(), code=CELL + "x = '<b>'\n"))
    head = html.split('class="pyenvlab-summary"')[0]
    assert "\\n" not in head  # no escaped newline shown
    code = '<code class="pyenvlab-code">\nimport mymod\nimport os\nx = &#x27;&lt;b&gt;&#x27;</code>'
    assert code in head, head
    assert "code.pyenvlab-code{white-space:pre-wrap}" in CSS  # the line breaks show
    single = render.html(replace(fx.json_trace(), code="import json\n"))
    assert '(/usr/bin/python3.12): <code class="pyenvlab-code">import json</code></p>' in single


def test_dot_root_label_has_one_line_per_code_line() -> None:
    pytest.importorskip("graphviz")
    source = render.dot(replace(fx.json_trace(), code=CELL)).source
    root = next(line for line in source.splitlines() if "shape=note" in line)
    assert 'label="import mymod\\nimport os\\n6 modules loaded' in root, root
    assert "\\\\n" not in root  # an escaped backslash-n is what showed literally
    long = "\n".join(f"import m{i}" for i in range(10))
    root = next(
        line
        for line in render.dot(replace(fx.json_trace(), code=long)).source.splitlines()
        if "shape=note" in line
    )
    assert "import m5\\n\u2026 (4 more lines)" in root
