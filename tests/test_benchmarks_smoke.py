"""Each benchmark's ``--smoke`` mode still runs and prints its one JSON line (so they do not rot).

These are not timed tests: a smoke run only proves the plumbing (its status is "SMOKE"). Every
script exists and every module they measure is built, so a missing script, or a script that exits
3 because a workbench module it measures is gone (``common.require``, e.g. after a rename), fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
OURS = ["startup", "training_overhead", "gui_responsiveness", "memory_imdb", "text_folder_load",
        "sweep_memory", "plot_redraw", "char_generation"]
EXIT_MISSING = 3
COMMON_KEYS = {"benchmark", "target", "goal", "mode", "measured", "baseline", "measured_text", "baseline_text",
               "ratio", "checks", "status", "notes"}


def _run(name: str, timeout: float = 120) -> dict:
    script = BENCH_DIR / f"{name}.py"
    assert script.exists(), f"benchmarks/{name}.py is missing (renamed? update OURS and benchmarks/README.md)"
    proc = subprocess.run([sys.executable, str(script), "--smoke"], check=False, capture_output=True, text=True,
                          timeout=timeout, cwd=BENCH_DIR.parent)
    assert proc.returncode != EXIT_MISSING, (
        f"{name} --smoke says a workbench module it measures is missing: {proc.stderr.strip()[-500:]}")
    assert proc.returncode == 0, f"{name} --smoke failed:\n{proc.stderr[-2000:]}"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1, f"{name} must print exactly one JSON line, got:\n{proc.stdout[-2000:]}"
    return json.loads(lines[0])


@pytest.mark.slow
@pytest.mark.parametrize("name", OURS)
def test_smoke_prints_one_result_line(name):
    result = _run(name)
    assert COMMON_KEYS <= set(result), f"missing keys: {COMMON_KEYS - set(result)}"
    assert result["benchmark"] == name
    assert result["mode"] == "smoke" and result["status"] == "SMOKE"
    assert result["checks"] and all({"ok", "text"} <= set(c) for c in result["checks"])
    assert isinstance(result["measured"], dict) and result["measured_text"]


def test_run_all_keeps_other_sections(tmp_path):
    sys.path.insert(0, str(BENCH_DIR))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH_DIR))
        # "common" and "run_all" are generic names; do not leave them for other tests to import.
        for name in ("run_all", "common"):
            sys.modules.pop(name, None)
    existing = ("# Benchmark results\n\nIntro.\n\n## Targets\n\nold table\n\n"
                "## Frozen bundle\n\nfolder 1.1 GB\n")
    merged = run_all.merge_sections(existing, "## Targets\n\nnew table\n")
    assert "old table" not in merged and "new table" in merged
    assert merged.index("## Targets") < merged.index("## Frozen bundle")
    assert "folder 1.1 GB" in merged and "Intro." in merged
    # A file without the section gets it before the other sections.
    added = run_all.merge_sections("# Benchmark results\n\n## Frozen bundle\n\nx\n", "## Targets\n\nt\n")
    assert added.index("## Targets") < added.index("## Frozen bundle")
    row = run_all.render([{"benchmark": "startup", "target": "time to main window", "goal": "≤ 1.5 s",
                           "baseline_text": "4 s", "measured_text": "1 s", "ratio": 0.25, "status": "PASS",
                           "checks": [{"text": "window", "ok": True}], "notes": []}],
                         {"cores": 2, "memory_gib": 24, "cpu": "x"}, "today", "default")
    assert "| time to main window | 4 s | 1 s | 0.25× | ≤ 1.5 s | PASS |" in row
