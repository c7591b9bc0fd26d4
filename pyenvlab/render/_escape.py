"""Escaping for every output format. Paths and module names are user-controlled strings.

A directory can be called ``<script>alert(1)</script>``, contain a newline, a backslash, a
quote or an ANSI escape sequence. Every renderer passes each piece of user text through one of
these functions before it reaches HTML, DOT or a terminal.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["dot_html", "dot_label", "html_text", "term"]

#: What a terminal (or a reader of HTML and graphs) must not get as it is: every control and
#: format character of Unicode 15.1 (categories Cc, Cf, Zl, Zp: C0/C1 controls such as ESC and
#: the 8-bit CSI U+009B, bidi marks and overrides, zero-width spaces and joiners, the soft
#: hyphen, the byte-order mark...) and lone surrogates, which is how Python spells bytes of a
#: non-UTF-8 file name (``os.fsdecode(b"x\\xff")`` is ``"x\\udcff"``).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _control_escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 256:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 name (surrogateescape): the byte
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return f"\\u{code:04x}"


def term(text: object) -> str:
    """Text safe for a terminal: control characters (ESC, newline, bidi overrides, zero-width
    characters) and the undecodable bytes of a file name made visible as escapes.

    >>> term("a\\nb\\x1b[31m")
    'a\\\\nb\\\\x1b[31m'
    >>> print(term("x\\udcff\\u200b.py"))
    x\\xff\\u200b.py
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
