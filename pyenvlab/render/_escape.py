"""Escaping for every output format. Paths and module names are user-controlled strings.

A directory can be called ``<script>alert(1)</script>``, contain a newline, a backslash, a
quote or an ANSI escape sequence. Every renderer passes each piece of user text through one of
these functions before it reaches HTML, DOT or a terminal.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["dot_html", "dot_label", "html_text", "term"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _control_escape(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return named.get(char, f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")


def term(text: object) -> str:
    """Text safe for a terminal: control characters (ESC, newline, bidi overrides) made visible.

    >>> term("a\\nb\\x1b[31m")
    'a\\\\nb\\\\x1b[31m'
    """
    return _CONTROL.sub(_control_escape, str(text))


def html_text(text: object) -> str:
    """Text safe inside HTML element content and quoted attribute values.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return _html.escape(term(text), quote=True)


def dot_label(text: object) -> str:
    """Text for a plain (double-quoted) Graphviz label: shown literally.

    Backslashes are doubled so that ``\\N``, ``\\G``, ``\\l`` and friends are not expanded, and
    quotes are escaped; control characters are made visible. The graphviz package quotes the
    result; a label that starts with ``<`` must also be wrapped in ``graphviz.nohtml``.

    >>> dot_label('C:\\\\N "x"')
    'C:\\\\\\\\N \\\\"x\\\\"'
    """
    return term(text).replace("\\", "\\\\").replace('"', '\\"')


def dot_html(text: object) -> str:
    """Text inside a Graphviz HTML-like label (``<<TABLE>...</TABLE>>``).

    Graphviz expands ``\\N``, ``\\G`` and friends in HTML-like labels too (``C:\\New`` would
    show the node's name), so backslashes are doubled as well as markup escaped.

    >>> dot_html("a<b & c]")
    'a&lt;b &amp; c]'
    >>> print(dot_html("C:\\\\New"))
    C:\\\\New
    """
    return _html.escape(term(text).replace("\\", "\\\\"), quote=True)
