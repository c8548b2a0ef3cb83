"""text-folder sources, the text pipeline, preprocessing save/load and the processed cache."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.data import text as textlib
from workbench.core.data.prepare import prepare_data
from workbench.core.data.preprocess import load_preprocessor
from workbench.core.data.samples import show_sample
from workbench.core.document import DataSpec, TrainingSpec
from workbench.core.errors import DataError


def make_folder(root, with_splits=True):
    texts = {
        "train/pos": ["A great film.<br />Great acting!", "great great fun", "fun film"],
        "train/neg": ["A dull film", "dull, boring", "boring boring plot"],
        "test/pos": ["great plot", "unseenword great"],
        "test/neg": ["dull unseenword"],
    }
    for folder, items in texts.items():
        target = root / (folder if with_splits else folder.split("/")[1] + ("" if "train" in folder else "_x"))
        if not with_splits and "test" in folder:
            continue
        target.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(items):
            (target / f"{i}_1.txt").write_text(text)
    (root / "train" / "unsup").mkdir(exist_ok=True) if with_splits else None
    return root


def test_standardize_keeps_apostrophes_and_drops_breaks():
    assert textlib.split_words("Don't<br />STOP, now!") == ["don't", "stop", "now"]


def test_vocabulary_comes_from_the_training_split(tmp_path):
    root = make_folder(tmp_path / "reviews")
    prepared = prepare_data(DataSpec(f"text-folder:{root}", {"num_words": 100}))
    assert prepared.class_names == ["neg", "pos"]
    assert len(prepared.train) == 6 and len(prepared.test) == 3
    vocabulary = prepared.preprocessor.vocabulary
    assert vocabulary[:3] == ["great", "film", "boring"]  # by training frequency, ties first-seen
    assert "unseenword" not in vocabulary  # only in the test split
    assert any("unsup" in note for note in prepared.notes)
    sample = show_sample(f"text-folder:{root}?num_words=100", index=0, split="test")
    assert sample["label_name"] == "neg" and sample["text"] == "dull unseenword"
    assert sample["decoded"] == "[start] dull [OOV]"


def test_encodings(tmp_path):
    root = make_folder(tmp_path / "reviews")
    for encoding in ("multi_hot", "count", "tf_idf"):
        prepared = prepare_data(DataSpec(f"text-folder:{root}", {"num_words": 12, "encoding": encoding}))
        x = prepared.train.take([4])  # "great great fun" (neg/ comes first)
        great = prepared.preprocessor.word_index["great"]
        assert x.dtype == np.float32 and x.shape == (1, 12)
        expected = {"multi_hot": 1.0, "count": 2.0}.get(encoding)
        if expected is not None:
            assert x[0, great] == expected
        else:
            idf = prepared.preprocessor.arrays["idf"]
            assert x[0, great] == pytest.approx(2.0 * idf[great])
    seq = prepare_data(DataSpec(f"text-folder:{root}", {"encoding": "sequence", "maxlen": 3}))
    assert seq.input_shape == (3,) and seq.train.x_for_fit().dtype == np.int32


def test_bigrams(tmp_path):
    root = make_folder(tmp_path / "reviews")
    prepared = prepare_data(DataSpec(f"text-folder:{root}", {"ngrams": 2, "num_words": 50}))
    assert "great great" in prepared.preprocessor.vocabulary
    x = prepared.preprocessor.encode_texts(["great great"])
    assert x[0, prepared.preprocessor.word_index["great great"]] == 1.0
    assert np.array_equal(prepared.train.take([4])[0] > 0,
                          prepared.preprocessor.encode_texts(["great great fun"])[0] > 0)


def test_preprocessor_round_trip_gives_identical_encoding(tmp_path):
    root = make_folder(tmp_path / "reviews")
    prepared = prepare_data(DataSpec(f"text-folder:{root}", {"encoding": "tf_idf"}))
    prepared.preprocessor.save(tmp_path / "pre")
    loaded = load_preprocessor(tmp_path / "pre")
    assert not list((tmp_path / "pre").glob("*.pkl"))
    texts = ["A great film", "dull unseenword"]
    assert np.array_equal(loaded.encode_texts(texts), prepared.preprocessor.encode_texts(texts))
    assert np.array_equal(prepared.train.take([0]), loaded.encode_texts([prepared.train.raw(0)]))


def test_non_utf8_is_replaced_and_counted(tmp_path):
    root = make_folder(tmp_path / "reviews")
    (root / "train" / "pos" / "latin.txt").write_bytes("caf\xe9 great".encode("latin-1"))
    prepared = prepare_data(f"text-folder:{root}")
    assert any("1 file(s) were not valid UTF-8" in note for note in prepared.notes)


def test_folder_without_two_classes(tmp_path):
    (tmp_path / "only" / "pos").mkdir(parents=True)
    (tmp_path / "only" / "pos" / "a.txt").write_text("hi")
    with pytest.raises(DataError, match=r"only: needs one subfolder per class and at least two classes"):
        prepare_data(f"text-folder:{tmp_path / 'only'}")


def test_validation_split_is_seeded(tmp_path):
    root = make_folder(tmp_path / "reviews")
    a = prepare_data(f"text-folder:{root}", TrainingSpec(validation_split=0.5, seed=7))
    b = prepare_data(f"text-folder:{root}", TrainingSpec(validation_split=0.5, seed=7))
    assert [a.val.raw(i) for i in range(3)] == [b.val.raw(i) for i in range(3)]
    assert len(a.train) == 3 and len(a.val) == 3


def test_processed_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "reviews")
    from workbench.core.data import text_folder

    calls = []
    original = text_folder._tokenize
    monkeypatch.setattr(text_folder, "_tokenize", lambda *a: calls.append(1) or original(*a))
    prepare_data(f"text-folder:{root}")
    first = len(calls)
    prepare_data(f"text-folder:{root}")
    assert len(calls) == first  # second load read the cache
    (root / "train" / "pos" / "new.txt").write_text("new words")
    prepared = prepare_data(f"text-folder:{root}")
    assert len(calls) > first and len(prepared.train) == 7


@pytest.mark.realdata
def test_real_aclimdb_subset(shared_datasets, monkeypatch):
    from workbench.core.data import text_folder

    root = shared_datasets / "imdb" / "aclImdb_subset"
    spec = DataSpec(f"text-folder:{root}", {"num_words": 10000,
                                            "word_index": str(shared_datasets / "imdb" / "imdb_word_index.json")})
    # The reload must come from the processed cache: count tokenizer calls rather than time it.
    calls = []
    original = text_folder._tokenize
    monkeypatch.setattr(text_folder, "_tokenize", lambda *a: calls.append(1) or original(*a))
    prepared = prepare_data(spec, TrainingSpec())
    first = len(calls)
    assert first > 0
    assert len(prepared.train) + len(prepared.val) == 2500 and len(prepared.test) == 2500
    assert prepared.preprocessor.word_index["the"] == 4  # rank 1 + index_from 3
    assert prepared.train.batched
    again = prepare_data(spec, TrainingSpec())
    assert len(calls) == first, "the second load of the same folder tokenized again instead of reading the cache"
    assert np.array_equal(again.train.take([0, 1]), prepared.train.take([0, 1]))
    sample = show_sample(f"text-folder:{root}", index=1250, split="train")  # neg/ sorts first
    assert sample["text"].startswith("Bromwell High is a cartoon comedy.")
    assert sample["label_name"] == "pos"


def test_progress_and_cancel(tmp_path):
    root = make_folder(tmp_path / "reviews")
    seen = []
    prepare_data(f"text-folder:{root}", progress=lambda fraction, text: seen.append((fraction, text)))
    assert seen[0][0] == 0.0 and seen[-1][0] == 1.0 and all(0.0 <= f <= 1.0 for f, _ in seen)
    with pytest.raises(DataError, match="cancelled"):
        prepare_data(f"text-folder:{root}?cache=false", should_stop=lambda: True)
