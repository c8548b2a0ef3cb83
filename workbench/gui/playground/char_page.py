"""Character-level generation: seed, temperatures, streamed columns and the next-character chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.generation.fast import encode_seed
from workbench.core.generation.sampling import MAX_TEMPERATURE, MIN_TEMPERATURE, check_temperature, reweight
from workbench.gui.playground import jobs
from workbench.gui.widgets.bar_chart import BarChart
from workbench.gui.workers import Worker

if TYPE_CHECKING:
    from workbench.gui.playground.panel import PlaygroundPanel

MAX_COLUMNS = 6
CHART_CHARS = 16
# Plain ASCII names: symbol glyphs such as "␣" are missing from many fonts.
VISIBLE = {" ": "sp", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def visible(char: str) -> str:
    return VISIBLE.get(char, char)


class CharPage(QWidget):
    """Streams one column per temperature; Stop ends generation at the next character."""

    generation_finished = Signal(dict)

    def __init__(self, panel: PlaygroundPanel):
        super().__init__()
        self.panel = panel
        self.char_run: Any = None
        self.default_seed: str | None = None
        self.probabilities: np.ndarray | None = None
        self.worker: Worker | None = None
        self.column_texts: list[str] = []
        self.column_edits: list[QPlainTextEdit] = []
        self.temperatures: list[float] = []
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        seed_row = QHBoxLayout()
        seed_row.addWidget(QLabel("Seed:"))
        self.seed_edit = QPlainTextEdit()
        self.seed_edit.setObjectName("seedText")
        self.seed_edit.setFont(mono)
        self.seed_edit.setFixedHeight(54)
        self.seed_edit.setPlaceholderText("The text the model continues: at least one window of characters "
                                         "(the model reads the last window).")
        seed_row.addWidget(self.seed_edit, 1)
        self.random_seed_button = QPushButton("Random window")
        self.random_seed_button.setObjectName("randomWindowButton")
        self.random_seed_button.setToolTip("Pick a random window of the training corpus as the seed.")
        self.random_seed_button.clicked.connect(self.use_random_window)
        seed_row.addWidget(self.random_seed_button)
        layout.addLayout(seed_row)
        self.seed_info = QLabel("")
        self.seed_info.setObjectName("seedInfo")
        self.seed_info.setWordWrap(True)
        layout.addWidget(self.seed_info)

        controls = QGridLayout()
        controls.addWidget(QLabel("Temperature:"), 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("temperatureSlider")
        self.slider.setRange(int(MIN_TEMPERATURE * 100), int(MAX_TEMPERATURE * 100))
        self.slider.setValue(50)
        self.slider.setToolTip("Reweighting temperature for the chart below and the first column.")
        controls.addWidget(self.slider, 0, 1)
        self.temperature_label = QLabel("0.50")
        self.temperature_label.setObjectName("temperatureValue")
        self.temperature_label.setMinimumWidth(36)
        controls.addWidget(self.temperature_label, 0, 2)
        controls.addWidget(QLabel("Compare with:"), 0, 3)
        self.compare_edit = QLineEdit("0.2, 1.0, 1.2")
        self.compare_edit.setObjectName("compareTemperatures")
        self.compare_edit.setToolTip("More temperatures, comma-separated: one column each, generated together.")
        controls.addWidget(self.compare_edit, 0, 4)
        controls.addWidget(QLabel("Length:"), 1, 0)
        self.length_spin = QSpinBox()
        self.length_spin.setObjectName("generationLength")
        self.length_spin.setRange(1, 20_000)
        self.length_spin.setValue(400)
        controls.addWidget(self.length_spin, 1, 1)
        controls.addWidget(QLabel("Random seed:"), 1, 3)
        self.rng_edit = QLineEdit()
        self.rng_edit.setObjectName("randomSeedField")
        self.rng_edit.setPlaceholderText("empty: different every time")
        self.rng_edit.setToolTip("A whole number makes sampling reproducible.")
        controls.addWidget(self.rng_edit, 1, 4)
        buttons = QHBoxLayout()
        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("generateButton")
        self.generate_button.clicked.connect(self.generate)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopGenerateButton")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.stop_button)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("generationSpeed")
        buttons.addWidget(self.speed_label, 1)
        controls.addLayout(buttons, 2, 0, 1, 5)
        controls.setColumnStretch(1, 2)
        controls.setColumnStretch(4, 1)
        layout.addLayout(controls)

        self.chart = BarChart("Next character after the seed: model vs reweighted")
        self.chart.setObjectName("nextCharChart")
        self.chart.setMinimumHeight(170)
        layout.addWidget(self.chart, 1)

        self.columns_host = QWidget()
        self.columns_host.setObjectName("generationColumns")
        self.columns_layout = QHBoxLayout(self.columns_host)
        self.columns_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.columns_host, 2)

        self.seed_timer = QTimer(self)
        self.seed_timer.setSingleShot(True)
        self.seed_timer.setInterval(250)
        self.seed_timer.timeout.connect(self.update_distribution)
        self.seed_edit.textChanged.connect(self._on_seed_changed)
        self.slider.valueChanged.connect(self._on_temperature_changed)
        self.dist_runner = jobs.LatestRunner(panel.context.pool, self)
        self.dist_runner.result.connect(self._on_distribution)
        self.dist_runner.error.connect(lambda message: self.panel.show_message(message, "error"))

    # ------------------------------------------------------------------ run

    def set_run(self, payload: dict) -> None:
        self.stop()
        self.char_run = payload["char_run"]
        self.default_seed = payload.get("default_seed")
        self.probabilities = None
        self.chart.clear_bars()
        self.random_seed_button.setEnabled(self.char_run.corpus_path is not None)
        if self.default_seed:
            self.seed_edit.setPlainText(self.default_seed)
        else:
            self._on_seed_changed()

    def reset(self) -> None:
        """Forget the run: stop generating and drop pending seed and distribution work."""
        self.stop()
        self.seed_timer.stop()
        self.dist_runner.cancel()
        self.char_run = None
        self.probabilities = None

    def use_random_window(self) -> None:
        if self.char_run is None:
            return
        window = self.char_run.random_window()
        if window:
            self.seed_edit.setPlainText(window)

    @property
    def temperature(self) -> float:
        return self.slider.value() / 100.0

    def seed_text(self) -> str:
        return self.seed_edit.toPlainText()

    def check_seed(self) -> str | None:
        """None when the seed is usable, else the message to show."""
        if self.char_run is None:
            return "Choose a character-level run first."
        try:
            encode_seed(self.seed_text(), self.char_run.chars, self.char_run.maxlen,
                        lowercase=self.char_run.lowercase)
        except WorkbenchError as exc:
            return str(exc)
        return None

    def _on_seed_changed(self) -> None:
        if self.char_run is None:
            return
        self.panel.show_message("", "info")  # an earlier complaint about the seed no longer applies
        problem = self.check_seed()
        count = len(self.seed_text())
        if problem:
            self.seed_info.setText(f"{count}/{self.char_run.maxlen} characters — {problem}")
            self.seed_info.setStyleSheet("color: #b00020;")
        else:
            maxlen = self.char_run.maxlen
            read = f"{count} characters, the model reads the last {maxlen}" if count > maxlen else \
                f"{count}/{maxlen} characters"
            self.seed_info.setText(f"{read}, all in the vocabulary of {len(self.char_run.chars)}.")
            self.seed_info.setStyleSheet("color: #2e7d32;")
            self.seed_timer.start()

    def _on_temperature_changed(self, value: int) -> None:
        self.temperature_label.setText(f"{value / 100:.2f}")
        self.draw_distribution()

    # ------------------------------------------------------------------ distribution chart

    def update_distribution(self) -> None:
        if self.char_run is None or self.check_seed():
            return
        self.dist_runner.request(jobs.next_char_task, self.char_run, self.seed_text())

    def _on_distribution(self, probabilities) -> None:
        self.probabilities = np.asarray(probabilities, dtype=np.float64)
        self.draw_distribution()

    def draw_distribution(self) -> None:
        if self.probabilities is None or self.char_run is None:
            return
        before = self.probabilities
        after = reweight(before, self.temperature)
        top = list(np.argsort(-before)[:CHART_CHARS // 2])
        top += [i for i in np.argsort(-after)[:CHART_CHARS] if i not in top][:CHART_CHARS - len(top)]
        top.sort(key=lambda i: -before[i])
        labels = [visible(self.char_run.chars[i]) for i in top]
        self.chart.set_bars(labels, {"model": before[top], f"T = {self.temperature:.2f}": after[top]},
                            y_max=None)

    # ------------------------------------------------------------------ generation

    def parse_temperatures(self) -> list[float]:
        temps = [self.temperature]
        for part in self.compare_edit.text().replace(";", ",").split(","):
            if part.strip():
                try:
                    value = float(part)
                except ValueError:
                    raise WorkbenchError(f'"{part.strip()}" in "Compare with" is not a number.') from None
                temps.append(check_temperature(value))
        if len(temps) > MAX_COLUMNS:
            raise WorkbenchError(f"at most {MAX_COLUMNS} temperatures at once; remove some from "
                                 "\"Compare with\".")
        return temps

    def set_temperatures(self, temperatures: list[float]) -> None:
        """First value on the slider, the others in "Compare with" (for scripted journeys)."""
        self.slider.setValue(round(temperatures[0] * 100))
        self.compare_edit.setText(", ".join(f"{t:g}" for t in temperatures[1:]))

    def random_seed(self) -> int | None:
        text = self.rng_edit.text().strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise WorkbenchError(f'random seed "{text}" must be a whole number (or empty).') from None

    def _make_columns(self, temperatures: list[float]) -> None:
        while self.columns_layout.count():
            item = self.columns_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.column_edits = []
        self.column_texts = ["" for _ in temperatures]
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for index, temperature in enumerate(temperatures):
            box = QGroupBox(f"T = {temperature:g}")
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(4, 4, 4, 4)
            edit = QPlainTextEdit()
            edit.setObjectName(f"generationColumn{index}")
            edit.setReadOnly(True)
            edit.setFont(mono)
            box_layout.addWidget(edit)
            self.columns_layout.addWidget(box)
            self.column_edits.append(edit)

    def generate(self) -> None:
        if self.worker is not None:
            return
        problem = self.check_seed()
        try:
            if problem:
                raise WorkbenchError(problem)
            temperatures = self.parse_temperatures()
            rng_seed = self.random_seed()
        except WorkbenchError as exc:
            self.panel.show_message(str(exc), "error")
            return
        self.panel.show_message("", "info")
        self.temperatures = temperatures
        self._make_columns(temperatures)
        self.speed_label.setText("Generating…")
        worker = Worker(jobs.generate_task, self.char_run, self.seed_text(), temperatures,
                        self.length_spin.value(), rng_seed, name="generate")
        worker.yielded.connect(self._on_chunk)
        worker.finished.connect(self._on_generated)
        worker.failed.connect(self._on_generate_failed)
        self.worker = worker
        self.generate_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.panel.context.pool.start(worker)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.speed_label.setText("Stopping…")
        self.stop_button.setEnabled(False)

    @property
    def is_generating(self) -> bool:
        return self.worker is not None

    def _on_chunk(self, chunks: list[str]) -> None:
        if self.sender() is not self.worker:
            return
        for index, chunk in enumerate(chunks):
            if chunk and index < len(self.column_edits):
                self.column_texts[index] += chunk
                edit = self.column_edits[index]
                edit.moveCursor(QTextCursor.MoveOperation.End)
                edit.insertPlainText(chunk)

    def _finish(self) -> None:
        self.worker = None
        self.generate_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def _on_generated(self, result: dict) -> None:
        if self.sender() is not self.worker:
            return
        self._finish()
        speed = result["chars"] / result["seconds"]
        verb = "Stopped after" if result["stopped"] else "Generated"
        self.speed_label.setText(f"{verb} {result['chars']} characters in {result['seconds']:.1f} s "
                                 f"({speed:,.0f} chars/s).")
        self.generation_finished.emit(dict(result, texts=list(self.column_texts)))

    def _on_generate_failed(self, message: str) -> None:
        if self.sender() is not self.worker:
            return
        self._finish()
        self.speed_label.setText("")
        self.panel.show_message(message, "error")
        self.generation_finished.emit({"error": message, "texts": list(self.column_texts)})
