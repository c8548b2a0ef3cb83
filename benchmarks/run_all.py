"""Run every benchmark script and write the ``## Targets`` section of ``benchmarks/RESULTS.md``.

    python benchmarks/run_all.py            # default sizes (each script < 3 minutes)
    python benchmarks/run_all.py --full     # the issue's full sizes
    python benchmarks/run_all.py --only startup,plot_redraw

Each script prints one JSON line; a script that fails is recorded with its error and the rest
still run. Other sections of RESULTS.md (e.g. ``## Frozen bundle``, written by packaging, or
before/after notes) are kept as they are. The raw JSON lines go to ``benchmarks/results.jsonl``.
While each script runs, the CPU time used by *other* processes on the machine is measured from
/proc/stat, so a result taken on a busy machine says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import common

RESULTS_MD = common.BENCH_DIR / "RESULTS.md"
RESULTS_JSONL = common.BENCH_DIR / "results.jsonl"
SECTION = "## Targets"
# Table order; any other script in benchmarks/ that prints a JSON line runs after these.
ORDER = ["startup", "training_overhead", "gui_responsiveness", "memory_imdb", "text_folder_load",
         "char_generation", "sweep_memory", "plot_redraw"]
NOT_BENCHMARKS = {"common", "generators", "run_all", "guitrain"}
CHAR_GENERATION_GOAL = 40.0
CHAR_GENERATION_MAX_DP = 1e-4


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count()}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 ** 2, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["python"] = sys.version.split()[0]
    return info


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, cwd=common.REPO_ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], check=False,
                               cwd=common.REPO_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} (with uncommitted changes)" if head and dirty else head or "unknown"


def _busy_seconds() -> float | None:
    """CPU seconds all processes have been busy (every core summed), from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- running


def scripts(only: set[str] | None) -> list[Path]:
    found = {p.stem: p for p in common.BENCH_DIR.glob("*.py")
             if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_")}
    names = [n for n in ORDER if n in found] + sorted(n for n in found if n not in ORDER)
    return [found[n] for n in names if not only or n in only]


def run_script(path: Path, full: bool, timeout: float) -> dict[str, Any]:
    """Run one script; return its JSON result (adapted) or a record of the failure."""
    cmd = [sys.executable, str(path)]
    source = path.read_text(encoding="utf-8")
    if full and ("import common" in source or '"--full"' in source):  # common.parse_args adds --full
        cmd.append("--full")
    busy0, child0, wall0 = _busy_seconds(), _children_cpu_seconds(), time.perf_counter()
    try:
        proc = subprocess.run(cmd, check=False, env=common.bench_env(), cwd=common.REPO_ROOT, capture_output=True,
                              text=True, timeout=timeout)
        error = None if proc.returncode == 0 else _tail(proc.stderr or proc.stdout, f"exit {proc.returncode}")
        stdout = proc.stdout
    except subprocess.TimeoutExpired as exc:
        error, stdout = f"timed out after {timeout:.0f} s", (exc.stdout or b"").decode(errors="replace") \
            if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    wall = time.perf_counter() - wall0
    busy1, child1 = _busy_seconds(), _children_cpu_seconds()
    result: dict[str, Any] | None = None
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                result = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    if result is None:
        result = {"benchmark": path.stem, "status": "ERROR", "error": error or "printed no JSON line"}
        if error and error.startswith(f"exit {common.EXIT_MISSING}:"):
            result["status"] = "NOT BUILT"
    elif error:
        result.update(status="ERROR", error=error)
    result = adapt(path.stem, result)
    result["wall_s"] = round(wall, 1)
    if busy0 is not None and busy1 is not None:
        others = max(0.0, (busy1 - busy0) - (child1 - child0))
        result["other_processes_cpu_share"] = round(others / max(wall * (os.cpu_count() or 1), 1e-9), 3)
    return result


def _tail(text: str, prefix: str) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return f"{prefix}: " + (" | ".join(lines[-3:]) if lines else "no output")


def adapt(name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Map an old-format line onto the table's keys.

    Every script now prints the common keys (``common.emit``); this only still matters for a
    char_generation line from before it did, kept in results.jsonl by a partial (``--only``) run.
    """
    if name == "char_generation" and "measured_text" not in result and "ratio" in result:
        book, fast = result.get("book_chars_per_second"), result.get("fast_chars_per_second")
        dp = result.get("max_abs_probability_difference")
        speed_ok = (result.get("ratio") or 0) >= result.get("target_ratio", CHAR_GENERATION_GOAL)
        same = dp is not None and dp <= CHAR_GENERATION_MAX_DP
        result.setdefault("target", "character generation, LSTM128 over 57 characters")
        result.setdefault("goal", f"≥ {result.get('target_ratio', CHAR_GENERATION_GOAL):g}× faster than the book's "
                                  "loop, same distribution")
        result["baseline_text"] = f"{book} chars/s (book's `model.predict` loop)"
        result["measured_text"] = (f"{fast} chars/s; max |Δp| {dp:.1e}" if dp is not None else f"{fast} chars/s")
        if result.get("status") != "ERROR":
            result["status"] = "PASS" if speed_ok and same else "MISS"
            result["checks"] = [{"text": f"speed-up {result['ratio']}× ≥ {result.get('target_ratio', 40)}×",
                                 "ok": speed_ok},
                                {"text": f"max |Δp| {dp} ≤ {CHAR_GENERATION_MAX_DP:g}", "ok": same}]
    return result


# --------------------------------------------------------------------------- RESULTS.md


def _cell(text: Any) -> str:
    """A table cell: a "|" in the text would split it (e.g. "max |Δp|")."""
    return str(text).replace("|", "\\|")


def _fmt_ratio(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}×"


def render(results: list[dict[str, Any]], info: dict[str, Any], started: str, mode: str) -> str:
    lines = [
        SECTION,
        "",
        (f"Generated by `python benchmarks/run_all.py{' --full' if mode == 'full' else ''}` on {started}, "
        f"commit {commit()}."),
        (f"Machine: {info.get('cores')} cores (nproc), {info.get('memory_gib')} GiB memory, "
        f"CPU {info.get('cpu', 'unknown')}, Python {info.get('python')}."),
        "Ratios are measured / baseline, both taken in the same run (for character generation: the speed-up).",
        "",
        "| target | baseline (same run) | measured | ratio | goal | status |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        target = r.get("target") or r["benchmark"]
        if r.get("status") in ("ERROR", "NOT BUILT"):
            lines.append(f"| {target} | — | not measured | — | {r.get('goal', '')} | {r['status']} |")
            continue
        cells = [target, r.get("baseline_text", "—"), r.get("measured_text", "—"), _fmt_ratio(r.get("ratio")),
                 r.get("goal", ""), r.get("status", "?")]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    busy = [r for r in results if (r.get("other_processes_cpu_share") or 0) > 0.10]
    lines += ["", "### Conditions", ""]
    loads = [f"{r['benchmark']} {r['load_average'][0]:.2f}" for r in results if r.get("load_average")]
    if loads:
        lines.append("1-minute load average at the end of each benchmark: " + ", ".join(loads) + ".")
    if busy:
        lines.append("**Other processes were running on the machine** during: " + ", ".join(
            f"{r['benchmark']} ({100 * r['other_processes_cpu_share']:.0f}% of all cores)" for r in busy)
            + ". Timings of those rows are pessimistic; compare ratios rather than absolute times.")
    else:
        lines.append("Other processes used under 10% of the machine during every benchmark.")
    lines += ["", "### Details", ""]
    for r in results:
        lines.append(f"- **{r['benchmark']}** ({r.get('mode', 'default')} mode, {r.get('wall_s', '?')} s): "
                     + ("; ".join(c.get("text", "") + (" ✓" if c.get("ok") else " ✗")
                                  for c in r.get("checks", [])) or "")
                     + (f" — error: `{r['error']}`" if r.get("error") else ""))
        for note in r.get("notes", []):
            lines.append(f"  - {note}")
    return "\n".join(lines) + "\n"


def merge_sections(existing: str, section: str) -> str:
    """Replace the ``## Targets`` section of ``existing`` (or add it first), keeping every other one."""
    if not existing.strip():
        return "# Benchmark results\n\n" + section
    lines = existing.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.rstrip() == SECTION), None)
    if start is None:
        first_h2 = next((i for i, ln in enumerate(lines) if ln.startswith("## ")), len(lines))
        head = "".join(lines[:first_h2]).rstrip("\n") + "\n\n"
        rest = "".join(lines[first_h2:])
        return head + section + ("\n" + rest if rest else "")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    rest = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + rest if rest else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="pass --full to every script that has it")
    parser.add_argument("--only", help="comma-separated script names (default: all)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per script (default 900)")
    parser.add_argument("--output", type=Path, default=RESULTS_MD, help="the Markdown file to update")
    args = parser.parse_args()
    only = {n.strip() for n in args.only.split(",")} if args.only else None
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    results = []
    for path in scripts(only):
        print(f"running {path.name}…", file=sys.stderr, flush=True)
        result = run_script(path, args.full, args.timeout)
        print(f"  {result.get('status')}: {result.get('measured_text') or result.get('error')}",
              file=sys.stderr, flush=True)
        results.append(result)
    if only and args.output.exists():
        # A partial run keeps the rows of the scripts it did not run.
        results = _merge_previous(results, only)
    section = render(results, info, started, "full" if args.full else "default")
    existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(merge_sections(existing, section), encoding="utf-8")
    with open(RESULTS_JSONL if args.output == RESULTS_MD else args.output.with_suffix(".jsonl"), "w",
              encoding="utf-8") as handle:
        handle.writelines(json.dumps({**r, "machine": info, "date": started}) + "\n" for r in results)
    print(f"wrote {args.output}", file=sys.stderr)


def _merge_previous(results: list[dict[str, Any]], only: set[str]) -> list[dict[str, Any]]:
    previous: dict[str, dict[str, Any]] = {}
    if RESULTS_JSONL.exists():
        for line in RESULTS_JSONL.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            previous[row.get("benchmark")] = row
    for row in previous.values():
        note = f"from an earlier run ({row.get('date', 'date unknown')}), not re-measured this time"
        if note not in row.setdefault("notes", []):
            row["notes"].insert(0, note)
    fresh = {r["benchmark"]: r for r in results}
    names = [p.stem for p in scripts(None)]
    return [fresh.get(n) or previous[n] for n in names if n in fresh or n in previous]


if __name__ == "__main__":
    main()
