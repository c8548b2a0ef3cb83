"""Dataset overviews (Qt-free): summaries for the charts, search, cancellation."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.data.overview import load_dataset, search_samples
from workbench.core.document import DataSpec, TrainingSpec
from workbench.core.errors import DataError


class FakeTask:
    def __init__(self, stop: bool = False):
        self.stop = stop
        self.reports: list[tuple[float, str]] = []

    def progress(self, fraction: float, text: str = "") -> None:
        self.reports.append((fraction, text))

    def should_stop(self) -> bool:
        return self.stop


def test_load_dataset_counts_classes_per_split():
    task = FakeTask()
    loaded = load_dataset(task, DataSpec("synthetic:gaussians", {"n": 300, "classes": 3}),
                          TrainingSpec(validation_split=0.2))
    assert loaded.kind == "points"
    assert loaded.splits() == ["train", "val", "test"]
    assert sum(loaded.class_counts) == loaded.count("train")
    assert len(loaded.class_counts) == 3
    assert set(np.unique(loaded.labels["train"])) == {0, 1, 2}
    assert [c.name for c in loaded.column_stats] == ["x1", "x2"]
    assert task.reports and task.reports[-1][0] == 1.0


def test_load_dataset_text_lengths(tmp_path):
    for label, words in (("a", "good fine great"), ("b", "bad poor awful terrible")):
        (tmp_path / label).mkdir()
        for i in range(4):
            (tmp_path / label / f"{i}.txt").write_text(" ".join([words] * (i + 1)), encoding="utf-8")
    loaded = load_dataset(FakeTask(), DataSpec(f"text-folder:{tmp_path}", {"encoding": "sequence", "maxlen": 8}))
    assert loaded.kind == "text"
    assert loaded.maxlen == 8
    assert loaded.lengths is not None and len(loaded.lengths) == loaded.count("train")
    assert loaded.lengths.max() > 8  # the longest texts are cut by maxlen


def test_cancelled_load_raises():
    with pytest.raises(DataError, match="cancelled"):
        load_dataset(FakeTask(stop=True), DataSpec("synthetic:circles", {}))


def test_search_samples_finds_text_and_honours_candidates(tmp_path):
    for label, word in (("pos", "lovely"), ("neg", "dull")):
        (tmp_path / label).mkdir()
        for i in range(10):
            extra = "music" if i % 2 else "day"
            (tmp_path / label / f"{i}.txt").write_text(f"a {word} {extra}", encoding="utf-8")
    loaded = load_dataset(FakeTask(), DataSpec(f"text-folder:{tmp_path}", {}))
    texts = [loaded.raw("train", i) for i in range(loaded.count("train"))]
    found = search_samples(FakeTask(), loaded, "train", "LOVELY")
    assert found.tolist() == [i for i, t in enumerate(texts) if "lovely" in t]
    assert len(found) > 0
    music = search_samples(FakeTask(), loaded, "train", "music", candidates=found)
    assert music.tolist() == [i for i in found if "music" in texts[i]]
    assert len(search_samples(FakeTask(), loaded, "train", "")) == loaded.count("train")
