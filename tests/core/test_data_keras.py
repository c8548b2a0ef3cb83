"""keras:* sources read from tiny files in the exact Keras cache formats."""

from __future__ import annotations

import os

import numpy as np
import pytest
from data_file_writers import write_cifar_batch, write_idx, write_imdb, write_malicious_npz

from workbench.core import paths
from workbench.core.data import keras_files
from workbench.core.data.catalog import import_dataset_file, list_datasets
from workbench.core.data.prepare import prepare_data
from workbench.core.data.samples import show_sample
from workbench.core.document import DataSpec, TrainingSpec
from workbench.core.errors import DataError

WORDS = ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i", "this", "that", "was", "as", "for", "with", "movie", "but", "film", "on"]
WORD_INDEX = {w: i + 1 for i, w in enumerate(WORDS)}  # rank 1 = most frequent, as in Keras


def keras_datasets() -> os.PathLike:
    folder = paths.keras_home() / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tiny_imdb():
    # Raw ranks, as stored in imdb.npz (Keras adds the start marker and index_from=3 itself).
    return write_imdb(keras_datasets(), [[11, 17, 7, 19], [1, 2, 3, 14, 5], [9, 20]], [1, 0, 1],
                      [[4, 5, 6], [20, 3]], [0, 1], WORD_INDEX)


def test_imdb_follows_the_keras_word_index_convention(tiny_imdb):
    prepared = prepare_data(DataSpec("keras:imdb", {"num_words": 15, "encoding": "sequence", "maxlen": 6}))
    assert prepared.kind == "text" and prepared.label_format == "binary" and prepared.num_classes == 2
    assert prepared.class_names == ["negative", "positive"]
    # What keras.datasets.imdb.load_data(num_words=15) gives: [1] + [w + 3], ranks >= 15 - 3 -> 2 (OOV).
    assert prepared.train.indices(1).tolist() == [1, 4, 5, 6, 2, 8]
    assert prepared.train.indices(0).tolist() == [1, 14, 2, 10, 2]
    assert prepared.train.take([2]).tolist() == [[0, 0, 0, 1, 12, 2]]
    sample = show_sample("keras:imdb?num_words=15", index=0)
    assert sample["label_name"] == "positive"
    assert sample["text"] == "[start] this [OOV] br [OOV]"
    decoded_pad = prepared.preprocessor.decode(prepared.train.take([2])[0])
    assert decoded_pad[:4] == ["[pad]", "[pad]", "[pad]", "[start]"]


def test_imdb_multi_hot_is_fed_in_batches(tiny_imdb):
    prepared = prepare_data(DataSpec("keras:imdb", {"num_words": 15}), TrainingSpec(validation_count=1, seed=3))
    assert prepared.input_shape == (15,)
    assert len(prepared.train) == 2 and len(prepared.val) == 1 and len(prepared.test) == 2
    assert prepared.train.batched and prepared.train.y_for_fit() is None
    x = prepared.test.take([0])
    assert x.dtype == np.float32 and x.shape == (1, 15)
    assert np.flatnonzero(x[0]).tolist() == [1, 7, 8, 9]  # start + ranks 4, 5, 6 -> 7, 8, 9


def test_imdb_text_encoding_matches_training(tiny_imdb):
    prepared = prepare_data(DataSpec("keras:imdb", {"num_words": 15, "encoding": "sequence", "maxlen": 5}))
    pre = prepared.preprocessor
    # start marker + the movie was a film; padding/truncation at the front like pad_sequences.
    assert pre.encode_texts(["The MOVIE was<br />a film!"]).tolist() == [[4, 2, 2, 6, 2]]
    assert pre.encode_texts(["film"]).tolist() == [[0, 0, 0, 1, 2]]
    tokens = pre.tokens("the movie was a film")
    assert [t["index"] for t in tokens] == [4, 2, 2, 6, 2]
    assert [t["in_vocabulary"] for t in tokens] == [True, False, False, True, False]
    assert not any(t["truncated"] for t in tokens)  # [start] is cut, every word fits
    longer = pre.tokens("and the movie was a film")
    assert [t["truncated"] for t in longer] == [True, False, False, False, False, False]
    assert pre.encode_texts(["and the movie was a film"]).tolist() == [[4, 2, 2, 6, 2]]


def test_missing_word_index_still_trains_but_cannot_encode_text():
    write_imdb(keras_datasets(), [[1, 2], [3]], [1, 0], [[3]], [0])
    prepared = prepare_data("keras:imdb")
    assert any("imdb_word_index.json" in note for note in prepared.notes)
    assert prepared.train.raw(0) == "[start] #4 #5"
    with pytest.raises(DataError, match="imdb_word_index.json"):
        prepared.preprocessor.encode_texts(["a film"])


def test_one_class_only_is_refused():
    write_imdb(keras_datasets(), [[1, 2], [3]], [1, 1], [[3]], [0])
    with pytest.raises(DataError, match="every training sample has the class positive"):
        prepare_data("keras:imdb")


def test_imdb_absent_says_import(tmp_path):
    with pytest.raises(DataError, match="Import"):
        prepare_data("keras:imdb")
    card = next(c for c in list_datasets() if c.source == "keras:imdb")
    assert card.status == "needs download" and "Import" in card.detail


def test_catalog_statuses(tiny_imdb):
    cards = {c.source: c for c in list_datasets()}
    assert cards["keras:imdb"].status == "ready"
    assert cards["synthetic:spirals"].status == "ready"
    assert cards["keras:mnist"].status == "needs download"
    assert set(cards["keras:imdb"].to_dict()) == {"source", "title", "description", "kind", "status", "detail"}
    assert "keras:imdb" in cards["keras:imdb"].format_line()


def test_mnist_npz_and_flatten():
    rng = np.random.default_rng(0)
    np.savez(keras_datasets() / "mnist.npz", x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
             y_train=np.arange(20, dtype=np.uint8) % 10, x_test=rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
             y_test=np.arange(5, dtype=np.uint8))
    prepared = prepare_data("keras:mnist")
    assert prepared.input_shape == (28, 28, 1) and prepared.label_format == "sparse" and prepared.num_classes == 10
    x = prepared.train.x_for_fit()
    assert x.dtype == np.float32 and x.shape == (20, 28, 28, 1) and 0.0 <= x.min() and x.max() <= 1.0
    flat = prepare_data(DataSpec("keras:mnist", {"flatten": True}))
    assert flat.input_shape == (784,) and flat.test.take([0]).shape == (1, 784)
    assert show_sample("keras:mnist", 3, "test")["image_shape"] == [28, 28]


def test_mnist_npz_with_object_arrays_is_refused():
    bad = np.empty(1, dtype=object)
    bad[0] = [1]
    np.savez(keras_datasets() / "mnist.npz", x_train=bad, y_train=np.array([1]), x_test=bad, y_test=np.array([1]))
    with pytest.raises(DataError, match="mnist.npz"):
        prepare_data("keras:mnist")


def test_fashion_mnist_idx_files_in_the_keras_folder():
    folder = keras_datasets() / "fashion-mnist"
    write_idx(folder / "train-images-idx3-ubyte.gz", np.full((12, 28, 28), 7))
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.arange(12) % 10)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((4, 28, 28)))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(4))
    prepared = prepare_data("keras:fashion_mnist")
    assert prepared.class_names[9] == "Ankle boot"
    assert len(prepared.train) == 12 and len(prepared.test) == 4


def test_cifar10_batches_through_the_restricted_unpickler():
    folder = keras_datasets() / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    rng = np.random.default_rng(1)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        write_cifar_batch(folder / name, rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8), [0, 1, 9])
    prepared = prepare_data("keras:cifar10")
    assert prepared.input_shape == (32, 32, 3) and len(prepared.train) == 15 and len(prepared.test) == 3
    assert prepared.class_names[9] == "truck"


def test_boston_housing_is_a_regression_table():
    rng = np.random.default_rng(2)
    np.savez(keras_datasets() / "boston_housing.npz", x=rng.normal(size=(50, 13)), y=rng.uniform(10, 50, 50))
    prepared = prepare_data("keras:boston_housing")
    assert prepared.label_format == "regression" and prepared.num_classes is None
    assert len(prepared.train) == 40 and len(prepared.test) == 10
    x = prepared.train.x_for_fit()
    assert x.dtype == np.float32 and abs(float(x.mean())) < 1e-4


def test_import_checks_checksum_then_structure_and_copies(tmp_path, monkeypatch):
    source = write_imdb(tmp_path / "download", [[1, 2], [3]], [0, 1], [[4]], [1])
    with pytest.raises(DataError, match="checksum"):
        import_dataset_file(source)
    assert keras_files.locate("imdb.npz") is None
    # A file with the published checksum but the wrong structure is refused too.
    (tmp_path / "evil").mkdir()
    evil = write_malicious_npz(tmp_path / "evil" / "imdb.npz", tmp_path / "pwned")
    digest = keras_files.file_digest(evil, "sha256")
    patched = dict(keras_files.FILES)
    patched["imdb"] = (keras_files.KerasFile("imdb.npz", sha256=digest),) + keras_files.FILES["imdb"][1:]
    monkeypatch.setattr(keras_files, "FILES", patched)
    with pytest.raises(DataError, match="refused"):
        import_dataset_file(evil)
    assert not (tmp_path / "pwned").exists()

    patched["imdb"] = (keras_files.KerasFile("imdb.npz", sha256=keras_files.file_digest(source, "sha256")),) \
        + keras_files.FILES["imdb"][1:]
    card = import_dataset_file(source)
    assert card.source == "keras:imdb" and card.status == "imported"
    assert (paths.dataset_cache_dir() / "imdb.npz").read_bytes() == source.read_bytes()
    assert len(prepare_data("keras:imdb").train) == 2


def test_import_refuses_unknown_names(tmp_path):
    path = tmp_path / "data.npz"
    path.write_bytes(b"x")
    with pytest.raises(DataError, match="imdb.npz"):
        import_dataset_file(path)


@pytest.mark.realdata
def test_imdb_word_index_import_uses_the_keras_md5(shared_datasets):
    card = import_dataset_file(shared_datasets / "imdb" / "imdb_word_index.json")
    assert card.source == "keras:imdb"
    assert keras_files.locate("imdb_word_index.json")[1] == "imported"


class FakeResponse:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0
        self.headers = {"Content-Length": str(len(data))}

    def read(self, size):
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_download_streams_checks_and_imports(tmp_path, monkeypatch):
    import urllib.request

    from workbench.core.data.catalog import download_dataset

    source = write_imdb(tmp_path / "server", [[1, 2], [3]], [0, 1], [[4]], [1])
    patched = dict(keras_files.FILES)
    patched["imdb"] = (keras_files.KerasFile("imdb.npz", sha256=keras_files.file_digest(source, "sha256"),
                                             url="https://example.invalid/imdb.npz"),)
    monkeypatch.setattr(keras_files, "FILES", patched)
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: FakeResponse(source.read_bytes()))
    seen = []
    card = download_dataset("keras:imdb", progress=lambda f, t: seen.append(f))
    assert card.status == "imported" and seen[-1] == 1.0
    assert not list((paths.dataset_cache_dir() / ".downloads").iterdir())


def test_download_offline_and_cancel(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    from workbench.core.data.catalog import download_dataset

    def offline(url, timeout):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setattr(keras_files, "OFFLINE", {})
    with pytest.raises(DataError, match="offline: cannot reach storage.googleapis.com.*use Import"):
        download_dataset("mnist")
    card = next(c for c in list_datasets() if c.source == "keras:mnist")
    assert card.status == "offline" and "Import" in card.detail
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: FakeResponse(b"x" * 10))
    with pytest.raises(DataError, match="cancelled"):
        download_dataset("mnist", should_stop=lambda: True)
    assert keras_files.locate("mnist.npz") is None


def test_reuters_split_and_topics():
    from data_file_writers import object_array

    x = object_array([[1, i % 7 + 2, 3] for i in range(20)])
    np.savez(keras_datasets() / "reuters.npz", x=x, y=np.arange(20) % 3)
    prepared = prepare_data(DataSpec("keras:reuters", {"num_words": 50}))
    assert len(prepared.train) == 16 and len(prepared.test) == 4  # Keras' 80/20 split
    assert prepared.class_names[:3] == ["cocoa", "grain", "veg-oil"] and prepared.num_classes == 46
    assert prepared.label_format == "sparse"
    assert prepared.train.indices(0)[0] == 1 and prepared.train.indices(0)[1] == 4


def test_unused_options_are_reported():
    prepared = prepare_data(DataSpec("synthetic:xor", {"num_words": 5}))
    assert any("num_words" in note and "ignored" in note for note in prepared.notes)


def test_damaged_file_shows_error_status():
    (keras_datasets() / "mnist.npz").write_bytes(b"not a zip")
    card = next(c for c in list_datasets() if c.source == "keras:mnist")
    assert card.status == "error" and "mnist.npz" in card.detail and "not an .npz" in card.detail
