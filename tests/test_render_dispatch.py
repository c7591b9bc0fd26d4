"""Which views draw which record: by class, visibly, never by a class name.

The core's records are listed in :func:`pyenvlab.render.views_for`; the Jupyter layer's records
(which the renderers must not import) name their views with ``_pyenvlab_views_``. Every record
displays through the one ``Displayable`` mixin.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab import render
from pyenvlab._records import Displayable
from pyenvlab.candidates import Candidates
from pyenvlab.interpreter.records import DoctorReport, PathEntry, PathReport
from pyenvlab.model import Trace
from pyenvlab.render import anatomy_views, display, startup_views, trace_views

try:
    from tests import render_fixtures as fx
except ImportError:
    import render_fixtures as fx  # type: ignore[no-redef]


def test_each_family_has_its_views() -> None:
    report = PathReport(
        python="3.12.1", executable="/usr/bin/python3", entries=(PathEntry("/x", "stdlib", True),)
    )
    from pyenvlab.anatomy.records import EnvDiff

    diff = EnvDiff(left="a", right="b", left_python="3.12", right_python="3.12", entries=(), same=3)
    assert render.views_for(fx.json_trace()) is trace_views
    assert render.views_for(fx.json_trace().modules[0]) is trace_views
    assert render.views_for(fx.json_candidates()) is trace_views
    assert render.views_for(report) is startup_views
    assert render.views_for(DoctorReport(python="3", executable="p", cwd="/", findings=())) is startup_views
    assert render.views_for(diff) is anatomy_views


def test_a_class_that_only_shares_a_name_is_not_drawn() -> None:
    class Trace:  # not pyenvlab's, whatever it is called
        modules = ()

    class StartupTrace:
        pass

    for impostor in (Trace(), StartupTrace()):
        with pytest.raises(TypeError, match="cannot render"):
            render.views_for(impostor)
    with pytest.raises(TypeError):
        render.text([])  # a plain list is not a Candidates answer


def test_a_subclass_is_drawn_by_its_base_class_views() -> None:
    class MyTrace(Trace):
        pass

    trace = fx.json_trace()
    mine = MyTrace(
        **{
            name: getattr(trace, name)
            for name in ("python", "executable", "sys_path", "modules", "statements")
        }
    )
    assert render.views_for(mine) is trace_views
    assert "json (package): searched 5 of 7 entries" in render.text(mine, width=100, color=False)


def test_an_object_may_name_its_own_views() -> None:
    class Views:
        @staticmethod
        def text(obj, *, width=None, color=None):
            return f"text of {obj.name}"

        @staticmethod
        def html(obj):
            return "<p>html</p>"

        @staticmethod
        def dot(obj, **options):
            return None

    class Record(Displayable):
        name = "mine"

        @staticmethod
        def _pyenvlab_views_():
            return Views

    assert render.text(Record()) == "text of mine"
    bundle = Record()._repr_mimebundle_()
    assert bundle["text/plain"] == "text of mine"
    assert "<p>html</p>" in bundle["text/html"]
    assert display.outputs(Record()) == [{"text/plain": "text of mine", "text/html": bundle["text/html"]}]


def test_jupyter_records_name_their_views() -> None:
    from pyenvlab.jupyter.namespace import NamespaceDiff
    from pyenvlab.jupyter.records import ProbeStep, TraceView
    from pyenvlab.render import jupyter_views

    trace = fx.json_trace()
    assert render.views_for(TraceView(trace)) is jupyter_views.TRACE_VIEW
    assert render.views_for(ProbeStep(trace.module("json"), trace.sys_path)) is jupyter_views.PROBE_STEP
    assert render.views_for(NamespaceDiff()) is jupyter_views.NAMESPACE_DIFF
    assert render.text(NamespaceDiff()) == "The cell did not change the namespace."


def test_every_record_displays_through_the_one_mixin() -> None:
    from pyenvlab.jupyter.records import ProbeStep, TraceView

    trace = fx.json_trace()
    for record in (
        trace,
        trace.module("json"),
        fx.json_candidates(),
        TraceView(trace),
        ProbeStep(trace.modules[0]),
    ):
        assert isinstance(record, Displayable), type(record)
        for method in ("_repr_mimebundle_", "_ipython_display_"):
            assert getattr(type(record), method) is getattr(Displayable, method), (type(record), method)
    assert isinstance(Candidates("json"), Displayable)


def test_the_ipython_display_shows_what_outputs_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("IPython")
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append((bundle, raw)))
    monkeypatch.setenv("PATH", "")  # no `dot`: a single output, the tables with the DOT source
    fx.json_trace()._ipython_display_()
    assert shown == [(bundle, True) for bundle in display.outputs(fx.json_trace())]
    assert len(shown) == 1 and "DOT source of the graph" in shown[0][0]["text/html"]


def test_the_version_has_one_source() -> None:
    from pyenvlab._version import __version__

    assert __version__ == pyenvlab.__version__ == importlib.metadata.version("pyenvlab")
    page = __import__("pyenvlab.render.standalone", fromlist=["page"]).page(fx.json_trace())
    assert f"Made by pyenvlab {__version__} from a Trace record" in page


def test_discovery_lives_in_the_core(tmp_path: Path) -> None:
    from pyenvlab.interpreter.discovery import discover_interpreters

    found = discover_interpreters(tmp_path, depth=1, this="me")
    assert next(iter(found)) == f"me ({sys.version.split()[0]})"
    assert next(iter(found.values())) == sys.executable
