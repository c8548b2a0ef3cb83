"""``selftest --journey playground`` and ``--journey generate``: the real Playground driven like a user."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from workbench.core.errors import WorkbenchError

LOAD_TIMEOUT_S = 180
PREDICT_TIMEOUT_S = 60
GENERATE_TIMEOUT_S = 300


def _open_run(window, app, args) -> tuple[Any, dict[str, Any]]:
    """Show the Playground tab and load ``--run``; returns the panel and facts (with an error if any)."""
    from workbench.core.training.runs import RunStore
    from workbench.gui.main_window import PANELS
    from workbench.gui.selftest import wait_until

    panel = window.panels["playground"]
    window.tabs.setCurrentIndex([key for key, _ in PANELS].index("playground"))
    if not getattr(args, "run", None):
        return panel, {"ok": False, "error": "--run RUN is needed for this journey."}
    try:
        record = RunStore(window.context.runs_dir).open_run(args.run)
    except WorkbenchError as exc:
        return panel, {"ok": False, "error": str(exc)}
    panel.open_run(str(record.path))
    loaded = wait_until(lambda: panel.loaded is not None
                        or (panel.message_text and "Loading" not in panel.message_text), LOAD_TIMEOUT_S, app)
    facts: dict[str, Any] = {"run": record.run_id, "run_status": record.status}
    if panel.loaded is None:
        facts.update(ok=False, error=panel.message_text or ("timed out loading the run" if not loaded else ""))
    return panel, facts


def playground_journey(window, app, args, shoot) -> dict[str, Any]:
    """Type ``--text`` into the text box, wait for the prediction, screenshot."""
    from workbench.gui.selftest import wait_until

    panel, facts = _open_run(window, app, args)
    if "error" in facts:
        shoot("journey-playground-error")
        return facts
    text = getattr(args, "text", None) or "This movie was great, I loved every minute."
    facts["kind"] = panel.loaded.kind
    if panel.current_page != "text":
        facts.update(ok=False, error=f"run {facts['run']} is not a text classifier ({panel.loaded.kind}); "
                                     "the playground journey types text.")
        shoot("journey-playground-error")
        return facts
    box = panel.page_widgets["text"].text_edit
    box.setFocus()
    box.clear()
    panel.last_prediction = None
    QTest.keyClicks(box, text)
    done = wait_until(lambda: panel.last_prediction is not None, PREDICT_TIMEOUT_S, app)
    shoot("journey-playground")
    prediction = panel.last_prediction or {}
    tokens = panel.page_widgets["text"].token_view.states
    facts.update(
        ok=bool(done and "label" in prediction),
        text=box.toPlainText(),
        label=prediction.get("label"),
        probabilities=prediction.get("probabilities"),
        tokens=[{"word": w, "state": s} for w, s in tokens],
        shown_label=panel.prediction_label.text(),
        message=panel.message_text or prediction.get("error"),
    )
    return facts


def generate_journey(window, app, args, shoot) -> dict[str, Any]:
    """Generate ``--length`` characters at ``--temperatures`` as a stream, screenshot."""
    from workbench.gui.selftest import wait_until

    panel, facts = _open_run(window, app, args)
    if "error" in facts:
        shoot("journey-generate-error")
        return facts
    if panel.current_page != "char":
        facts.update(ok=False, error=f"run {facts['run']} is not a character-level model ({panel.loaded.kind}).")
        shoot("journey-generate-error")
        return facts
    page = panel.page_widgets["char"]
    try:
        temperatures = [float(t) for t in str(getattr(args, "temperatures", "0.2,1.0")).split(",") if t.strip()]
    except ValueError:
        facts.update(ok=False, error=f"--temperatures {args.temperatures!r}: use numbers like 0.2,1.0")
        return facts
    page.set_temperatures(temperatures)
    page.length_spin.setValue(int(getattr(args, "length", 100) or 100))
    page.rng_edit.setText("0")
    result: dict[str, Any] = {}
    page.generation_finished.connect(result.update)
    chunks_seen = []
    QTest.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    streamed = wait_until(lambda: chunks_seen.append(sum(len(t) for t in page.column_texts)) or bool(result),
                          GENERATE_TIMEOUT_S, app)
    shoot("journey-generate")
    texts = result.get("texts", list(page.column_texts))
    speed = result["chars"] / result["seconds"] if result.get("seconds") else None
    facts.update(
        ok=bool(streamed and "error" not in result and all(len(t) == page.length_spin.value() for t in texts)),
        seed=page.seed_text(),
        temperatures=page.temperatures,
        texts=texts,
        # More than two distinct partial lengths seen while waiting: characters arrived as a stream.
        streamed=len(set(chunks_seen)) > 2,
        chars_per_second=round(speed, 1) if speed else None,
        message=panel.message_text or result.get("error"),
    )
    return facts

