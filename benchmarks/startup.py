"""Time to main window vs ``python -c "import tensorflow"``, both as fresh subprocesses.

Measured: ``keras-workbench selftest --json`` reports ``window_shown_s`` (process start → window
exposed, read from /proc by the selftest itself). Baseline: the wall time of a subprocess that only
imports TensorFlow. The two alternate, so a burst of load on the machine hits both alike; the
median of the repetitions is compared. Goal: window ≤ 1.5 s and ≤ 0.4× the import.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import common

GOAL_WINDOW_S = 1.5
GOAL_RATIO = 0.4


def selftest_command() -> list[str]:
    # The installed console script is what a user runs; fall back to `python -m workbench`.
    script = Path(sys.executable).with_name("keras-workbench")
    if script.exists():
        return [str(script), "selftest", "--json"]
    found = shutil.which("keras-workbench")
    return [found, "selftest", "--json"] if found else [sys.executable, "-m", "workbench", "selftest", "--json"]


def measure_window(home: Path) -> dict:
    _, proc = common.run_timed(selftest_command(), env=common.bench_env(home), timeout=300)
    line = next(ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("{"))
    return json.loads(line)


def main() -> None:
    args = common.parse_args(__doc__.splitlines()[0])
    reps = common.pick(args, smoke=1, default=3, full=7)
    # A smoke run checks the plumbing only; importing TensorFlow would cost seconds for nothing.
    baseline_module = "numpy" if args.mode == "smoke" else "tensorflow"
    windows: list[float] = []
    imports: list[float] = []
    keras_ready: list[float] = []
    tf_before_window = False
    with common.temp_dir("startup") as home:
        env = common.bench_env(home)
        for _ in range(reps):
            wall, _ = common.run_timed([sys.executable, "-c", f"import {baseline_module}"], env=env)
            imports.append(wall)
            shown = measure_window(home)
            windows.append(float(shown["window_shown_s"]))
            tf_before_window |= bool(shown.get("tensorflow_imported_before_window"))
            if shown.get("keras_ready_s") is not None:
                keras_ready.append(float(shown["keras_ready_s"]))
    window = common.median(windows)
    baseline = common.median(imports)
    r = common.ratio(window, baseline)
    notes = [f"{reps} alternating repetitions of each; medians compared"]
    if tf_before_window:
        notes.append("TensorFlow was imported before the window showed (the selftest says so)")
    if args.mode == "smoke":
        notes.append("smoke: baseline is `import numpy`, not TensorFlow")
    common.emit(
        "startup", args,
        target="time to main window",
        goal=f"window ≤ {GOAL_WINDOW_S} s and ≤ {GOAL_RATIO}× `python -c \"import tensorflow\"`",
        measured={"window_shown_s": window, "window_shown_all_s": windows,
                  "keras_ready_s": common.median(keras_ready),
                  "tensorflow_imported_before_window": tf_before_window},
        baseline={f"import_{baseline_module}_s": baseline, f"import_{baseline_module}_all_s": imports},
        measured_text=f"{window:.2f} s to window",
        baseline_text=f"{baseline:.2f} s `import {baseline_module}`",
        ratio=r,
        checks=[common.check("window_s", window, GOAL_WINDOW_S, unit=" s"),
                common.check("ratio", r, GOAL_RATIO, unit="×"),
                {"name": "tensorflow_after_window", "value": tf_before_window, "limit": False,
                 "ok": not tf_before_window, "text": "TensorFlow not imported before the window"}],
        notes=notes,
    )


if __name__ == "__main__":
    main()
