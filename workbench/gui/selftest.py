"""``keras-workbench selftest``: the real window, offscreen, every panel visited and photographed.

Used by the frozen-bundle smoke test and by CI to prove the app starts, that the window comes
up before TensorFlow is imported, and (with ``--journey``) that a user's path works end to end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

_MODULE_LOADED = time.perf_counter()


def seconds_since_process_start() -> float:
    """Wall time since this process started (Linux: from /proc; elsewhere: since import)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 overall; fields[0] is field 3
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _MODULE_LOADED


def wait_until(predicate, timeout_s: float, app) -> bool:
    """Process events until ``predicate()`` holds or the timeout passes."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.005)
    return True


def run_selftest(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tensorflow_at_start = "tensorflow" in sys.modules
    from workbench.gui.app import make_application
    from workbench.gui.main_window import PANELS, MainWindow

    app = make_application()
    window = MainWindow(ask_to_save=False)
    if getattr(args, "runs", None):
        window.context.runs_dir = Path(args.runs)
    window.show()
    wait_until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), 10, app)
    window_shown_s = seconds_since_process_start()
    tensorflow_before_window = tensorflow_at_start or bool(window.tensorflow_loaded_when_shown)

    shots_dir = Path(args.screenshots) if getattr(args, "screenshots", None) else None
    if shots_dir:
        shots_dir.mkdir(parents=True, exist_ok=True)
    screenshots: list[str] = []
    visited: list[str] = []

    def shoot(name: str) -> None:
        app.processEvents()
        if shots_dir:
            target = shots_dir / f"{name}.png"
            window.grab().save(str(target))
            screenshots.append(str(target))

    for index, (key, _title) in enumerate(PANELS):
        window.tabs.setCurrentIndex(index)
        visited.append(key)
        shoot(key)

    keras_ok = wait_until(lambda: window.context.is_keras_ready, 120, app)
    result: dict[str, Any] = {
        "ok": keras_ok,
        "window_shown_s": round(window_shown_s, 3),
        "tensorflow_imported_before_window": tensorflow_before_window,
        "panels": visited,
        "backend": (window.context.keras_info or {}).get("backend"),
        "keras_ready_s": round(seconds_since_process_start(), 3) if keras_ok else None,
    }
    shoot("ready")

    journey = getattr(args, "journey", None)
    if journey:
        from workbench.gui.journeys import run_journey

        outcome = run_journey(journey, window, app, args, shoot)
        result.update(outcome)
        result["ok"] = result["ok"] and outcome.get("ok", False)
    result["screenshots"] = screenshots
    window.close()
    app.processEvents()
    return result
