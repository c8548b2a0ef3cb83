"""``prepare_data``: a data spec in, encoded train/validation/test splits and the fitted
preprocessor out. Statistics (vocabulary, idf, means) come from the training portion only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data import text as textlib
from workbench.core.data.feeding import Inputs, Split
from workbench.core.data.options import DataOptions
from workbench.core.data.preprocess import BAG_ENCODINGS, TEXT_ENCODINGS, Preprocessor, load_preprocessor  # noqa: F401
from workbench.core.data.ragged import Ragged
from workbench.core.data.raw import RawArrays, RawText
from workbench.core.errors import DataError
from workbench.core.sources import DataSource, parse_source

Progress = Callable[[float, str], None]
StopCheck = Callable[[], bool]


@dataclass
class PreparedData:
    train: Split
    val: Split | None
    test: Split | None
    input_shape: tuple[int, ...]
    num_classes: int | None
    label_format: str
    class_names: list[str]
    kind: str
    source: str
    preprocessor: Preprocessor
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """JSON-able facts (sizes, shapes) for run records and the CLI."""
        return {"kind": self.kind, "source": self.source, "input_shape": list(self.input_shape),
                "num_classes": self.num_classes, "label_format": self.label_format,
                "class_names": self.class_names, "train": len(self.train),
                "val": len(self.val) if self.val else 0, "test": len(self.test) if self.test else 0,
                "notes": self.notes}


class Context:
    """Progress/stop callbacks plus options, passed to every loader."""

    def __init__(self, source: DataSource, options: DataOptions, progress: Progress | None,
                 should_stop: StopCheck | None):
        self.source = source
        self.options = options
        self._progress = progress
        self._should_stop = should_stop

    def progress(self, fraction: float, text: str) -> None:
        if self._progress is not None:
            self._progress(float(min(1.0, max(0.0, fraction))), text)

    def check_stop(self) -> None:
        if self._should_stop is not None and self._should_stop():
            raise DataError("loading was cancelled.")

    @property
    def name(self) -> str:
        return f"{self.source.kind}:{self.source.location}"


def _as_spec(data_spec: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(data_spec, str):
        return data_spec, {}
    if isinstance(data_spec, dict):
        return data_spec.get("source", ""), dict(data_spec.get("options") or {})
    return data_spec.source, dict(data_spec.options or {})


def prepare_data(data_spec: Any, training_spec: Any = None, *, progress: Progress | None = None,
                 should_stop: StopCheck | None = None) -> PreparedData:
    """Load, split and preprocess a dataset.

    ``data_spec``: a DataSpec (or a source string, or ``{"source", "options"}``). Options come
    from the source string's ``?k=v`` and ``data_spec.options`` (the latter win).
    ``training_spec``: supplies validation_split / validation_count / seed; None = no validation.
    """
    text, doc_options = _as_spec(data_spec)
    source = parse_source(text)
    options = DataOptions({**source.options, **doc_options}, origin=f"{source.kind}:{source.location}")
    ctx = Context(source, options, progress, should_stop)
    ctx.progress(0.0, f"Loading {ctx.name}…")
    kind = source.kind
    if kind == "synthetic":
        prepared = _prepare_synthetic(ctx, training_spec)
    elif kind == "keras":
        from workbench.core.data import keras_files

        if source.location in ("imdb", "reuters"):
            raw = _cached_keras_text(ctx, keras_files)
            prepared = prepare_text(ctx, raw, training_spec)
        else:
            arrays = keras_files.load_arrays(source.location)
            if source.location == "boston_housing":
                prepared = prepare_arrays(ctx, arrays, training_spec, kind="table")
            else:
                prepared = prepare_arrays(ctx, arrays, training_spec, kind="image")
    elif kind == "idx":
        prepared = _prepare_idx(ctx, training_spec)
    elif kind == "csv":
        from workbench.core.data.csv_source import prepare_csv

        prepared = prepare_csv(ctx, training_spec)
    elif kind == "text-folder":
        from workbench.core.data.text_folder import load_text_folder

        prepared = prepare_text(ctx, load_text_folder(ctx), training_spec)
    elif kind == "image-folder":
        from workbench.core.data.image_folder import load_image_folder

        prepared = prepare_arrays(ctx, load_image_folder(ctx), training_spec, kind="image", default_test=0.2)
    elif kind == "corpus":
        from workbench.core.data.corpus import prepare_corpus

        prepared = prepare_corpus(ctx, training_spec)
    else:  # parse_source already refuses unknown kinds
        raise DataError(f"unknown source kind {kind!r}.")
    prepared.source = str(source) if not doc_options else text
    unused = sorted(k for k in options.values if k not in options.used)
    if unused:
        prepared.notes.append(f"option(s) {', '.join(unused)} not used by {kind} sources; ignored.")
    ctx.progress(1.0, f"{ctx.name}: {len(prepared.train)} training samples ready.")
    return prepared


# --------------------------------------------------------------------------- splitting


def validation_positions(n: int, training_spec: Any, origin: str) -> tuple[np.ndarray, np.ndarray]:
    """(train positions, validation positions), seeded; no validation when training_spec is None."""
    everything = np.arange(n)
    if training_spec is None:
        return everything, np.zeros(0, dtype=np.int64)
    count = getattr(training_spec, "validation_count", None)
    fraction = getattr(training_spec, "validation_split", None)
    if count:
        size = int(count)
    elif fraction:
        size = round(n * float(fraction))
    else:
        size = 0
    if size <= 0:
        return everything, np.zeros(0, dtype=np.int64)
    if size >= n:
        raise DataError(f"{origin}: a validation set of {size} samples leaves nothing to train on "
                        f"(the training split has {n}); lower validation_split or validation_count.")
    rng = np.random.default_rng(getattr(training_spec, "seed", None))
    order = rng.permutation(n)
    return np.sort(order[size:]), np.sort(order[:size])


def label_setup(ctx: Context, class_names: list[str], y: np.ndarray, *, regression: bool = False,
                default: str | None = None) -> tuple[str, int | None]:
    """(label_format, num_classes) from the classes and the ``label_format`` option."""
    if regression:
        return "regression", None
    n = len(class_names)
    if n < 2:
        raise DataError(f"{ctx.name}: only one class ({class_names[0] if class_names else '?'}) was found; "
                        "classification needs at least two.")
    present = np.unique(y)
    if len(present) < 2:
        raise DataError(f"{ctx.name}: every training sample has the class "
                        f"{class_names[int(present[0])] if len(present) else '?'}; classification needs "
                        "at least two classes.")
    fallback = default or ("binary" if n == 2 else "sparse")
    choice = ctx.options.str("label_format", fallback, ("binary", "sparse", "categorical"))
    if choice == "binary" and n != 2:
        raise DataError(f"{ctx.name}: label_format=binary needs exactly 2 classes; this data has {n}.")
    return choice, n


def _limit(ctx: Context, n: int, seed: int = 0) -> np.ndarray:
    """Positions kept by the ``limit`` option (a seeded random subset, in original order)."""
    limit = ctx.options.int("limit", None, minimum=1)
    if limit is None or limit >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).permutation(n)[:limit])


def _splits(ctx: Context, inputs: Inputs, y: np.ndarray, test_inputs: Inputs | None, y_test: np.ndarray | None,
            label_format: str, num_classes: int | None, train_pos: np.ndarray,
            val_pos: np.ndarray) -> tuple[Split, Split | None, Split | None]:
    full = Split("train", inputs, y, label_format, num_classes)
    train = full.subset(train_pos, "train")
    val = full.subset(val_pos, "validation") if len(val_pos) else None
    test = Split("test", test_inputs, y_test, label_format, num_classes) if test_inputs is not None else None
    return train, val, test


def carve_test(ctx: Context, n: int, default_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """(train positions, test positions) for sources without their own test split."""
    fraction = ctx.options.float("test_split", default_fraction, minimum=0.0, maximum=0.9)
    size = round(n * fraction)
    if size <= 0:
        return np.arange(n), np.zeros(0, dtype=np.int64)
    if size >= n:
        raise DataError(f"{ctx.name}: test_split={fraction} leaves no training samples.")
    order = np.random.default_rng(ctx.options.int("split_seed", 1337, minimum=0)).permutation(n)
    return np.sort(order[size:]), np.sort(order[:size])


# --------------------------------------------------------------------------- points & arrays


def _generate_points(ctx: Context) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from workbench.core.data.synthetic import generate

    opts = ctx.options
    return generate(ctx.source.location, n=opts.int("n", 400, minimum=4, maximum=1_000_000),
                    noise=opts.float("noise", 0.1, minimum=0.0, maximum=10.0),
                    seed=opts.int("seed", 0, minimum=0), classes=opts.int("classes", 3, minimum=2, maximum=20))


def synthetic_points(data_spec: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """All points of a ``synthetic:`` source (x, y, class names), with the options exactly as
    :func:`prepare_data` reads them — e.g. to draw what a run was trained on."""
    text, doc_options = _as_spec(data_spec)
    source = parse_source(text)
    if source.kind != "synthetic":
        raise DataError(f"{text}: is not a synthetic: source.")
    options = DataOptions({**source.options, **doc_options}, origin=f"{source.kind}:{source.location}")
    return _generate_points(Context(source, options, None, None))


def _prepare_synthetic(ctx: Context, training_spec: Any) -> PreparedData:
    x, y, names = _generate_points(ctx)
    raw = RawArrays(x, y, None, None, names)
    return prepare_arrays(ctx, raw, training_spec, kind="points", default_test=0.2)


def _prepare_idx(ctx: Context, training_spec: Any) -> PreparedData:
    from workbench.core.data.idx import load_idx_folder

    pairs, notes = load_idx_folder(Path(ctx.source.location).expanduser())
    if "train" in pairs:
        x, y = pairs["train"]
        x_test, y_test = pairs.get("test", (None, None))
    else:
        x, y = pairs["test"]
        x_test = y_test = None
        notes.append("only the test pair was found; it is split into training and test samples.")
    for labels in (y, y_test):
        if labels is not None and (not np.issubdtype(labels.dtype, np.integer) or (labels.size and labels.min() < 0)):
            raise DataError(f"{ctx.name}: the labels file holds {labels.dtype} values"
                            f"{' below 0' if np.issubdtype(labels.dtype, np.integer) else ''}; idx labels must be "
                            "class numbers 0, 1, 2, … (unsigned bytes, as in MNIST's *-labels-idx1-ubyte).")
    n_classes = int(max(int(y.max()), int(y_test.max()) if y_test is not None else 0)) + 1
    raw = RawArrays(x, y.astype(np.int32), x_test, None if y_test is None else y_test.astype(np.int32),
                    [str(i) for i in range(n_classes)], notes=notes)
    return prepare_arrays(ctx, raw, training_spec, kind="image", default_test=0.2)


def prepare_arrays(ctx: Context, raw: RawArrays, training_spec: Any, *, kind: str,
                   default_test: float = 0.0) -> PreparedData:
    """Images (uint8), points or numeric tables held as arrays."""
    notes = list(raw.notes)
    x, y, x_test, y_test = raw.x_train, raw.y_train, raw.x_test, raw.y_test
    if x_test is None and default_test:
        train_pos, test_pos = carve_test(ctx, len(x), default_test)
        if len(test_pos):
            x_test, y_test = x[test_pos], y[test_pos]
        x, y = x[train_pos], y[train_pos]
    if ctx.options.has("limit"):  # indexing copies; MNIST-sized arrays are only copied when asked
        keep = _limit(ctx, len(x))
        x, y = x[keep], y[keep]
        if x_test is not None:
            keep_test = _limit(ctx, len(x_test), seed=1)
            x_test, y_test = x_test[keep_test], y_test[keep_test]
    if len(x) == 0:
        raise DataError(f"{ctx.name}: no training samples.")
    regression = not raw.class_names
    train_pos, val_pos = validation_positions(len(x), training_spec, ctx.name)
    label_format, num_classes = label_setup(ctx, raw.class_names, y[train_pos], regression=regression)
    config: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    if kind == "image":
        image_shape = tuple(x.shape[1:]) + ((1,) if x.ndim == 3 else ())
        flatten = ctx.options.bool("flatten", False)
        config = {"image_shape": list(image_shape), "flatten": flatten, "scale": True,
                  "input_shape": [int(np.prod(image_shape))] if flatten else list(image_shape)}
    elif kind == "table":
        # Numeric table (boston_housing): z-score with training-portion statistics.
        mean = x[train_pos].mean(axis=0).astype(np.float32)
        std = x[train_pos].std(axis=0).astype(np.float32)
        std[std == 0] = 1.0
        names = raw.feature_names or [f"x{i}" for i in range(x.shape[1])]
        config = {"features": [{"name": n, "type": "numeric", "mean": float(m), "std": float(s),
                                "fill": float(m)} for n, m, s in zip(names, mean, std)],
                  "input_shape": [x.shape[1]], "target": "price"}
    else:
        config = {"input_shape": [x.shape[1]]}
    pre = Preprocessor(kind, config, arrays, raw.class_names)
    item_bytes = int(np.prod(pre.input_shape)) * 4

    def make_inputs(store: np.ndarray) -> Inputs:
        if kind == "image":
            def fetch(ids, store=store):
                return pre.encode_images(store[ids])

            def raw_fn(i, store=store):
                return store[i]
        elif kind == "table":
            names = [f["name"] for f in pre.config["features"]]
            mean = np.array([f["mean"] for f in pre.config["features"]], np.float32)
            std = np.array([f["std"] for f in pre.config["features"]], np.float32)

            def fetch(ids, store=store):
                return (store[ids] - mean) / std

            def raw_fn(i, store=store):
                return {n: float(v) for n, v in zip(names, store[i])}
        else:
            def fetch(ids, store=store):
                return store[ids].astype(np.float32, copy=False)

            def raw_fn(i, store=store):
                return store[i]
        return Inputs(np.arange(len(store)), fetch, raw_fn, sample_bytes=item_bytes)

    test_inputs = make_inputs(x_test) if x_test is not None and len(x_test) else None
    train, val, test = _splits(ctx, make_inputs(x), y, test_inputs,
                               y_test if test_inputs is not None else None, label_format, num_classes,
                               train_pos, val_pos)
    return PreparedData(train, val, test, pre.input_shape, num_classes, label_format, list(raw.class_names),
                        kind, "", pre, notes)


# --------------------------------------------------------------------------- text


def _cached_keras_text(ctx: Context, keras_files) -> RawText:
    from workbench.core.data.cache import cached_raw_text

    name = ctx.source.location
    files = [p for f in keras_files.FILES[name] if (p := keras_files.locate(f.relpath))]
    return cached_raw_text(ctx, {"keras": name}, [p[0] for p in files],
                           lambda: keras_files.load_sequences(name))


def prepare_text(ctx: Context, raw: RawText, training_spec: Any) -> PreparedData:
    """Vocabulary from the training portion (or a Keras word index), then the chosen encoding."""
    opts = ctx.options
    notes = list(raw.notes)
    num_words = opts.int("num_words", 10000, minimum=5, maximum=1_000_000)
    encoding = opts.str("encoding", "multi_hot", TEXT_ENCODINGS)
    maxlen = opts.int("maxlen", 200, minimum=1, maximum=100_000)
    ngrams = opts.int("ngrams", 1, minimum=1, maximum=2)
    standardize = opts.bool("standardize", True)
    word_index_name = opts.str("word_index", raw.word_index_name)
    if ngrams == 2 and (encoding == "sequence" or raw.id_mode == "rank"):
        raise DataError(f"{ctx.name}: ngrams=2 (bigrams) needs raw text (a text folder) and a bag encoding "
                        "(multi_hot, count or tf_idf).")
    if ngrams == 2:
        if word_index_name:
            raise DataError(f"{ctx.name}: ngrams=2 builds its own vocabulary; it cannot use word_index.")
        parts = [raw.train] + ([raw.test] if raw.test is not None else [])
        parts, dictionary = textlib.with_bigrams(parts, raw.dictionary)
        raw = dataclasses.replace(raw, train=parts[0], test=parts[1] if len(parts) > 1 else None,
                                  dictionary=dictionary)
    if raw.test is None:
        tr, te = carve_test(ctx, len(raw.train), 0.2)
        if len(te):
            files = raw.files_train
            raw = dataclasses.replace(
                raw, train=raw.train.select(tr), y_train=raw.y_train[tr], test=raw.train.select(te),
                y_test=raw.y_train[te], files_train=[files[i] for i in tr] if files else None,
                files_test=[files[i] for i in te] if files else None)
    train_all, y_all = raw.train, raw.y_train
    keep = _limit(ctx, len(train_all))
    if len(keep) < len(train_all):
        train_all, y_all = train_all.select(keep), y_all[keep]
    else:
        keep = None
    test_keep = None
    if raw.test is not None:
        test_keep = _limit(ctx, len(raw.test), seed=1)
    if len(train_all) == 0:
        raise DataError(f"{ctx.name}: no training texts.")
    train_pos, val_pos = validation_positions(len(train_all), training_spec, ctx.name)
    label_format, num_classes = label_setup(ctx, raw.class_names, y_all[train_pos])
    ctx.check_stop()
    ctx.progress(0.6, "Building the vocabulary…")

    size = (len(raw.dictionary) if raw.dictionary is not None else 0)
    size = max(size, int(train_all.flat.max()) + 1 if len(train_all.flat) else 1,
               int(raw.test.flat.max()) + 1 if raw.test is not None and len(raw.test.flat) else 1)
    lookup = np.full(size, textlib.OOV, dtype=np.int32)
    vocabulary: list[str] = []
    keep_words = num_words - textlib.INDEX_FROM - 1
    if raw.id_mode == "rank":
        ranks = np.arange(size)
        lookup = np.where(ranks + textlib.INDEX_FROM < num_words, ranks + textlib.INDEX_FROM,
                          textlib.OOV).astype(np.int32)
        lookup[0] = textlib.OOV
        if raw.dictionary is not None:
            vocabulary = raw.dictionary[1:keep_words + 1]
    elif word_index_name:
        from workbench.core.data import keras_files

        found = keras_files.locate(f"{word_index_name}_word_index.json")
        if word_index_name.endswith(".json"):
            candidate = Path(word_index_name).expanduser()
            if not candidate.is_file():
                raise DataError(f"{ctx.name}: word_index={word_index_name}: no such file.")
            found = (candidate, "file")
        if found is None:
            raise DataError(f"{ctx.name}: word_index={word_index_name} needs {word_index_name}_word_index.json "
                            "in the Keras cache; use Import in the Data panel to add it.")
        by_rank = keras_files.words_by_rank(keras_files.read_word_index(found[0]))
        vocabulary = by_rank[1:keep_words + 1]
        index = {w: i + textlib.INDEX_FROM + 1 for i, w in enumerate(vocabulary) if w}
        for i, word in enumerate(raw.dictionary or []):
            lookup[i] = index.get(word, textlib.OOV)
        notes.append(f"vocabulary: the word index {Path(word_index_name).name} (top {len(vocabulary)} words).")
    else:
        top = textlib.top_ids(train_all, size, keep_words, rows=train_pos)
        lookup[top] = np.arange(len(top), dtype=np.int32) + textlib.INDEX_FROM + 1
        vocabulary = [raw.dictionary[i] for i in top]
        notes.append(f"vocabulary: the {len(vocabulary)} most frequent words of the training portion.")
    sequences = train_all.map_with_start(lookup, textlib.START)
    test_sequences = None
    if raw.test is not None:
        test_sequences = raw.test.map_with_start(lookup, textlib.START)
    arrays: dict[str, np.ndarray] = {}
    if encoding == "tf_idf":
        arrays["idf"] = textlib.tf_idf_weights(sequences.select(train_pos), num_words)
    config = {"encoding": encoding, "num_words": num_words, "maxlen": maxlen, "ngrams": ngrams,
              "standardize": standardize, "vocabulary": vocabulary, "word_index": word_index_name,
              "input_shape": [maxlen] if encoding == "sequence" else [num_words]}
    pre = Preprocessor("text", config, arrays, raw.class_names)
    batched = encoding in BAG_ENCODINGS

    def make_inputs(seqs: Ragged, files: list[str] | None, order: np.ndarray | None) -> Inputs:
        def fetch(ids, seqs=seqs):
            return pre.encode_sequences(seqs.select(ids))

        def raw_fn(i, seqs=seqs, files=files, order=order):
            if files is not None:
                path = files[int(order[i]) if order is not None else i]
                try:
                    return Path(path).read_bytes().decode("utf-8", errors="replace")
                except OSError as exc:
                    return f"[{path} cannot be read: {exc.strerror}]"
            return " ".join(pre.decode(seqs[i]))

        # Bags are always fed in batches; padded sequences only when the whole split would be
        # too large to hold at once (e.g. 25,000 reviews × maxlen 100,000).
        return Inputs(np.arange(len(seqs)), fetch, raw_fn, batched=batched, sample_bytes=4 * maxlen,
                      indices=lambda i, seqs=seqs: seqs[i].copy(),
                      lengths=lambda ids, seqs=seqs: seqs.lengths()[ids])

    test_inputs = None
    y_test = None
    if test_sequences is not None and len(test_sequences):
        if len(test_keep) < len(test_sequences):  # else test_keep is every position, in order
            test_sequences = test_sequences.select(test_keep)
        test_inputs = make_inputs(test_sequences, raw.files_test, test_keep)
        y_test = raw.y_test[test_keep]
    train, val, test = _splits(ctx, make_inputs(sequences, raw.files_train, keep), y_all, test_inputs, y_test,
                               label_format, num_classes, train_pos, val_pos)
    return PreparedData(train, val, test, pre.input_shape, num_classes, label_format, list(raw.class_names),
                        "text", "", pre, notes)
