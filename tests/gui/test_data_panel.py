"""The Data panel: loading through the real Worker, browsing, filtering, search, errors, requests."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QProgressBar, QPushButton, QSpinBox

from workbench.core.document import ExperimentDocument
from workbench.gui.context import AppContext
from workbench.gui.data.panel import DataPanel
from workbench.gui.session import DocumentSession

LOAD_TIMEOUT = 60_000
OBJECT_NAMES = ("datasetList", "dataSourceEdit", "importDatasetButton", "loadDataButton", "sampleBrowser",
                "sampleIndexSpin", "labelFilter", "sampleSearch", "classBalancePlot", "lengthHistogramPlot",
                "pixelHistogramPlot", "preprocessingEditor", "dataProgress", "dataError")

REVIEWS = {
    "pos": ["A wonderful film with brilliant acting and a moving story.",
            "I loved every minute; the music is brilliant.",
            "Great cast, great story, a film to see twice."],
    "neg": ["A dull film with wooden acting and a silly story.",
            "I hated every minute; the plot is a mess.",
            "Boring, slow and far too long for such a thin story."],
}


@pytest.fixture
def panel(qtbot):
    document = ExperimentDocument()
    document.data.source = "synthetic:circles"
    document.data.options = {"n": 200}
    session = DocumentSession(document)
    context = AppContext(session)
    widget = DataPanel(context)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    # Shown for the first time, the panel loads the experiment's synthetic data by itself.
    with qtbot.waitSignal(widget.data_loaded, timeout=LOAD_TIMEOUT):
        widget.show()
    yield widget
    context.pool.shutdown()


def load(qtbot, panel: DataPanel, source: str | None = None):
    """Load through the real Worker; a failure fails the test with the panel's message."""
    outcome: list = []
    panel.data_loaded.connect(outcome.append)
    panel.load_failed.connect(lambda message: outcome.append(AssertionError(message)))
    if source is not None:
        panel.source_edit.setText(source)
        panel.load_from_edit()
    else:
        panel.start_load()
    qtbot.waitUntil(lambda: bool(outcome), timeout=LOAD_TIMEOUT)
    if isinstance(outcome[0], AssertionError):
        raise outcome[0]
    return outcome[0]


@pytest.fixture
def text_folder(tmp_path):
    root = tmp_path / "reviews"
    for label, texts in REVIEWS.items():
        (root / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / label / f"{i}.txt").write_text(text, encoding="utf-8")
    return root


def test_load_circles_browse_and_filter(qtbot, panel):
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT) as blocker:
        panel.start_load()
        assert panel.findChild(QProgressBar, "dataProgress").isVisibleTo(panel)
    loaded = blocker.args[0]
    browser = panel.browser
    assert loaded.kind == "points"
    assert not panel.progress_row.isVisibleTo(panel)
    assert not panel.error_label.isVisibleTo(panel)
    train = loaded.count("train")
    assert len(browser.listing) == train > 0

    spin = panel.findChild(QSpinBox, "sampleIndexSpin")
    spin.setValue(7)
    assert browser.current == 7
    assert "#7" in browser.view.title.text()

    label_filter = browser.label_filter
    assert label_filter.count() == 1 + len(loaded.class_names)
    label_filter.setCurrentIndex(2)  # the second class
    labels = loaded.labels["train"][browser.listing]
    assert len(browser.listing) and np.all(labels == 1)
    assert len(browser.listing) < train
    assert loaded.labels["train"][browser.current] == 1
    browser.step(1)
    assert loaded.labels["train"][browser.current] == 1

    assert panel.charts.balance.has_plot
    assert sum(loaded.class_counts) == train


def test_catalog_lists_sources_with_status(qtbot, panel):
    qtbot.waitUntil(lambda: panel.dataset_list.count() > 0, timeout=LOAD_TIMEOUT)
    names = [panel.dataset_list.item(i).data(0x0100) for i in range(panel.dataset_list.count())]
    assert "synthetic:circles" in names
    texts = [panel.dataset_list.item(i).text() for i in range(panel.dataset_list.count())]
    assert any("ready" in t for t in texts)


def test_text_folder_shows_decoded_review(qtbot, panel, text_folder):
    loaded = load(qtbot, panel, f"text-folder:{text_folder}")
    assert loaded.kind == "text"
    assert panel.session.document.data.source == f"text-folder:{text_folder}"
    browser = panel.browser
    view = browser.view
    shown = view.text.toPlainText()
    assert any(shown.strip() == text for texts in REVIEWS.values() for text in texts)
    listing = view.tokens.toPlainText()
    # Every word of the review is listed beside its index in the vocabulary.
    first_word = shown.split()[0].lower().strip(".,;")
    assert first_word in listing
    assert loaded.label_text(browser.split, browser.current) in ("pos", "neg")
    assert loaded.label_text(browser.split, browser.current) in view.title.text()

    # Search runs in a worker and narrows the listing to the matching review.
    with qtbot.waitSignal(browser.listing_changed, timeout=LOAD_TIMEOUT):
        browser.search.setText("wooden")
        browser.refilter()
    assert len(browser.listing) == 1
    assert "wooden" in view.text.toPlainText()
    assert panel.charts.lengths.has_plot

    # The folder joins the dataset list as the user's own data, remembered for next time.
    rows = [panel.dataset_list.item(i) for i in range(panel.dataset_list.count())]
    mine = [item for item in rows if item.data(0x0100) == f"text-folder:{text_folder}"]
    assert len(mine) == 1 and "your data" in mine[0].text()
    assert panel.dataset_list.currentItem() is mine[0]


def test_sequence_encoding_marks_pad_and_oov(qtbot, panel, text_folder):
    panel.session.document.data.source = f"text-folder:{text_folder}"
    panel.session.document.data.options = {"encoding": "sequence", "maxlen": 30, "num_words": 12}
    panel.session.document.training.validation_split = None
    load(qtbot, panel)
    listing = panel.browser.view.tokens.toPlainText()
    assert "[pad]" in listing
    assert "[OOV]" in listing
    assert panel.charts.lengths.has_plot


def test_bad_source_shows_inline_error_and_panel_stays_usable(qtbot, panel, tmp_path):
    load(qtbot, panel)
    missing = tmp_path / "nowhere.csv"
    panel.source_edit.setText(f"csv:{missing}")
    with qtbot.waitSignal(panel.load_failed, timeout=LOAD_TIMEOUT):
        panel.load_from_edit()
    error = panel.findChild(QLabel, "dataError")
    assert error.isVisibleTo(panel)
    assert "nowhere.csv" in error.text()
    assert "Traceback" not in error.text()
    # The experiment keeps its working source; the last data stays on screen.
    assert panel.session.document.data.source == "synthetic:circles"
    assert panel.session.undo_stack.count() == 0
    assert panel.loaded.source.startswith("synthetic:circles")
    assert len(panel.browser.listing) > 0

    panel.source_edit.setText("no-such-kind:thing")
    panel.load_from_edit()
    assert "unknown data source kind" in error.text()

    loaded = load(qtbot, panel, "synthetic:xor")
    assert loaded.source.startswith("synthetic:xor")
    assert not error.isVisibleTo(panel)


def test_options_are_undoable_document_edits(qtbot, panel):
    load(qtbot, panel)
    session = panel.session
    noise = panel.editor.editors["noise"]
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT):
        noise.setValue(0.3)
    assert session.document.data.options["noise"] == pytest.approx(0.3)
    assert session.undo_stack.count() == 1
    session.undo_stack.undo()
    assert "noise" not in session.document.data.options
    assert noise.value() == pytest.approx(0.1)

    split = panel.editor.editors["validation_split"]
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT) as blocker:
        split.setValue(0.25)  # a changed split reloads the data
    assert session.document.training.validation_split == pytest.approx(0.25)
    assert blocker.args[0].count("val") == round(200 * 0.8 * 0.25)


def test_sample_requested_shows_those_samples(qtbot, panel):
    load(qtbot, panel)
    panel.context.sample_requested.emit("synthetic:circles", "train", [3, 9, 12])
    browser = panel.browser
    assert browser.listing.tolist() == [3, 9, 12]
    assert browser.current == 3
    assert browser.show_all_button.isVisibleTo(panel)
    browser.clear_request()
    assert len(browser.listing) == panel.loaded.count("train")


def test_sample_requested_for_another_source_loads_it_without_changing_the_experiment(qtbot, panel):
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT) as blocker:
        panel.context.sample_requested.emit("synthetic:xor", "test", [5, 2])
    assert blocker.args[0].source.startswith("synthetic:xor")
    assert panel.browser.split == "test"
    assert panel.browser.listing.tolist() == [2, 5]
    assert panel.session.document.data.source == "synthetic:circles"
    assert panel.session.undo_stack.count() == 0


def test_panel_in_main_window(qtbot, main_window):
    panel = main_window.panels["data"]
    assert isinstance(panel, DataPanel)
    assert panel.loaded is None and not panel.is_loading()  # nothing is loaded while the tab is hidden
    for name in OBJECT_NAMES:
        assert main_window.findChild(object, name) is not None, name
    assert isinstance(main_window.findChild(QListWidget, "datasetList"), QListWidget)
    assert isinstance(main_window.findChild(QLineEdit, "dataSourceEdit"), QLineEdit)
    assert isinstance(main_window.findChild(QProgressBar, "dataProgress"), QProgressBar)
    main_window.tabs.setCurrentWidget(panel)
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT):
        main_window.findChild(QPushButton, "loadDataButton").click()
    assert len(panel.browser.listing) > 0
    # Undo in the main window's Edit menu reverts the data panel's option edits.
    panel.editor.editors["noise"].setValue(0.2)
    assert main_window.session.document.data.options["noise"] == pytest.approx(0.2)
    main_window.undo_action.trigger()
    assert "noise" not in main_window.session.document.data.options


def _write_idx(folder, images: np.ndarray, labels: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    n, rows, cols = images.shape
    header = (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (n, rows, cols))
    (folder / "train-images-idx3-ubyte").write_bytes(header + images.astype(np.uint8).tobytes())
    header = (2049).to_bytes(4, "big") + n.to_bytes(4, "big")
    (folder / "train-labels-idx1-ubyte").write_bytes(header + labels.astype(np.uint8).tobytes())


def test_idx_images_show_thumbnails_and_pixel_histogram(qtbot, panel, tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    images = np.zeros((60, 8, 8), np.uint8)
    images[:, 2:6, 2:6] = (labels[:, None, None] + 1) * 80  # a bright square, brighter per class
    images[:, 0, :] = rng.integers(0, 255, (60, 8))
    _write_idx(tmp_path / "digits", images, labels)
    loaded = load(qtbot, panel, f"idx:{tmp_path / 'digits'}")
    assert loaded.kind == "image"
    view = panel.browser.view
    assert view.grid.model().rowCount() == len(panel.browser.listing) > 0
    assert not view.large.pixmap().isNull()
    panel.browser.set_label_filter(2)
    assert all(loaded.labels[panel.browser.split][i] == 2 for i in panel.browser.listing)
    assert all(view.model.item(r).text() == "2" for r in range(view.model.rowCount()))
    assert panel.charts.pixels.has_plot
    assert not panel.charts.lengths.isVisibleTo(panel.charts)


def test_csv_table_rows_and_column_stats(qtbot, panel, tmp_path):
    path = tmp_path / "people.csv"
    rows = ["age,city,bought"] + [f"{20 + i % 30},{'Oslo' if i % 3 else ''},{'yes' if i % 2 else 'no'}"
                                   for i in range(90)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    loaded = load(qtbot, panel, f"csv:{path}?target=bought")
    assert loaded.kind == "table"
    view = panel.browser.view
    assert view.model.rowCount() > 0
    assert view.model.columnCount() >= 4  # #, label, and the file's columns
    stats = {view.stats.item(r, 0).text(): (view.stats.item(r, 1).text(), view.stats.item(r, 2).text())
             for r in range(view.stats.rowCount())}
    assert stats["age"][0].startswith("number")
    assert stats["bought"][0].endswith("target")
    assert int(stats["city"][1]) > 0  # missing cities are counted
    # The target column is offered in the editor, read from the source string.
    assert panel.editor.value("target") == "bought"


def test_corpus_shows_windows_and_next_character(qtbot, panel, tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 20, encoding="utf-8")
    panel.session.document.data.source = f"corpus:{path}"
    panel.session.document.data.options = {"maxlen": 10, "step": 3}
    loaded = load(qtbot, panel)
    assert loaded.kind == "corpus"
    view = panel.browser.view
    window = str(loaded.raw(panel.browser.split, panel.browser.current))
    assert window in view.window.toPlainText()
    assert "Window #" in view.title.text()


def test_import_of_unknown_file_shows_inline_error(qtbot, panel, tmp_path):
    bogus = tmp_path / "holiday.npz"
    bogus.write_bytes(b"not a dataset")
    panel.import_file(str(bogus))
    error = panel.findChild(QLabel, "dataError")
    qtbot.waitUntil(lambda: error.isVisibleTo(panel), timeout=LOAD_TIMEOUT)
    assert "holiday.npz" in error.text()


def test_preview_module_shows_spirals(tmp_path):
    import os
    import subprocess
    import sys

    shot = tmp_path / "preview.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "workbench.gui.data", "--screenshot", str(shot)],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 10_000


def _write_tiny_imdb() -> None:
    """imdb.npz (object arrays of word ranks, as Keras ships it) and its word index, in KERAS_HOME."""
    import json

    from workbench.core import paths

    folder = paths.keras_home() / "datasets"
    folder.mkdir(parents=True, exist_ok=True)

    def lists(items):
        array = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            array[i] = list(item)
        return array

    words = ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i", "this", "that", "was", "as", "for",
             "with", "movie", "but", "film", "on"]
    np.savez(folder / "imdb.npz", x_train=lists([[11, 17, 7, 19], [1, 2, 3, 14, 5], [9, 20], [11, 12, 13]] * 3),
             y_train=np.array([1, 0, 1, 0] * 3), x_test=lists([[4, 5, 6], [20, 3]]), y_test=np.array([0, 1]))
    (folder / "imdb_word_index.json").write_text(json.dumps({w: i + 1 for i, w in enumerate(words)}))


def test_keras_imdb_shows_words_with_oov_and_pad(qtbot, panel):
    _write_tiny_imdb()
    panel.refresh_catalog()

    def imdb_row() -> int | None:
        for row in range(panel.dataset_list.count()):
            item = panel.dataset_list.item(row)
            if item.data(0x0100) == "keras:imdb" and "needs download" not in item.text():
                return row
        return None

    # The catalog refresh started when the panel opened may report first: wait for the new status.
    qtbot.waitUntil(lambda: imdb_row() is not None, timeout=LOAD_TIMEOUT)
    imdb = imdb_row()
    panel.dataset_list.setCurrentRow(imdb)
    assert panel.source_edit.text() == "keras:imdb"

    panel.session.document.data.options = {"num_words": 15, "encoding": "sequence", "maxlen": 6}
    panel.session.document.training.validation_split = None
    loaded = load(qtbot, panel, "keras:imdb")
    assert loaded.kind == "text"
    view = panel.browser.view
    texts = []
    for index in range(loaded.count("train")):
        panel.browser.show_sample(index)
        texts.append((view.text.toPlainText(), view.tokens.toPlainText()))
        assert not texts[-1][0].startswith("[start]")
    assert any("[OOV]" in text and "[OOV]" in listing for text, listing in texts)
    assert any("[pad]" in listing for _, listing in texts)
    assert panel.browser.label_filter.itemText(1) in ("negative", "positive")


def test_bigrams_box_stores_ngrams_2_and_reloads(qtbot, panel, text_folder):
    load(qtbot, panel, f"text-folder:{text_folder}")
    box = panel.editor.editors["ngrams"]
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT):
        box.setChecked(True)
    assert panel.session.document.data.options["ngrams"] == 2
    assert not panel.error_label.isVisibleTo(panel)
    encoding = panel.editor.editors["encoding"]
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT):
        box.setChecked(False)
    assert "ngrams" not in panel.session.document.data.options
    encoding.setCurrentIndex(encoding.findData("sequence"))
    assert panel.session.document.data.options["encoding"] == "sequence"
    assert not box.isEnabled()  # bigrams apply to bag encodings only
    assert panel.editor.editors["maxlen"].isEnabled()


def test_panel_follows_document_replace_and_undo(qtbot, panel, text_folder):
    load(qtbot, panel)
    load(qtbot, panel, f"text-folder:{text_folder}")
    assert panel.session.undo_stack.count() == 1  # using the new source is one undoable step
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT) as blocker:
        panel.session.undo_stack.undo()
    assert blocker.args[0].kind == "points"
    assert panel.source_edit.text() == "synthetic:circles"
    assert "noise" in panel.editor.editors

    document = ExperimentDocument()
    document.data.source = "synthetic:xor"
    document.data.options = {"n": 120, "noise": 0.25}
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT) as blocker:
        panel.session.replace(document)
    assert panel.source_edit.text() == "synthetic:xor"
    assert panel.editor.value("noise") == pytest.approx(0.25)
    assert blocker.args[0].source.startswith("synthetic:xor")


def test_regression_table_charts_its_target(qtbot, panel, tmp_path):
    path = tmp_path / "houses.csv"
    lines = ["rooms,price"] + [f"{1 + i % 5},{100_000 + 25_000 * (i % 5) + i}" for i in range(80)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load(qtbot, panel, f"csv:{path}?task=regression")
    assert not loaded.has_classes
    assert not panel.browser.label_filter.isEnabled()
    assert panel.charts.balance.has_plot
    assert "regression" in panel.charts.balance.caption.text()
    assert "value to predict" in panel.browser.view.model.columns
    assert "," in loaded.label_text("train", 0)  # 125,003 rather than 1.25e+05


def test_download_offline_says_import_and_panel_stays_usable(qtbot, panel, monkeypatch):
    from workbench.core.data import keras_files
    from workbench.core.errors import DataError

    def offline(url, target, progress, should_stop):
        progress(0.0, "connecting…")
        raise DataError(f"offline: cannot reach {url.split('/')[2]} (no network). Download {url.rsplit('/', 1)[-1]} "
                        "on another machine and use Import to add it.")

    monkeypatch.setattr(keras_files, "_fetch", offline)
    # The failed download marks mnist offline for the session: keep that from later tests.
    monkeypatch.setattr(keras_files, "OFFLINE", {})
    qtbot.waitUntil(lambda: panel.dataset_list.count() > 0, timeout=LOAD_TIMEOUT)
    mnist = next(i for i in range(panel.dataset_list.count())
                 if panel.dataset_list.item(i).data(0x0100) == "keras:mnist")
    panel.dataset_list.setCurrentRow(mnist)
    assert panel.hint_box.isVisibleTo(panel)
    assert panel.download_button.isVisibleTo(panel)
    panel.download_selected()
    assert panel.progress_row.isVisibleTo(panel)
    error = panel.findChild(QLabel, "dataError")
    qtbot.waitUntil(lambda: error.isVisibleTo(panel), timeout=LOAD_TIMEOUT)
    assert "Import" in error.text()
    assert not panel.progress_row.isVisibleTo(panel)
    assert panel.download_button.isEnabled()
    assert panel.loaded is not None and panel.loaded.kind == "points"  # the data shown before is kept


def test_limit_option_keeps_a_subset(qtbot, panel, text_folder):
    full = load(qtbot, panel, f"text-folder:{text_folder}")
    limit = panel.editor.editors["limit"]
    assert limit.text() == "all samples"
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT) as blocker:
        limit.setValue(4)
    assert panel.session.document.data.options["limit"] == 4
    assert blocker.args[0].count("train") + blocker.args[0].count("val") == 4 < (
        full.count("train") + full.count("val"))
    with qtbot.waitSignal(panel.data_loaded, timeout=LOAD_TIMEOUT):
        limit.setValue(0)
    assert "limit" not in panel.session.document.data.options


def test_failed_search_reports_on_gui_thread_and_stale_failure_is_ignored(qtbot, panel, monkeypatch):
    import threading

    from workbench.core.errors import WorkbenchError
    from workbench.gui.data import browser as browser_module

    browser = panel.browser
    calls: list[tuple[str, bool]] = []
    real_set_text = browser.count_label.setText

    def recording_set_text(text: str) -> None:
        calls.append((text, threading.current_thread() is threading.main_thread()))
        real_set_text(text)

    monkeypatch.setattr(browser.count_label, "setText", recording_set_text)
    release = threading.Event()

    def failing_search(task, loaded, split, query, candidates):
        if query == "slow":
            release.wait(10)
            raise WorkbenchError("stale search failed")
        raise WorkbenchError("Search failed: bad query\nsecond line")

    monkeypatch.setattr(browser_module, "search_samples", failing_search)
    browser.search.setText("slow")
    browser.refilter()
    stale = browser._search_worker
    browser.search.setText("bad")
    browser.refilter()
    qtbot.waitUntil(lambda: browser.count_label.text() == "Search failed: bad query", timeout=LOAD_TIMEOUT)
    # The pool drops a worker only after its failed/finished signal was delivered on the GUI thread.
    release.set()
    qtbot.waitUntil(lambda: stale not in browser.pool._workers, timeout=LOAD_TIMEOUT)
    assert browser.count_label.text() == "Search failed: bad query"
    assert calls and all(on_gui_thread for _text, on_gui_thread in calls)
