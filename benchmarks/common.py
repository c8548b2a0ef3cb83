"""Shared helpers of the benchmark scripts: arguments, the one JSON result line, timing, RSS, subprocesses.

Every script prints exactly one JSON line on stdout (``emit``) with the same top-level keys, so
``run_all.py`` and the smoke tests read them alike:

``benchmark``, ``target`` (one line), ``goal`` (text), ``mode`` ("smoke" | "default" | "full"),
``measured`` and ``baseline`` (dicts of figures), ``measured_text`` / ``baseline_text`` (for the
table), ``ratio`` (measured / baseline, or null), ``checks`` (each goal clause and whether it held),
``status`` ("PASS" | "MISS" | "SMOKE"), ``notes`` (list of strings), ``load_average``.

A smoke run only proves the plumbing: its figures are not comparable with the goal, so its status
is ``SMOKE`` whatever the numbers are.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:  # run as `python benchmarks/x.py` from any folder
    sys.path.insert(0, str(REPO_ROOT))

RESULT_MARK = "BENCHMARK_RESULT "  # prefix of a child subprocess's result line


# --------------------------------------------------------------------------- arguments and result


def parse_args(description: str, configure: Callable[[argparse.ArgumentParser], None] | None = None,
               argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``--full`` (the issue's full size) and ``--smoke`` (seconds, for the test suite), plus extras."""
    parser = argparse.ArgumentParser(description=description)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the full-size measurement named in the issue")
    size.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    if configure:
        configure(parser)
    args = parser.parse_args(argv)
    args.mode = "smoke" if args.smoke else "full" if args.full else "default"
    return args


def pick(args: argparse.Namespace, *, smoke: Any, default: Any, full: Any) -> Any:
    """The value for this run's mode."""
    return {"smoke": smoke, "default": default, "full": full}[args.mode]


def check(name: str, value: float | None, limit: float, *, unit: str = "") -> dict[str, Any]:
    """One goal clause ``value <= limit``; a missing value fails."""
    ok = value is not None and value <= limit
    shown = "n/a" if value is None else f"{value:.3g}{unit}"
    return {"name": name, "value": value, "limit": limit, "ok": ok, "text": f"{name} {shown} ≤ {limit:g}{unit}"}


def emit(benchmark: str, args: argparse.Namespace, *, target: str, goal: str,
         measured: dict[str, Any], baseline: dict[str, Any] | None,
         measured_text: str, baseline_text: str, ratio: float | None,
         checks: list[dict[str, Any]], notes: Sequence[str] = ()) -> dict[str, Any]:
    """Print the single JSON result line and return it."""
    passed = bool(checks) and all(c["ok"] for c in checks)
    result = {
        "benchmark": benchmark,
        "target": target,
        "goal": goal,
        "mode": args.mode,
        "measured": measured,
        "baseline": baseline,
        "measured_text": measured_text,
        "baseline_text": baseline_text,
        "ratio": None if ratio is None else round(ratio, 4),
        "checks": checks,
        "status": "SMOKE" if args.mode == "smoke" else ("PASS" if passed else "MISS"),
        "notes": list(notes),
        "load_average": load_average(),
        "python": sys.executable,
    }
    result = _rounded(result)
    print(json.dumps(result, default=_jsonable), flush=True)
    return result


def _rounded(value: Any) -> Any:
    """Floats to 4 decimals, so the line stays readable (figures are noisier than that anyway)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        return _rounded(value.item())
    return value


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def ratio(measured: float | None, baseline: float | None) -> float | None:
    if measured is None or not baseline:
        return None
    return measured / baseline


# --------------------------------------------------------------------------- statistics and timing


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100), nearest-rank, so p99 of few samples is an observed value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed: ...; elapsed()`` in seconds (frozen at block exit)."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


# --------------------------------------------------------------------------- memory


def _status_kib(field: str, pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_mb() -> float | None:
    """This process's peak resident set (VmHWM) in MB (10^6 bytes)."""
    kib = _status_kib("VmHWM")
    return None if kib is None else kib * 1024 / 1e6


def rss_mb(pid: int | str = "self") -> float | None:
    """The current resident set (VmRSS) in MB of this process, or of ``pid`` (None once it has exited)."""
    kib = _status_kib("VmRSS", pid)
    return None if kib is None else kib * 1024 / 1e6


# --------------------------------------------------------------------------- environment and subprocesses


def bench_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """Environment for children: offscreen Qt, quiet TensorFlow, and (with ``home``) user folders in a temp dir."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    if home is not None:
        for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                         ("XDG_CONFIG_HOME", "config"), ("KERAS_HOME", "keras")):
            (home / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(home / sub)
    env.update(extra)
    return env


def isolate_user_dirs(home: Path) -> None:
    """Point this process's user folders at ``home`` so a benchmark never touches the real ones."""
    os.environ.update({k: v for k, v in bench_env(home).items()
                       if k in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "KERAS_HOME")})
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"kwb-bench-{prefix}-") as name:
        yield Path(name)


def run_timed(cmd: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 300,
              cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a command; return (wall seconds, completed process). Raises on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), check=False, env=env or bench_env(), capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or REPO_ROOT)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(cmd[:4])}… exited {proc.returncode}: " + " | ".join(tail))
    return wall, proc


def child_result(script: Path | str, child_args: Sequence[str], *, env: dict[str, str] | None = None,
                 timeout: float = 600) -> dict[str, Any]:
    """Run ``python SCRIPT CHILD_ARGS`` and return the dict it passed to :func:`report_child`."""
    _, proc = run_timed([sys.executable, str(script), *child_args], env=env, timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise RuntimeError(f"{Path(script).name} {' '.join(child_args)} printed no result; "
                       f"stderr tail: {proc.stderr.strip()[-400:]}")


def report_child(values: dict[str, Any]) -> None:
    """A child subprocess's result, found by :func:`child_result` among any other output."""
    print(RESULT_MARK + json.dumps(values, default=_jsonable), flush=True)


def guard_bool_refcount() -> str | None:
    """Work around PySide6 6.12.0 returning ``True``/``None`` without taking a reference.

    Every Python-side ``SignalInstance.emit()`` returns ``True``, and ``QObject.property()`` of an
    unset property returns ``None``, without a reference of their own, so each call lowers the
    refcount by one; on Python < 3.12 (where these singletons are not immortal) the process aborts
    with "bool_dealloc: deallocating True or False" / "none_dealloc" after a few hundred to a few
    tens of thousands of calls (pyqtgraph's ``setData`` does both). Benchmarks that make thousands
    of such calls pin ``True``, ``False`` and ``None`` (as Python 3.12 does) and say so in their
    notes; returns that note, or None when nothing was needed (the installed binding does not leak,
    they are already pinned, or Python ≥ 3.12). pyproject now excludes 6.12.0; this stays so that a
    benchmark run in an older environment still finishes.
    """
    import ctypes

    from PySide6.QtCore import QObject, Signal

    if sys.version_info >= (3, 12) or sys.getrefcount(True) > 1 << 40:
        return None

    class _Probe(QObject):
        pinged = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(50):
        probe.pinged.emit()
    if sys.getrefcount(True) > before - 50:  # this Qt binding keeps its references: nothing to do
        return None
    headroom = min(sys.getrefcount(True), sys.getrefcount(None))
    for value in (True, False, None):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 48
    return ("PySide6 emit() / QObject.property() drop a reference to True / None on each call (PySide6 6.12.0, "
            f"Python {sys.version_info.major}.{sys.version_info.minor}); this benchmark pinned True/False/None so "
            f"the process survives — they had about {headroom:,} references, so roughly that many more such calls "
            "would have aborted it (bool_dealloc / none_dealloc); the app itself has no such guard")


EXIT_MISSING = 3  # the smoke tests skip, rather than fail, a script that exits with this


def require(benchmark: str, *modules: str) -> None:
    """Stop (exit 3, one line on stderr) when a workbench module this benchmark measures is absent."""
    import importlib.util

    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            fail(benchmark, f"{module} does not exist yet; nothing to measure", EXIT_MISSING)


def fail(benchmark: str, message: str, code: int = 2) -> None:
    """Stop with one line on stderr (run_all records it); no traceback for a known cause."""
    print(f"{benchmark}: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)
