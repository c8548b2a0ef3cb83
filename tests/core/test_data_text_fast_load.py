"""The vectorized text-folder loader: the same words and ids as ``textlib.split_words`` with a dict,
chunked and threaded, with progress, cancellation and errors intact."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from workbench.core.data import text as textlib
from workbench.core.data import text_folder
from workbench.core.data.prepare import prepare_data
from workbench.core.data.ragged import Ragged
from workbench.core.data.word_ids import WordTable, _unicode_spaces
from workbench.core.document import DataSpec
from workbench.core.errors import DataError

TRICKY = [
    "Don't<br />STOP, now!",
    "<BR/>x<br>y<br\t/>z<br\x1c>w <br  / > <br<br /><br />/><br>r",
    "end<br", " />start",  # a break must not pair across two documents
    "ÀÉÎ İstanbul Kelvin\u212a \u00a0nb\u00a0sp\u3000x\x85y <br\u00a0/>after",
    "a\x00b \x00 c\x00 ab",  # NUL bytes belong to words; "ab" must not equal "a\x00b"
    "x" * 40 + " " + "x" * 39 + "y " + "y" * 16 + " " + "z" * 17 + " " + "é" * 9 + " " + "12345678 123456789",
    "", "   ", "tab\tnew\nline\x0bvt\x0cff\rcr\x1cfs\x1dgs\x1e\x1fus",
    "punct!!!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'quote' a|b",
    "ＦＵＬＬ width ǅ title ß straße",
]


def reference(documents: list[bytes], standardize: bool) -> tuple[list[int], list[int], list[str]]:
    """What the loader did before: decode, split_words, a dict in first-seen order."""
    dictionary = {"": 0}
    ids, counts = [], []
    for data in documents:
        words = textlib.split_words(data.decode("utf-8", errors="replace"), standardize)
        ids.extend(dictionary.setdefault(word, len(dictionary)) for word in words)
        counts.append(len(words))
    return ids, counts, list(dictionary)


def vectorized(documents: list[bytes], standardize: bool, chunk: int) -> tuple[list[int], list[int], list[str]]:
    table = WordTable()
    ids, counts = [], []
    for start in range(0, len(documents), chunk):
        chunk_ids, chunk_counts, _ = table.add_documents(documents[start:start + chunk], standardize)
        ids.extend(chunk_ids.tolist())
        counts.extend(chunk_counts.tolist())
    return ids, counts, table.dictionary()


def random_documents(count: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    pieces = list("aAbBzZ <>/brBR\t\n\x00\x1c'!é\u00a0\u3000.") + ["<br />", "<br", "/>", "x" * 15, "y" * 17]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))).encode("utf-8") for _ in range(count)]


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_ids_match_split_words_and_a_dict(standardize, chunk):
    documents = [text.encode("utf-8") for text in TRICKY] + random_documents(400)
    documents.insert(5, "caf\xe9 latin-1".encode("latin-1"))
    assert vectorized(documents, standardize, chunk) == reference(documents, standardize)


def test_invalid_utf8_documents_are_counted():
    table = WordTable()
    _, _, bad = table.add_documents([b"fine", "caf\xe9".encode("latin-1"), b"\xff\xfe", "é".encode()], True)
    assert bad == 2
    assert table.dictionary() == ["", "fine", "caf\ufffd", "\ufffd\ufffd", "é"]


def test_long_words_sharing_a_prefix_stay_distinct():
    words = [("w" * 16 + tail).encode() for tail in ("", "a", "b", "ab", "a" * 30)] * 3
    ids, _, dictionary = vectorized([b" ".join(words)], True, 1)
    assert dictionary[1:] == [w.decode() for w in words[:5]]
    assert ids == [1, 2, 3, 4, 5] * 3


def test_table_grows_past_its_first_size():
    vocabulary = [f"w{i}" for i in range(70_000)]
    rng = np.random.default_rng(0)
    documents = [" ".join(vocabulary[j] for j in rng.integers(0, len(vocabulary), 300)).encode() for _ in range(400)]
    assert vectorized(documents, True, 50) == reference(documents, True)


def test_unicode_whitespace_list_is_complete():
    assert set(_unicode_spaces()) == {chr(c) for c in range(128, 0x110000) if chr(c).isspace()}


def test_map_with_start_and_counts_match_the_plain_versions():
    rng = np.random.default_rng(1)
    lengths = rng.integers(0, 30, 3000)
    lengths[::7] = 0
    ragged = Ragged.from_lists([rng.integers(0, 500, n).tolist() for n in lengths])
    lookup = rng.integers(0, 100, 500).astype(np.int32)
    expected = ragged.map(lookup).with_start(1)
    got = ragged.map_with_start(lookup, 1, rows_per_step=7)
    assert np.array_equal(got.flat, expected.flat) and np.array_equal(got.offsets, expected.offsets)
    rows = np.sort(rng.choice(len(ragged), 2000, replace=False))
    subset = ragged.select(rows)  # most of the data: the mask path
    assert np.array_equal(subset.flat, np.concatenate([ragged[i] for i in rows]))
    assert np.array_equal(textlib.word_counts(ragged, 500, rows), np.bincount(subset.flat, minlength=500))
    assert np.array_equal(textlib.top_ids(ragged, 500, 40, rows=rows), textlib.top_ids(subset, 500, 40))


@pytest.fixture()
def many_files(tmp_path, monkeypatch):
    """A text folder of 120 reviews read in chunks of 7 files, some chunks split by size."""
    monkeypatch.setattr(text_folder, "_CHUNK_FILES", 7)
    monkeypatch.setattr(text_folder, "_CHUNK_BYTES", 200)
    documents = random_documents(120, seed=3) + [text.encode() for text in TRICKY]
    root = tmp_path / "reviews"
    for i, data in enumerate(documents):
        folder = root / ("train" if i % 3 else "test") / ("pos" if i % 2 else "neg")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:03d}.txt").write_bytes(data)
    return root


def test_chunked_threaded_load_keeps_first_seen_ids(many_files):
    prepared = prepare_data(DataSpec(f"text-folder:{many_files}", {"encoding": "sequence", "maxlen": 60,
                                                                   "num_words": 30}))
    files = [sorted((many_files / split / label).iterdir()) for split in ("train", "test") for label in ("neg", "pos")]
    ids, counts, dictionary = reference([path.read_bytes() for group in files for path in group], True)
    # The vocabulary ranks training words by count, ties first-seen: rebuild it from the reference ids.
    n_train = sum(len(group) for group in files[:2])
    train_ids = np.asarray(ids[:sum(counts[:n_train])], dtype=np.int64)
    top = textlib.top_ids(Ragged(train_ids.astype(np.int32), np.array([0, len(train_ids)])), len(dictionary), 26)
    assert prepared.preprocessor.vocabulary == [dictionary[i] for i in top]


def test_progress_and_cancellation_during_a_long_load(many_files):
    seen: list[float] = []

    def stop() -> bool:
        return len(seen) > 5

    before = threading.active_count()
    with pytest.raises(DataError, match="loading was cancelled"):
        prepare_data(DataSpec(f"text-folder:{many_files}", {}), progress=lambda f, _text: seen.append(f),
                     should_stop=stop)
    assert seen == sorted(seen) and len(set(seen)) > 3
    assert threading.active_count() == before  # the reader threads are gone


def test_feed_reads_queued_chunks_itself_while_the_readers_are_busy(monkeypatch):
    main = threading.get_ident()
    head_may_finish = threading.Event()
    readers: dict[str, bool] = {}

    def fake_read_chunk(group, standardize):
        on_main = threading.get_ident() == main
        readers[group[0]] = on_main
        if group[0] == "g0":
            assert head_may_finish.wait(10)
        elif on_main:
            head_may_finish.set()
        return [group[0]]

    monkeypatch.setattr(text_folder, "_read_chunk", fake_read_chunk)
    groups = [[f"g{i}"] for i in range(8)]
    with ThreadPoolExecutor(1) as pool:
        feed = text_folder._ChunkFeed(pool, groups, True)
        got = [feed.next() for _ in groups]
    assert got == [[f"g{i}"] for i in range(8)]  # in order, whoever read them
    assert any(readers.values()) and not readers["g0"]


def test_an_unreadable_file_is_named(many_files, monkeypatch):
    victim = sorted((many_files / "train" / "pos").iterdir())[4]
    real_open = text_folder.os.open

    def failing_open(path, *args, **kwargs):
        if text_folder.os.path.basename(path) == victim.name:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(text_folder.os, "open", failing_open)
    with pytest.raises(DataError, match=rf"{victim.name}: cannot be read \(Permission denied\)"):
        prepare_data(DataSpec(f"text-folder:{many_files}", {"cache": False}))


def test_large_files_are_read_whole(tmp_path):
    root = tmp_path / "reviews"
    for label in ("neg", "pos"):
        (root / label).mkdir(parents=True)
    big = ("word " * 50_000 + "last").encode()  # 250 kB: several reads
    (root / "pos" / "big.txt").write_bytes(big)
    (root / "neg" / "small.txt").write_bytes(b"tiny")
    prepared = prepare_data(DataSpec(f"text-folder:{root}", {"encoding": "sequence", "maxlen": 3, "test_split": 0}))
    lengths = [len(prepared.train.inputs.indices_fn(i)) for i in range(2)]
    assert sorted(lengths) == [2, 50_002]  # [start] + the words
