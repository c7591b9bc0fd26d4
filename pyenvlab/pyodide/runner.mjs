// pyenvlab's Node side of a Pyodide target: starts CPython-in-WebAssembly, runs Python in it,
// copies the files the Python code wrote back out. Run by pyenvlab/pyodide/runner.py:
//
//     node runner.mjs JOB.json
//
// JOB.json (written by the host):
//   pyodide     directory of the installed npm package "pyodide" (holds pyodide.mjs)
//   args        interpreter options, as on a command line (["-I"], ["-X", "importtime"])
//   env         the interpreter's environment variables, or null for Pyodide's defaults
//   executable  argv[0] of the interpreter (sys.executable, what getpath starts from), or null
//   mounts      [[path inside, host directory]]: host directories visible at that path
//               (Emscripten's NODEFS), mounted before the interpreter starts
//   cwd         working directory inside, set before the interpreter starts, or null
//   fresh       "load": every run in a new loadPyodide(); "reset": one loadPyodide(), and every
//               run starts from a byte copy of its memory taken right after the start (see
//               Fresh below: a fork, in effect, checked after every run)
//   setup       {files, code} run once in every new start before any run (in "reset" mode
//               before the memory copy, so every run begins with it done), or null
//   quiet       discard what Python prints (otherwise the last lines come back per run)
//   runs        [{files: [[path inside, text]], code: Python source, results: [path inside]}]
//   out         host path of the answer
//
// The answer (JSON, written to `out`, never to stdout: Python's prints go there):
//   {runs: [{ok, error, files: {path: text|null}, stdout, stderr, reset, seconds}], fatal, seconds}
// `fatal` is one line when Pyodide itself could not start; `error` the last line of a run's
// Python exception; `reset` (mode "reset") "reset" or "dropped: why". Nothing here is printed
// unless Node itself breaks.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const KEEP_LINES = 40;

function oneLine(error) {
  const text = String((error && error.message) || error || "unknown error");
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  // a PythonError's message is the whole traceback: its last line names the exception
  return lines.length ? lines[lines.length - 1] : "unknown error";
}

function writeAnswer(out, answer) {
  const tmp = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(answer));
  fs.renameSync(tmp, out);
}

function tail(lines) {
  return lines.length > KEEP_LINES ? lines.slice(lines.length - KEEP_LINES) : lines;
}

// Where pyenvlab's own files go inside (the host writes probes there; never on sys.path)
const PROBE_HOME = "/pyenvlab";

// Remove everything below `dir` (not `dir` itself).
function clear(FS, dir) {
  for (const name of FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const full = `${dir}/${name}`;
    if (FS.isDir(FS.lstat(full).mode)) {
      clear(FS, full);
      FS.rmdir(full);
    } else {
      FS.unlink(full);
    }
  }
}

// Fresh interpreters for a sequence of runs.
//
// "load": a new loadPyodide() for every run.
// "reset": one loadPyodide(); right after it started (and /pyenvlab was made) its whole linear
// memory is copied, and every run begins by writing that copy back: all that CPython keeps
// (sys.modules, importlib's caches, the allocator, the stack) is then byte for byte as after
// the start, as in a child forked from a fresh interpreter. What lives outside the linear
// memory cannot be copied back, so after each run it is compared with its state at the copy:
// the file system (every path, mode, size and mtime), the open file descriptors and working
// directory, the JavaScript objects Python holds (Pyodide's hiwire table), the size of the
// memory and of the function table, and Node's pending handles. pyenvlab's own files are
// removed first. Any difference drops the instance and the next run gets a new loadPyodide();
// done() says which happened, so a caller can count.
class Fresh {
  constructor(load, options, mounted, reset, setup) {
    this.load = load;
    this.options = options;
    this.setup = setup;
    this.mounted = mounted;
    this.reset = reset;
    this.py = null;
    this.broken = false;
  }

  async next() {
    if (this.py !== null) {
      this.py._module.HEAPU8.set(this.memory);
      return this.py;
    }
    const py = await this.load(this.options);
    if (typeof py._api.rawRun !== "function") throw new Error("this Pyodide has no rawRun");
    py.FS.mkdirTree(PROBE_HOME);
    if (this.setup) {
      for (const [inside, text] of this.setup.files || []) {
        py.FS.mkdirTree(path.posix.dirname(inside));
        py.FS.writeFile(inside, text);
      }
      const [status, stderr] = py._api.rawRun(this.setup.code);
      if (status !== 0) throw new Error(`the setup code failed: ${oneLine(stderr)}`);
      clear(py.FS, PROBE_HOME); // read by now: every run starts with /pyenvlab empty
    }
    if (!this.reset) return py;
    this.state = this.outside(py);
    this.memory = new Uint8Array(py._module.HEAPU8); // a copy
    this.py = py;
    return py;
  }

  done(py) {
    if (!this.reset) return null;
    if (this.broken) {
      this.broken = false;
      this.py = null;
      return "dropped: the run failed in JavaScript";
    }
    let why = null;
    try {
      clear(py.FS, PROBE_HOME);
      const home = this.state.times;
      py.FS.utime(PROBE_HOME, home[0], home[1]);
      why = this.differs(this.state, this.outside(py));
    } catch (error) {
      why = `cleaning up failed: ${oneLine(error)}`;
    }
    if (why === null) return "reset";
    this.py = null;
    return `dropped: ${why}`;
  }

  outside(py) {
    const FS = py.FS;
    const M = py._module;
    const files = [];
    const walk = (dir) => {
      for (const name of FS.readdir(dir)) {
        if (name === "." || name === "..") continue;
        const full = dir === "/" ? `/${name}` : `${dir}/${name}`;
        if (full === "/dev" || full === "/proc" || this.mounted.has(full)) continue;
        const st = FS.lstat(full);
        files.push(`${full} ${st.mode} ${st.size} ${st.mtime.getTime()}`);
        if (FS.isDir(st.mode)) walk(full);
      }
    };
    walk("/");
    const hiwire = [];
    for (let i = 0; ; i++) {
      try {
        hiwire.push(M.__hiwire_get(i));
      } catch {
        break;
      }
    }
    const home = FS.stat(PROBE_HOME);
    return {
      files: files.join("\n"),
      streams: FS.streams.filter(Boolean).map((s) => `${s.fd}:${s.path}`).join(" "),
      cwd: FS.cwd(),
      hiwire,
      memory: M.HEAPU8.length,
      table: M.wasmTable.length,
      handles: `${process._getActiveHandles().length}/${process._getActiveRequests().length}`,
      times: [home.atime.getTime(), home.mtime.getTime()],
    };
  }

  differs(before, after) {
    for (const key of ["files", "streams", "cwd", "memory", "table", "handles"]) {
      if (before[key] !== after[key]) return `the ${key} changed`;
    }
    if (before.hiwire.length !== after.hiwire.length || before.hiwire.some((o, i) => o !== after.hiwire[i])) {
      return "the JavaScript objects held by Python changed";
    }
    return null;
  }
}

async function main() {
  const started = performance.now();
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const answer = { runs: [], fatal: null, seconds: 0 };
  let loadPyodide;
  try {
    ({ loadPyodide } = await import(pathToFileURL(path.join(job.pyodide, "pyodide.mjs")).href));
  } catch (error) {
    answer.fatal = `cannot load Pyodide from ${job.pyodide}: ${oneLine(error)}`;
    writeAnswer(job.out, answer);
    return 1;
  }
  let out = [];
  let err = [];
  const mounted = new Set((job.mounts || []).map(([inside]) => inside));
  const options = {
    args: job.args || [],
    stdout: (line) => { if (!job.quiet) out.push(line); },
    stderr: (line) => { if (!job.quiet) err.push(line); },
    fsInit: async (FS) => {
      for (const [inside, host] of job.mounts || []) {
        FS.mkdirTree(inside);
        FS.mount(FS.filesystems.NODEFS, { root: host }, inside);
      }
      if (job.cwd) {
        FS.mkdirTree(job.cwd);
        FS.chdir(job.cwd);
      }
    },
  };
  if (job.env) options.env = job.env;
  if (job.executable) options._sysExecutable = job.executable;

  const parent = process.ppid;
  const fresh = new Fresh(loadPyodide, options, mounted, job.fresh === "reset", job.setup || null);
  for (const run of job.runs) {
    if (process.ppid !== parent) process.exit(3); // the host is gone: nobody reads the answer
    const t0 = performance.now();
    const result = { ok: false, error: null, files: {}, stdout: [], stderr: [], seconds: 0 };
    out = [];
    err = [];
    let py;
    try {
      py = await fresh.next();
    } catch (error) {
      answer.fatal = `Pyodide did not start: ${oneLine(error)}`;
      if (err.length) answer.fatal += ` (${err[err.length - 1]})`;
      break;
    }
    try {
      for (const [inside, text] of run.files || []) {
        py.FS.mkdirTree(path.posix.dirname(inside));
        py.FS.writeFile(inside, text);
      }
      // PyRun_SimpleString, as `python -c` runs its code: no PyProxy or JS object is made
      const [status, stderr] = py._api.rawRun(run.code);
      if (stderr) err.push(...stderr.split("\n"));
      result.ok = status === 0;
      if (!result.ok) result.error = oneLine(stderr || "the code raised an exception");
    } catch (error) {
      result.error = oneLine(error);
      fresh.broken = true; // a JavaScript-level failure: the instance may be in any state
    }
    for (const inside of run.results || []) {
      try {
        result.files[inside] = py.FS.readFile(inside, { encoding: "utf8" });
      } catch {
        result.files[inside] = null;
      }
    }
    result.reset = fresh.done(py);
    result.stdout = tail(out);
    result.stderr = tail(err);
    result.seconds = (performance.now() - t0) / 1000;
    answer.runs.push(result);
  }
  answer.seconds = (performance.now() - started) / 1000;
  writeAnswer(job.out, answer);
  return 0;
}

main().then(
  (status) => process.exit(status),
  (error) => {
    process.stderr.write(`pyenvlab runner: ${oneLine(error)}\n`);
    process.exit(1);
  },
);
