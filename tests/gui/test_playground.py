"""The Playground panel, offscreen: real runs on disk, real workers, real widgets."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from playground_runs import make_char_run, make_image_run, make_text_run
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from workbench.gui.widgets.digit_canvas import DigitCanvas

WAIT_MS = 60_000


@pytest.fixture
def make_panel(qtbot, tmp_path):
    from workbench.gui.context import AppContext
    from workbench.gui.playground.panel import PlaygroundPanel
    from workbench.gui.session import DocumentSession

    contexts = []

    def make(runs_dir=tmp_path):
        context = AppContext(DocumentSession())
        context.runs_dir = runs_dir
        panel = PlaygroundPanel(context)
        panel.setObjectName("playgroundPanel")
        qtbot.addWidget(panel)
        panel.resize(1100, 720)
        panel.show()
        contexts.append(context)
        return panel

    yield make
    for context in contexts:
        context.pool.shutdown()


def pick(qtbot, panel, run_path, *, expect_load=True):
    index = panel._index_of(str(run_path))
    assert index > 0, "the run is listed in the picker"
    if expect_load:
        with qtbot.waitSignal(panel.run_loaded, timeout=WAIT_MS):
            panel.run_picker.setCurrentIndex(index)
    else:
        panel.run_picker.setCurrentIndex(index)
        qtbot.waitUntil(lambda: panel.message_text and "Loading" not in panel.message_text, timeout=WAIT_MS)


def centre_of_mass(image):
    yy, xx = np.indices(image.shape)
    return (yy * image).sum() / image.sum(), (xx * image).sum() / image.sum()


def test_mouse_drawing_gives_a_centred_28x28_input(qtbot):
    from workbench.core.training.prediction import center_digit

    canvas = DigitCanvas()
    qtbot.addWidget(canvas)
    canvas.show()
    qtbot.waitExposed(canvas)
    assert canvas.is_empty
    with qtbot.waitSignal(canvas.drawing_finished, timeout=2000):
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(40, 30))
        for y in range(30, 121, 10):
            QTest.mouseMove(canvas, QPoint(40 + y // 10, y))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(50, 120))
    drawing = canvas.to_array()
    assert drawing.shape == (280, 280) and drawing.max() == pytest.approx(1.0)
    assert drawing[30:121, 30:60].mean() > 0.3 and drawing[200:, 200:].max() == 0  # ink where the mouse went
    digit = center_digit(drawing)
    assert digit.shape == (28, 28)
    assert centre_of_mass(digit) == pytest.approx((13.5, 13.5), abs=0.6)
    rows = np.flatnonzero(digit.max(axis=1) > 0.05)
    assert 18 <= rows[-1] - rows[0] + 1 <= 20
    canvas.clear()
    assert canvas.is_empty and canvas.to_array().max() == 0


def test_typing_text_predicts_and_shows_tokens(qtbot, make_panel, tmp_path):
    panel = make_panel()
    run = make_text_run(tmp_path)  # written after the panel listed the runs: found on request
    with qtbot.waitSignal(panel.run_loaded, timeout=WAIT_MS):
        panel.context.run_requested.emit(str(run))  # what the Runs panel does to open a run here
    assert panel.current_page == "text"
    text_box = panel.findChild(object, "predictText")
    with qtbot.waitSignal(panel.prediction_shown, timeout=WAIT_MS) as blocker:
        QTest.keyClicks(text_box, "What a great movie, zorblax")
    result = blocker.args[0]
    assert result["label"] == "positive"
    assert panel.findChild(object, "probabilityChart").labels == ["negative", "positive"]
    assert panel.findChild(object, "predictionLabel").text().startswith("positive")
    states = dict(panel.findChild(object, "tokenView").states)
    assert states["great"] == "known" and states["zorblax"] == "oov"
    assert panel.message_text == ""

    # Unknown words only: an inline message, the tokens still shown, nothing crashes.
    with qtbot.waitSignal(panel.prediction_shown, timeout=WAIT_MS):
        text_box.setPlainText("zorblax quux")
    assert "none of the words" in panel.message_text
    assert [s for _, s in panel.findChild(object, "tokenView").states] == ["oov", "oov"]
    text_box.setPlainText("   ")
    qtbot.waitUntil(lambda: "Type some text" in panel.message_text, timeout=5000)


def test_drawn_digit_is_classified_with_its_28x28_input(qtbot, make_panel, tmp_path):
    run = make_image_run(tmp_path)
    panel = make_panel()
    pick(qtbot, panel, run)
    assert panel.current_page == "image"
    canvas = panel.findChild(object, "digitCanvas")
    with qtbot.waitSignal(panel.prediction_shown, timeout=WAIT_MS) as blocker:
        canvas.draw_stroke([(200, 40), (210, 120), (200, 200)])
    assert len(blocker.args[0]["probabilities"]) == 10
    shown = panel.findChild(object, "modelInputView").array
    assert shown.shape == (28, 28)
    assert centre_of_mass(shown) == pytest.approx((13.5, 13.5), abs=0.6)
    QTest.mouseClick(panel.findChild(object, "clearCanvasButton"), Qt.MouseButton.LeftButton)
    assert canvas.is_empty and panel.findChild(object, "probabilityChart").labels == []
    assert panel.grab().save(str(tmp_path / "playground_digit.png"))


def test_unusable_runs_get_inline_messages(qtbot, make_panel, tmp_path):
    running = make_char_run(tmp_path / "a", status="running")
    info = json.loads((running / "run.json").read_text())
    info["pid"] = os.getpid()
    (running / "run.json").write_text(json.dumps(info))
    broken = make_text_run(tmp_path / "a")
    (broken / "preprocessing" / "preprocessing.json").write_text("{")
    no_model = make_image_run(tmp_path / "a")
    (no_model / "model.keras").unlink()
    panel = make_panel(tmp_path / "a")
    pick(qtbot, panel, running, expect_load=False)
    assert "still training" in panel.message_text
    pick(qtbot, panel, no_model, expect_load=False)
    assert "no model file" in panel.message_text
    pick(qtbot, panel, broken, expect_load=False)
    assert "cannot be read" in panel.message_text
    assert panel.current_page == "empty"


def test_generation_streams_columns_and_stops_at_once(qtbot, make_panel, tmp_path):
    run = make_char_run(tmp_path, maxlen=20)
    panel = make_panel()
    pick(qtbot, panel, run)
    page = panel.page_widgets["char"]
    assert panel.current_page == "char"
    assert len(page.seed_text()) == 20  # a random window of the corpus
    qtbot.waitUntil(lambda: panel.findChild(object, "nextCharChart").labels != [], timeout=WAIT_MS)
    chart = panel.findChild(object, "nextCharChart")
    assert list(chart.series) == ["model", "T = 0.50"]

    page.set_temperatures([0.2, 1.0])
    page.rng_edit.setText("3")
    page.length_spin.setValue(40)
    with qtbot.waitSignal(page.generation_finished, timeout=WAIT_MS) as blocker:
        QTest.mouseClick(panel.findChild(object, "generateButton"), Qt.MouseButton.LeftButton)
    first = blocker.args[0]["texts"]
    assert [len(t) for t in first] == [40, 40]
    assert [e.toPlainText() for e in page.column_edits] == first
    with qtbot.waitSignal(page.generation_finished, timeout=WAIT_MS) as blocker:
        QTest.mouseClick(panel.findChild(object, "generateButton"), Qt.MouseButton.LeftButton)
    assert blocker.args[0]["texts"] == first  # same random seed, same text

    page.length_spin.setValue(20_000)
    page.rng_edit.setText("")
    with qtbot.waitSignal(page.generation_finished, timeout=WAIT_MS) as blocker:
        QTest.mouseClick(panel.findChild(object, "generateButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any(page.column_texts), timeout=WAIT_MS)
        QTest.mouseClick(panel.findChild(object, "stopGenerateButton"), Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome["stopped"] and outcome["chars"] < 2 * 20_000

    page.seed_edit.setPlainText("short")
    assert "has 5 characters" in page.seed_info.text()
    QTest.mouseClick(panel.findChild(object, "generateButton"), Qt.MouseButton.LeftButton)
    assert "windows of 20 characters" in panel.message_text
    page.seed_edit.setPlainText("é" * 20)
    assert "never saw" in page.seed_info.text()
    page.seed_edit.setPlainText(first[0][:5] + first[0][:20])
    assert "25 characters, the model reads the last 20" in page.seed_info.text()
    assert panel.grab().save(str(tmp_path / "playground_char.png"))


def test_dropped_image_file_is_fitted_and_inverted(qtbot, tmp_path):
    from PySide6.QtGui import QColor, QImage, QPainter

    canvas = DigitCanvas()
    qtbot.addWidget(canvas)
    scan = QImage(100, 50, QImage.Format.Format_RGB32)
    scan.fill(QColor("white"))
    painter = QPainter(scan)
    painter.fillRect(40, 10, 10, 30, QColor("black"))  # dark ink on paper
    painter.end()
    scan.save(str(tmp_path / "digit.png"))
    with qtbot.waitSignal(canvas.drawing_finished, timeout=2000):
        assert canvas.load_image(str(tmp_path / "digit.png"))
    drawing = canvas.to_array()
    assert drawing[140, 126] > 0.9 and drawing[140, 20] < 0.1  # ink became light, paper dark
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with qtbot.waitSignal(canvas.load_failed, timeout=2000) as blocker:
        assert not canvas.load_image(str(tmp_path / "bad.png"))
    assert "cannot be read as an image" in blocker.args[0]


def test_picking_another_run_resets_pages_and_ignores_stale_predictions(qtbot, make_panel, tmp_path):
    run = make_text_run(tmp_path)
    panel = make_panel()
    pick(qtbot, panel, run)
    text_page = panel.page_widgets["text"]
    QTest.keyClicks(panel.findChild(object, "predictText"), "a great movie")
    assert text_page.timer.isActive()  # the debounce is pending
    stale_owner = panel._prediction_for
    panel.run_picker.setCurrentIndex(0)  # "Choose a run…"
    assert panel.current_page == "empty"
    assert not text_page.timer.isActive() and text_page.loaded is None
    text_page.predict_now()  # what the old debounce would have done: nothing to predict with now
    assert not panel.runner.busy
    # A result that was already on its way for the old run must not reach the empty page.
    shown = []
    panel.prediction_shown.connect(shown.append)
    panel._prediction_for = stale_owner or ("text", object())
    panel._on_prediction({"result": {"label": "positive", "probabilities": {"positive": 1.0}}})
    assert shown == [] and panel.last_prediction is None


def test_deleted_run_is_unloaded_on_refresh(qtbot, make_panel, tmp_path):
    import shutil

    run = make_text_run(tmp_path)
    panel = make_panel()
    pick(qtbot, panel, run)
    assert panel.current_page == "text" and panel.loaded is not None
    shutil.rmtree(run)
    panel.refresh_runs()
    assert panel.run_picker.currentIndex() == 0
    assert panel.current_page == "empty"
    assert panel.loaded is None and panel.current_path is None
    assert panel.run_info.text() == ""
    assert panel.page_widgets["text"].loaded is None
