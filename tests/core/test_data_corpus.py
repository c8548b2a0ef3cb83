"""corpus:PATH character windows."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.data.prepare import prepare_data
from workbench.core.document import DataSpec
from workbench.core.errors import DataError


def test_windows_and_targets(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("Abcabcabcabd")
    prepared = prepare_data(DataSpec(f"corpus:{path}", {"maxlen": 4, "step": 2}))
    pre = prepared.preprocessor
    assert pre.chars == ["a", "b", "c", "d"] and pre.maxlen == 4 and pre.step == 2 and pre.lowercase
    assert len(prepared.train) == 4  # starts 0, 2, 4, 6 (< 12 - 4)
    assert prepared.train.raw(1) == "cabc"
    assert prepared.class_names[int(prepared.train.y[1])] == "a"
    assert prepared.label_format == "categorical" and prepared.input_shape == (4, 4)
    batch_x, batch_y = prepared.train.x_for_fit(batch_size=3)[0]
    assert batch_x.shape == (3, 4, 4) and batch_x.dtype == np.float32
    assert batch_y.shape == (3, 4) and batch_y.sum() == 3
    assert np.array_equal(pre.encode_windows(["cabc"])[0], prepared.train.take([1])[0])


def test_corpus_shorter_than_maxlen(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("tiny")
    with pytest.raises(DataError, match=r"short.txt: the corpus has 4 characters, but windows of maxlen=60"):
        prepare_data(f"corpus:{path}")


@pytest.mark.realdata
def test_real_nietzsche(shared_datasets):
    prepared = prepare_data(f"corpus:{shared_datasets / 'nietzsche' / 'nietzsche.txt'}")
    assert len(prepared.preprocessor.chars) == 57  # DLwP: "Unique characters: 57"
    assert len(prepared.train) == 200278  # DLwP: "Number of sequences: 200278"
    assert prepared.train.raw(0).startswith("preface\n\n\nsupposing that truth is a woman")
