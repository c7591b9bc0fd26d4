"""Drive JupyterLab in headless Chromium: the machinery of the ``@pytest.mark.browser`` tests.

- :class:`LabServer` starts JupyterLab on 127.0.0.1 with everything Jupyter reads or writes
  (config, data, runtime, settings, workspaces, IPython profile) in a temporary directory, and
  stops it again, checking that every process it started (server, kernels, their children)
  has gone. Server and kernels are the interpreter running the tests, whatever ``python`` or
  ``jupyter-lab`` comes first on PATH: the server runs as ``sys.executable -m jupyterlab`` and
  its only ``python3`` kernelspec names ``sys.executable``.
- :class:`NotebookPage` opens one notebook in a Playwright page and runs, inspects and
  photographs it through JupyterLab's own objects (``window.jupyterapp``), not through pixels.
- :class:`StaticSite` serves a folder (the JupyterLite site of ``python -m pyenvlab lite``) on
  127.0.0.1, and :class:`TrapProxy` is the proxy of a browser context that must not reach
  any other host: every request that arrives there is one that tried to leave.

Chromium is Debian's (``apt-get install chromium``, done by ``scripts/bootstrap --dev``) driven
by the ``playwright`` package's bundled driver: no ``playwright install`` download. Set
``PYENVLAB_CHROMIUM`` to use another Chromium-family executable. Screenshots go to
``test-artifacts/browser/`` (``PYENVLAB_TEST_ARTIFACTS`` moves the ``test-artifacts`` part).

Recipe and pitfalls: ``shared/research/jupyter-ecosystem.md`` section 8.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"

#: Chromium flags for a headless run as root on a machine without network
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Chromium's own autofill service calls home even with background networking off (seen
    # through the lite site test's trap proxy); nothing a page does
    "--disable-features=AutofillServerCommunication",
]

#: the window of every notebook page
VIEWPORT = {"width": 1280, "height": 900}

#: how long a notebook may take to run all its cells (the slowest takes about 20 s here)
RUN_TIMEOUT_MS = 300_000


def artifacts_dir() -> Path:
    """Where the browser tests leave their screenshots (created on demand)."""
    base = Path(os.environ.get("PYENVLAB_TEST_ARTIFACTS", REPO / "test-artifacts"))
    path = base / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


def find_chromium() -> str | None:
    """The Chromium executable to drive: ``$PYENVLAB_CHROMIUM``, else Debian's ``chromium``."""
    explicit = os.environ.get("PYENVLAB_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_browser_pieces() -> list[str]:
    """What is missing to run the browser tests (empty when they can run)."""
    missing = []
    try:
        import playwright  # noqa: F401 - only whether it is installed
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if find_chromium() is None:
        missing.append("Chromium (apt-get install chromium, or set PYENVLAB_CHROMIUM)")
    return missing


# ---------------------------------------------------------------------------------------------
# processes


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process on the machine (read from /proc)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name (field 2) is in parentheses and may hold spaces or parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return None if fields[0] == "Z" else fields[19]  # zombies have ended


def descendants(pid: int) -> dict[int, str]:
    """Every living descendant of ``pid``, with its start time (to tell a reused pid apart)."""
    tree = _children()
    found: dict[int, str] = {}
    todo = list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        started = _start_time(child)
        if started is not None:
            found[child] = started
        todo.extend(tree.get(child, []))
    return found


def survivors(processes: dict[int, str]) -> list[int]:
    """The processes of ``processes`` (pid -> start time) that are still alive."""
    return [pid for pid, started in processes.items() if _start_time(pid) == started]


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


def stop_all(processes: dict[int, str], *, grace: float = 10.0) -> list[str]:
    """Wait up to ``grace`` seconds for ``processes`` to end, then kill the rest.

    Returns the command lines of those that had to be killed (empty when all ended in time).
    """
    deadline = time.monotonic() + grace
    while survivors(processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = survivors(processes)
    killed = [f"{pid}: {_command_line(pid)}" for pid in left]
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return killed


# ---------------------------------------------------------------------------------------------
# the JupyterLab server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_kernelspec(data_dir: Path) -> Path:
    """Write the kernelspec ``python3`` into the Jupyter data directory ``data_dir``: a kernel
    of this interpreter (``sys.executable``, not ``python`` looked up on PATH, as ipykernel's
    installed kernelspec does). Returns the ``kernels`` directory holding it."""
    kernels = data_dir / "kernels"
    spec = kernels / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python",
              "metadata": {"debugger": True}}  # fmt: skip
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1))
    return kernels


class PortTaken(RuntimeError):
    """The port chosen for JupyterLab was taken before the server could bind it."""


class LabServer:
    """``jupyter lab`` serving ``root`` on 127.0.0.1, isolated from the user's Jupyter setup.

    The server refuses to move to another port (``port_retries=0``: a leftover server on the
    same port must not be driven by mistake), has no token (loopback only), no news, no
    update check, no workspace restore and no notebook windowing (every cell stays in the DOM,
    so outputs below the fold can be inspected).
    """

    #: how long a notebook's kernel may take to start
    kernel_timeout_ms = 90_000

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.kernels = write_kernelspec(home / "data")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / "lab.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        home = self.home
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTEST", "IPYTHON"))}
        env.pop("PYTHONPATH", None)
        env.update(
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            # searched first, even before the environment's share/jupyter, which holds
            # ipykernel's own `python3` kernelspec running `python` (the first on PATH)
            JUPYTER_PATH=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(home / "ipython"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        return env

    def _settings(self) -> Path:
        settings = self.home / "settings"
        for plugin, values in {
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
            "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        }.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        return settings

    def start(self, timeout: float = 90.0, attempts: int = 3) -> None:
        """Start the server and wait until its REST API answers.

        The free port is chosen before the server binds it; if another process takes it in
        between, the server exits at once (``port_retries=0``) and a new port is tried.
        """
        for attempt in range(attempts):
            try:
                return self._start(timeout)
            except PortTaken:
                if attempt == attempts - 1:
                    raise
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"
        return None

    def _start(self, timeout: float) -> None:
        settings = self._settings()
        command = [
            # not `-m jupyter lab`: jupyter execs the `jupyter-lab` first on PATH
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                msg = f"jupyter lab exited with status {self.process.returncode}:\n{self.log_tail()}"
                self.process = None
                raise (PortTaken if "already in use" in msg else RuntimeError)(msg)
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    msg = f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}"
                    raise RuntimeError(msg) from None
                time.sleep(0.25)

    def stop(self) -> list[str]:
        """Stop the server with SIGTERM (it shuts its kernels down), then check that every
        process it started has ended; returns those that had to be killed."""
        if self.process is None:
            return []
        started = descendants(self.process.pid)
        started[self.process.pid] = _start_time(self.process.pid) or ""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        killed = stop_all(started)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process = None
        return killed

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def notebook_url(self, name: str) -> str:
        """The address that opens notebook ``name`` (with no restored workspace)."""
        return f"{self.url}/lab/tree/{name}?reset"

    def kernel_pids(self) -> list[int]:
        """The processes of the running kernels (children of the server)."""
        if self.process is None:
            return []
        return [pid for pid in descendants(self.process.pid) if "ipykernel" in _command_line(pid)]

    def kernel_manager(self) -> Any:
        """A kernel manager for this server's ``python3`` kernelspec (for nbclient in this process)."""
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager(kernel_dirs=[str(self.kernels)], ensure_native_kernel=False)
        return KernelManager(kernel_name="python3", kernel_spec_manager=specs)

    def trust(self, notebook: Path) -> None:
        """``jupyter trust notebook`` with this server's data directory (its signature store)."""
        subprocess.run(
            [sys.executable, "-m", "nbformat.sign", str(notebook)],  # `jupyter trust`, not from PATH
            env=self.env, check=True, capture_output=True,
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# one notebook in one page

_APP = "window.jupyterapp"
_PANEL = f"{_APP}.shell.currentWidget"

_KERNEL_READY = f"""() => {{
  const w = {_APP} && {_PANEL};
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}}"""

_CELLS = f"""() => {{
  const cells = {_PANEL}.content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) {{
    const c = cells.get(i).toJSON();
    out.push({{type: c.cell_type, source: Array.isArray(c.source) ? c.source.join('') : c.source,
              count: c.execution_count ?? null, outputs: c.outputs || []}});
  }}
  return out;
}}"""

_RUN = f"""async ([command, index, ms]) => {{
  const panel = {_PANEL};
  if (index !== null) panel.content.activeCellIndex = index;
  const timer = new Promise(resolve => setTimeout(() => resolve('timeout'), ms));
  return String(await Promise.race([{_APP}.commands.execute(command), timer]));
}}"""

_EXECUTE = f"""async code => {{
  const future = {_PANEL}.sessionContext.session.kernel.requestExecute({{code, store_history: false}});
  let out = '';
  future.onIOPub = msg => {{
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
  }};
  await future.done;
  return out;
}}"""

#: per cell, per output: what the DOM shows (mime type rendered, images and their sizes)
_RENDERED = f"""() => {{
  const cells = [...{_PANEL}.content.node.querySelectorAll(':scope .jp-Cell')];
  return cells.map(cell => [...cell.querySelectorAll(':scope .jp-OutputArea-child')].map(child => {{
    const output = child.querySelector('.jp-OutputArea-output');
    const images = [...child.querySelectorAll('img')].map(img => {{
      const box = img.getBoundingClientRect();
      return {{complete: img.complete, natural: [img.naturalWidth, img.naturalHeight],
               shown: [Math.round(box.width), Math.round(box.height)], src: img.src.slice(0, 30)}};
    }});
    return {{mime: output ? output.getAttribute('data-mime-type') : null,
             text: output ? output.innerText.slice(0, 2000) : '', images}};
  }}));
}}"""


#: the layout of the outputs as the reader sees it: the computed ``text-align`` of every cell of
#: pyenvlab's tables, and every output cut at its right edge: an output area wider inside than
#: its box that does not scroll, or an element inside that hides what overflows it. Form
#: controls (a widget's select list, text field, buttons) are left out: they show a long option
#: cut by design and scroll it on focus.
_LAYOUT = f"""() => {{
  const cells = [...{_PANEL}.content.node.querySelectorAll(':scope .jp-Cell')];
  const controls = 'select, option, input, textarea, button';
  const scrolls = style => ['auto', 'scroll'].includes(style.overflowX);
  const cut = el => el.scrollWidth > el.clientWidth + 1;
  const aligns = [], clipped = [];
  cells.forEach((cell, index) => {{
    for (const out of cell.querySelectorAll(':scope .jp-OutputArea-output')) {{
      for (const td of out.querySelectorAll('table.pyenvlab th, table.pyenvlab td')) {{
        aligns.push({{cell: index, align: getComputedStyle(td).textAlign, num: td.classList.contains('num'),
                     text: td.innerText.slice(0, 60)}});
      }}
      const what = el => `${{el.tagName.toLowerCase()}}.${{[...el.classList].join('.')}}`;
      if (cut(out) && !scrolls(getComputedStyle(out))) {{
        clipped.push({{cell: index, element: what(out), scroll: out.scrollWidth, client: out.clientWidth}});
      }}
      for (const el of out.querySelectorAll('*')) {{
        if (el.matches(controls) || el.closest(controls)) continue;
        const style = getComputedStyle(el);
        if (['hidden', 'clip'].includes(style.overflowX) && cut(el)) {{
          clipped.push({{cell: index, element: what(el), scroll: el.scrollWidth, client: el.clientWidth,
                        text: el.innerText.slice(0, 80)}});
        }}
      }}
    }}
  }});
  return {{aligns, clipped}};
}}"""


def text_of(locator: Any) -> str:
    """The visible text of a Playwright locator, whitespace runs collapsed to one space."""
    return " ".join(locator.inner_text().split())


@dataclass(frozen=True)
class Output:
    """One output as JupyterLab shows it: the mime type it chose, its text, its images."""

    mime: str | None
    text: str
    images: list[dict[str, Any]]


class NotebookPage:
    """One notebook open in JupyterLab, in its own browser context."""

    def __init__(self, browser: Any, lab: LabServer | StaticSite, name: str, *, context: Any = None) -> None:
        """``context``: a browser context to open the page in (kept open by :meth:`close`);
        by default the page gets a new context of its own."""
        self.lab = lab
        self.name = name
        self._own_context = context is None
        self.context = browser.new_context(viewport=VIEWPORT) if context is None else context
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self) -> NotebookPage:
        """Load JupyterLab with this notebook (no restored workspace) and wait for its kernel."""
        self.page.goto(self.lab.notebook_url(self.name), wait_until="domcontentloaded")
        self.page.wait_for_function(_KERNEL_READY, timeout=self.lab.kernel_timeout_ms)
        return self

    def close(self) -> None:
        """Shut the notebook's kernel down and close the page."""
        try:
            self.page.evaluate(f"async () => {{ await {_PANEL}.sessionContext.shutdown(); }}")
        finally:
            if self._own_context:
                self.context.close()
            else:
                self.page.close()

    # -- running ------------------------------------------------------------------------------
    def _run(self, command: str, index: int | None) -> str:
        result = self.page.evaluate(_RUN, [command, index, RUN_TIMEOUT_MS])
        if result == "timeout":
            msg = f"{self.name}: {command} did not finish in {RUN_TIMEOUT_MS // 1000} s"
            raise TimeoutError(msg)
        self.page.wait_for_function(_KERNEL_READY, timeout=60_000)
        return result

    def run_all(self) -> str:
        """Run every cell (JupyterLab stops at the first error); ``"true"`` when all ran."""
        return self._run("notebook:run-all-cells", None)

    def run_all_above(self, index: int) -> str:
        """Run every cell before cell ``index``."""
        return self._run("notebook:run-all-above", index)

    def run_cell(self, index: int) -> str:
        """Run cell ``index`` alone (selection stays)."""
        return self._run("notebook:run-cell", index)

    def execute(self, code: str) -> str:
        """Run ``code`` in the notebook's kernel, outside any cell; return what it printed
        (stdout and stderr) and its error as ``ExcType: message``."""
        return self.page.evaluate(_EXECUTE, code)

    # -- reading -----------------------------------------------------------------------------
    def cells(self) -> list[dict[str, Any]]:
        """The notebook model's cells: type, source, execution count and outputs (nbformat)."""
        return self.page.evaluate(_CELLS)

    def cell_index(self, text: str) -> int:
        """The index of the first code cell whose source contains ``text``."""
        for index, cell in enumerate(self.cells()):
            if cell["type"] == "code" and text in cell["source"]:
                return index
        msg = f"{self.name}: no code cell contains {text!r}"
        raise LookupError(msg)

    def errors(self) -> list[str]:
        """Error outputs and stderr streams, as ``cell N: text`` lines."""
        found = []
        for index, cell in enumerate(self.cells()):
            for output in cell["outputs"]:
                if output["output_type"] == "error":
                    found.append(f"cell {index}: {output['ename']}: {output['evalue']}")
                elif output["output_type"] == "stream" and output["name"] == "stderr":
                    found.append(f"cell {index} (stderr): {''.join(output['text'])[:500]}")
        return found

    def unexecuted(self) -> list[int]:
        """Code cells without an execution count."""
        return [i for i, c in enumerate(self.cells()) if c["type"] == "code" and c["count"] is None]

    def rendered(self) -> list[list[Output]]:
        """Per cell, per output: what the DOM shows."""
        return [[Output(**o) for o in cell] for cell in self.page.evaluate(_RENDERED)]

    def layout(self) -> dict[str, list[dict[str, Any]]]:
        """How the outputs are laid out: ``aligns`` (per cell of a pyenvlab table: its cell
        index, computed ``text-align``, whether it is a number cell (class ``num``), its text)
        and ``clipped`` (outputs cut at the right)."""
        return self.page.evaluate(_LAYOUT)

    def cell(self, index: int) -> Any:
        """The Playwright locator of cell ``index`` in the open notebook."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)

    def wait_for_change(self, locator: Any, before: str, timeout: float = 60.0) -> str:
        """Wait until the text of ``locator`` differs from ``before``; return the new text.

        Polls through the locator, not an element handle: a widget's HTML view replaces its
        elements on every update, and a handle would keep reading the old, detached one.
        """
        deadline = time.monotonic() + timeout
        while (text := text_of(locator)) == before:
            if time.monotonic() > deadline:
                msg = f"{self.name}: still {before!r} after {timeout:.0f} s"
                raise AssertionError(msg)
            self.page.wait_for_timeout(100)
        return text

    def wait_for_text(self, locator: Any, expected: str, timeout: float = 60.0) -> None:
        """Wait until the text of ``locator`` is ``expected``."""
        deadline = time.monotonic() + timeout
        while (text := text_of(locator)) != expected:
            if time.monotonic() > deadline:
                msg = f"{self.name}: {text!r}, not {expected!r}, after {timeout:.0f} s"
                raise AssertionError(msg)
            self.page.wait_for_timeout(100)

    # -- pictures -----------------------------------------------------------------------------
    def artifact(self, what: str) -> Path:
        """The screenshot path for ``what`` in this notebook (``NAME-what.png``)."""
        return artifacts_dir() / f"{self.name.removesuffix('.ipynb')}-{what}.png"

    @contextlib.contextmanager
    def _unscrolled(self) -> Iterator[None]:
        """Grow the window until the notebook needs no scrolling (at most 16000 px), scrolled
        to the top; the notebook scrolls inside its panel, so a page screenshot alone would
        show one screenful."""
        height = self.page.evaluate(
            f"""() => {{
              const outer = {_PANEL}.content.node.querySelector('.jp-WindowedPanel-outer');
              return outer.scrollHeight + window.innerHeight - outer.clientHeight;
            }}"""
        )
        self.page.set_viewport_size({"width": 1280, "height": max(900, min(int(height), 16000))})
        self.page.evaluate(
            f"() => {{ {_PANEL}.content.node.querySelector('.jp-WindowedPanel-outer').scrollTop = 0; }}"
        )
        self.page.wait_for_timeout(300)  # let the layout settle
        try:
            yield
        finally:
            self.page.set_viewport_size({"width": 1280, "height": 900})

    def screenshot(self, stem: str) -> Path:
        """A picture of the whole notebook, saved as ``stem.png`` in the artefacts directory."""
        path = artifacts_dir() / f"{stem}.png"
        with self._unscrolled():
            self.page.screenshot(path=str(path))
        return path

    def screenshot_of(self, locator: Any, what: str) -> Path:
        """A picture of one element (a widget, an output), whole however tall it is."""
        path = self.artifact(what)
        with self._unscrolled():
            locator.screenshot(path=str(path))
        return path


def iter_notebooks() -> Iterator[Path]:
    """The workshop notebooks, in order."""
    yield from sorted(NOTEBOOKS.glob("*.ipynb"))


# ---------------------------------------------------------------------------------------------
# a static site (JupyterLite) and a proxy that catches requests leaving it


class _QuietHandler:
    """Mixin: no request log on stderr."""

    def log_message(self, *args: Any) -> None:
        pass


class StaticSite:
    """A folder served over HTTP on 127.0.0.1 (a free port, bound at once: no race), in a
    thread of this process, like ``python -m http.server -d FOLDER`` would serve it."""

    #: a JupyterLite kernel loads Pyodide (~13 MB) and compiles it: slower than a local kernel
    kernel_timeout_ms = 180_000

    def __init__(self, root: Path) -> None:
        import functools
        import http.server
        import threading

        handler = type("Handler", (_QuietHandler, http.server.SimpleHTTPRequestHandler), {})
        self.root = root
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
        )
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="static-site", daemon=True)
        self._thread.start()

    def notebook_url(self, name: str) -> str:
        """The address that opens notebook ``name`` in the site's JupyterLab."""
        return f"{self.url}/lab/index.html?path={name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


class TrapProxy:
    """An HTTP proxy on 127.0.0.1 that forwards nothing and records what reached it.

    Give it to a browser context (``proxy={"server": trap.url}``): Chromium sends every request
    for another host through it, from pages, workers and service workers alike, and keeps
    loopback addresses direct. So ``trap.requests`` lists every request that tried to leave
    the serving host (``CONNECT host:443`` for https), each answered with 403.
    """

    def __init__(self) -> None:
        import http.server
        import threading

        requests = self.requests = []

        class Handler(_QuietHandler, http.server.BaseHTTPRequestHandler):
            def _refuse(self) -> None:
                requests.append(f"{self.command} {self.path}")
                self.send_error(403, "pyenvlab test: no request may leave the serving host")

            do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = do_CONNECT = do_DELETE = _refuse

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="trap-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)
