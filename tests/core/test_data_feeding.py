"""Synthetic sets, validation splits, and batch feeding through keras.utils.PyDataset."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from workbench.core.data.prepare import prepare_data, validation_positions
from workbench.core.data.synthetic import generate
from workbench.core.document import DataSpec, TrainingSpec
from workbench.core.errors import DataError


@pytest.mark.parametrize("name", ["circles", "spirals", "xor", "gaussians"])
def test_synthetic_sets_are_seeded(name):
    x1, y1, names = generate(name, n=100, noise=0.2, seed=5)
    x2, y2, _ = generate(name, n=100, noise=0.2, seed=5)
    assert x1.dtype == np.float32 and x1.shape == (100, 2) and np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert len(np.unique(y1)) == len(names)


def test_synthetic_options_from_the_source_string():
    prepared = prepare_data("synthetic:spirals?n=600&noise=0.2", TrainingSpec(validation_split=0.25))
    assert len(prepared.train) + len(prepared.val) + len(prepared.test) == 600
    assert prepared.kind == "points" and prepared.input_shape == (2,) and prepared.label_format == "binary"
    gaussians = prepare_data(DataSpec("synthetic:gaussians", {"classes": 4}))
    assert gaussians.num_classes == 4 and gaussians.label_format == "sparse"
    with pytest.raises(DataError, match=r"option noise='loud' must be a number"):
        prepare_data("synthetic:circles?noise=loud")
    for option in ("seed", "split_seed"):
        with pytest.raises(DataError, match=rf"option {option}='-1' must be at least 0"):
            prepare_data(f"synthetic:circles?{option}=-1")


def test_validation_by_count_or_fraction():
    train, val = validation_positions(100, TrainingSpec(validation_split=0.2, seed=1), "x")
    assert len(val) == 20 and not set(train) & set(val)
    _, val_count = validation_positions(100, TrainingSpec(validation_count=7), "x")
    assert len(val_count) == 7
    with pytest.raises(DataError, match="leaves nothing to train on"):
        validation_positions(5, TrainingSpec(validation_count=5), "x")


def test_categorical_labels_are_one_hot():
    prepared = prepare_data(DataSpec("synthetic:gaussians", {"label_format": "categorical", "n": 30}))
    y = prepared.train.y_for_fit()
    assert y.shape == (len(prepared.train), 3) and np.array_equal(y.argmax(1), prepared.train.y)


def test_py_dataset_batches_and_reshuffles(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("abcdefghij" * 20)
    prepared = prepare_data(DataSpec(f"corpus:{path}", {"maxlen": 5, "step": 1}))
    batches = prepared.train.x_for_fit(batch_size=64, shuffle=True, seed=0)
    import keras

    assert isinstance(batches, keras.utils.PyDataset)
    assert len(batches) == int(np.ceil(len(prepared.train) / 64))
    first = batches[0][1].argmax(1).tolist()
    batches.on_epoch_end()
    assert batches[0][1].argmax(1).tolist() != first
    x, _ = batches[len(batches) - 1]
    assert len(x) == len(prepared.train) - 64 * (len(batches) - 1)


def test_importing_data_modules_does_not_import_keras():
    code = ("import sys, workbench.core.data.prepare, workbench.core.data.catalog, workbench.core.data.samples, "
            "workbench.core.data.feeding; print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_preprocessor_round_trip_for_images_and_corpora(tmp_path):
    from workbench.core.data.preprocess import load_preprocessor

    corpus = tmp_path / "c.txt"
    corpus.write_text("Hello world, hello there. " * 5)
    prepared = prepare_data(DataSpec(f"corpus:{corpus}", {"maxlen": 8, "step": 2}))
    prepared.preprocessor.save(tmp_path / "corpus")
    loaded = load_preprocessor(tmp_path / "corpus")
    assert loaded.kind == "corpus" and loaded.chars == prepared.preprocessor.chars
    assert loaded.maxlen == 8 and loaded.step == 2 and loaded.lowercase is True
    assert loaded.char_index["h"] == prepared.preprocessor.chars.index("h")
    assert np.array_equal(loaded.encode_windows([prepared.train.raw(3)]), prepared.train.take([3]))

    from workbench.core.data.preprocess import Preprocessor

    images = Preprocessor("image", {"image_shape": [2, 2, 1], "flatten": True, "input_shape": [4]}, {}, ["a", "b"])
    images.save(tmp_path / "images")
    again = load_preprocessor(tmp_path / "images")
    out = again.encode_images(np.array([[0, 255], [51, 102]], dtype=np.uint8))
    assert out.dtype == np.float32 and np.allclose(out, [[0.0, 1.0, 0.2, 0.4]])


def test_damaged_preprocessing_folder_is_a_clear_error(tmp_path):
    from workbench.core.data.preprocess import load_preprocessor

    (tmp_path / "preprocessing.json").write_text("{nope")
    with pytest.raises(DataError, match="preprocessing.json: cannot be read"):
        load_preprocessor(tmp_path)
    with pytest.raises(DataError, match="no saved preprocessing"):
        load_preprocessor(tmp_path / "missing")


@pytest.mark.slow
def test_model_fit_accepts_the_batches(tmp_path):
    from workbench.core.kerasenv import import_keras

    root = tmp_path / "reviews"
    for label, words in (("neg", "dull boring awful"), ("pos", "great fun superb")):
        (root / label).mkdir(parents=True)
        for i in range(40):
            (root / label / f"{i}.txt").write_text(f"{words.split()[i % 3]} film {words}")
    prepared = prepare_data(DataSpec(f"text-folder:{root}", {"num_words": 20, "test_split": 0.25}),
                            TrainingSpec(validation_split=0.2, seed=0))
    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(prepared.input_shape), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(prepared.train.x_for_fit(16, True, 0), validation_data=prepared.val.x_for_fit(16), epochs=5,
              verbose=0)
    _, accuracy = model.evaluate(prepared.test.x_for_fit(16), verbose=0)
    assert accuracy > 0.9


def test_synthetic_points_read_options_like_prepare_data():
    from workbench.core.data.prepare import synthetic_points

    spec = {"source": "synthetic:gaussians?n=50&classes=3", "options": {"n": 80, "seed": 4}}
    x, _y, names = synthetic_points(spec)
    assert x.shape == (80, 2) and len(names) == 3  # the document's options win, as in prepare_data
    prepared = prepare_data(DataSpec(spec["source"], spec["options"]))
    assert len(prepared.train) + len(prepared.test) == 80
    assert np.array_equal(x, synthetic_points(spec)[0])
    with pytest.raises(DataError, match="not a synthetic"):
        synthetic_points("csv:x.csv")


def test_padded_sequences_too_big_for_memory_are_fed_in_batches(tmp_path, monkeypatch):
    from workbench.core.data import feeding

    for label in ("neg", "pos"):
        (tmp_path / label).mkdir()
        for i in range(6):
            (tmp_path / label / f"{i}.txt").write_text(f"{label} review number {i} " * 5)
    spec = DataSpec(f"text-folder:{tmp_path}", {"encoding": "sequence", "maxlen": 50, "test_split": 0})
    assert not prepare_data(spec).train.batched
    # 12 reviews × 50 ids × 4 bytes = 2,400 bytes: over a (lowered) limit, the split is batched.
    monkeypatch.setattr(feeding, "DENSE_LIMIT_BYTES", 2_000)
    prepared = prepare_data(spec)
    assert prepared.train.batched
    assert len(prepared.train) == 12
