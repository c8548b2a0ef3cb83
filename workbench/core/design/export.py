"""A standalone Python script for an experiment: plain Keras + NumPy, no workbench import.

The script defines ``build_model()`` (the same layers, names and compile settings as
:func:`workbench.core.design.build.build_model`) and ``load_data()``, and under
``if __name__ == "__main__":`` loads the data and calls ``fit`` as the experiment describes.
Data loading is a faithful, simplified rewrite of the workbench's pipeline for each source kind
(the book's recipes); the workbench's own preprocessing may differ in details such as the
validation split or how a CSV's text columns are encoded.
"""

from __future__ import annotations

import textwrap
from typing import Any

import workbench
from workbench.core.catalog import CATALOG
from workbench.core.design.build import keras_kwargs, model_name
from workbench.core.design.shapes import keras_shape_text
from workbench.core.design.summary import input_shape_of, summarize
from workbench.core.document import ExperimentDocument
from workbench.core.errors import DesignError
from workbench.core.sources import parse_source

_OPTIMIZER_CLASSES = {
    "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "sgd": "SGD", "adagrad": "Adagrad",
    "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam", "ftrl": "Ftrl", "lion": "Lion",
}


def export_python(document: ExperimentDocument) -> str:
    """The script text; a design with errors is refused with its first error."""
    summary = summarize(document)
    if summary.errors:
        raise DesignError(f"cannot export a model that cannot be built: {summary.errors[0].format()}")
    source = parse_source(document.data.source)
    parts = [_header(document, needs_os=bool(_glove_layers(document))), _build_function(document, summary), _GLOVE_FUNCTION if _glove_layers(document)
             else "", _data_function(document, source), _main(document, source)]
    return "\n\n\n".join(part.strip("\n") for part in parts if part) + "\n"


# --------------------------------------------------------------------------- pieces


def _header(document: ExperimentDocument, needs_os: bool) -> str:
    description = f"\n\n{document.description}" if document.description else ""
    origin = f" (template {document.template})" if document.template else ""
    return (f'"""{document.name}{origin}.{description}\n\n'
            f"Exported by Keras Workbench {workbench.__version__}: plain Keras + NumPy, edit freely.\n"
            f"Run: python this_script.py\n"
            '"""\n\n'
            + ("import os\n\n" if needs_os else "") +
            "import numpy as np\n"
            "import keras\n"
            "from keras import layers")


def _py(value: Any) -> str:
    if isinstance(value, list):
        value = tuple(value)
    return repr(value)


def _glove_layers(document: ExperimentDocument) -> list[int]:
    return [i for i, e in enumerate(document.model.layers)
            if e.type == "Embedding" and e.config.get("pretrained_path")]


def _layer_code(entry_type: str, config: dict[str, Any], name: str,
                overrides: dict[str, str] | None = None) -> str:
    """``overrides`` maps an argument to Python code (e.g. units=output_units)."""
    if entry_type == "Bidirectional":
        c = CATALOG["Bidirectional"].resolved(config)
        inner = f"layers.{c['layer']}({c['units']}, return_sequences={c['return_sequences']!r})"
        return f"layers.Bidirectional({inner}, merge_mode={c['merge_mode']!r}, name={name!r})"
    required = {spec.name: spec.default for spec in CATALOG[entry_type].params if spec.required}
    kwargs = {key: _py(value) for key, value in keras_kwargs(entry_type, {**required, **config}).items()}
    kwargs.update(overrides or {})
    args = ", ".join(f"{key}={code}" for key, code in kwargs.items())
    return f"layers.{entry_type}({args + ', ' if args else ''}name={name!r})"


def _optimizer_code(document: ExperimentDocument) -> str:
    spec = document.compile
    if not spec.optimizer_config:
        return repr(spec.optimizer)
    cls = _OPTIMIZER_CLASSES.get(spec.optimizer.lower())
    args = ", ".join(f"{k}={_py(v)}" for k, v in spec.optimizer_config.items())
    if cls is None:
        return f"keras.optimizers.get({{'class_name': {spec.optimizer!r}, 'config': {spec.optimizer_config!r}}})"
    return f"keras.optimizers.{cls}({args})"


def _build_function(document: ExperimentDocument, summary) -> str:
    model = document.model
    shape = tuple(input_shape_of(document) or ())
    last_dense = max((i for i, e in enumerate(model.layers) if e.type == "Dense"), default=None)
    params = [f"input_shape={shape!r}"]
    if model.output_from_data and last_dense is not None:
        units = CATALOG["Dense"].resolved(model.layers[last_dense].config)["units"]
        params.append(f"output_units={units}")
    glove = _glove_layers(document)
    if glove:
        params.append("word_index=None")
    lines = [f"def build_model({', '.join(params)}):",
             '    """The model, compiled. Shapes exclude the batch axis."""',
             f"    model = keras.Sequential(name={model_name(document)!r})",
             "    model.add(keras.Input(shape=input_shape))"]
    for row, entry in zip(summary.layers, model.layers):
        if entry.type == "Input":
            continue
        overrides = ({"units": "output_units"} if row.index == last_dense and model.output_from_data
                     else None)
        code = _layer_code(entry.type, entry.config, row.name, overrides)
        lines.append(f"    model.add({code})  # output {keras_shape_text(row.output_shape)}, {row.params:,} params")
    for index in glove:
        row = summary.layers[index]
        c = CATALOG["Embedding"].resolved(model.layers[index].config)
        lines += [
            "    if word_index is not None:",
            (f"        matrix = load_glove_matrix({c['pretrained_path']!r}, word_index, {c['input_dim']}, "
             f"{c['output_dim']})"),
            f"        model.get_layer({row.name!r}).set_weights([matrix])",
            f"        model.get_layer({row.name!r}).trainable = {bool(c['trainable'])!r}",
        ]
    lines.append(f"    model.compile(optimizer={_optimizer_code(document)}, loss={document.compile.loss!r}, "
                 f"metrics={list(document.compile.metrics)!r})")
    lines.append("    return model")
    return "\n".join(lines)


_GLOVE_FUNCTION = '''
def load_glove_matrix(path, word_index, num_words, dim):
    """Rows of GloVe vectors for the words of word_index (word -> sequence index); others stay zero."""
    matrix = np.zeros((num_words, dim), dtype="float32")
    found = 0
    with open(os.path.expanduser(path), encoding="utf-8", errors="replace") as handle:
        for line in handle:
            word, _, rest = line.rstrip("\\n").partition(" ")
            index = word_index.get(word)
            if index is not None and 0 < index < num_words:
                matrix[index] = np.asarray(rest.split(), dtype="float32")
                found += 1
    print(f"GloVe: {found} of {num_words - 1} word indices have a pretrained vector.")
    return matrix
'''


# --------------------------------------------------------------------------- data


def _opt(document: ExperimentDocument, source, key: str, default: Any) -> Any:
    value = document.data.options.get(key, source.options.get(key, default))
    return default if value is None else value


def _truthy(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def _data_function(document: ExperimentDocument, source) -> str:
    kind, location = source.kind, source.location
    if kind == "keras" and location in ("imdb", "reuters"):
        num_words = int(_opt(document, source, "num_words", 10000))
        encoding = str(_opt(document, source, "encoding", "multi_hot"))
        maxlen = int(_opt(document, source, "maxlen", 200))
        if encoding == "sequence":
            encode = f"    encode = lambda seqs: keras.utils.pad_sequences(seqs, maxlen={maxlen})"
        else:
            mode = "count" if encoding == "count" else "multi_hot"
            encode = textwrap.dedent(f"""\
                def encode(seqs):
                    # {mode} vectors, as in Deep Learning with Python ch. 4 ({encoding} in the workbench).
                    out = np.zeros((len(seqs), {num_words}), dtype="float32")
                    for i, seq in enumerate(seqs):
                        for index in seq:
                            out[i, index] {'+= 1.0' if mode == 'count' else '= 1.0'}
                    return out""")
            encode = textwrap.indent(encode, "    ")
        return (f"def load_data():\n"
                f'    """keras:{location}, {num_words} most frequent words, {encoding} encoding."""\n'
                f"    (x_train, y_train), (x_test, y_test) = keras.datasets.{location}.load_data("
                f"num_words={num_words})\n"
                f"{encode}\n"
                f"    return (encode(x_train), np.asarray(y_train)), (encode(x_test), np.asarray(y_test))")
    if kind == "keras" and location in ("mnist", "fashion_mnist", "cifar10"):
        flatten = _truthy(_opt(document, source, "flatten", False))
        shape_code = ("x.reshape((len(x), -1))" if flatten
                      else "x if x.ndim == 4 else x[..., np.newaxis]")
        return (f"def load_data():\n"
                f'    """keras:{location}, pixels scaled to 0-1{", flattened" if flatten else ""}."""\n'
                f"    (x_train, y_train), (x_test, y_test) = keras.datasets.{location}.load_data()\n\n"
                f"    def encode(x):\n"
                f'        x = x.astype("float32") / 255.0\n'
                f"        return {shape_code}\n\n"
                f"    return (encode(x_train), y_train.reshape(-1)), (encode(x_test), y_test.reshape(-1))")
    if kind == "keras" and location == "boston_housing":
        return textwrap.dedent('''\
            def load_data():
                """keras:boston_housing, features standardised with the training mean and deviation."""
                (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()
                mean, std = x_train.mean(axis=0), x_train.std(axis=0)
                return ((x_train - mean) / std, y_train), ((x_test - mean) / std, y_test)''')
    if kind == "synthetic":
        n = int(_opt(document, source, "n", 400))
        noise = float(_opt(document, source, "noise", 0.1))
        return _SYNTHETIC.format(name=location, n=n, noise=noise)
    if kind == "csv":
        target = _opt(document, source, "target", "")
        return _CSV.format(path=location, target=target)
    if kind == "corpus":
        maxlen = int(_opt(document, source, "maxlen", 60))
        step = int(_opt(document, source, "step", 3))
        lowercase = _truthy(_opt(document, source, "lowercase", True))
        lowercase_line = "    text = text.lower()\n" if lowercase else ""
        return _CORPUS.format(path=location, maxlen=maxlen, step=step, lowercase_line=lowercase_line)
    if kind == "idx":
        flatten = _truthy(_opt(document, source, "flatten", False))
        return _IDX.format(path=location, flatten=flatten)
    if kind == "text-folder":
        num_words = int(_opt(document, source, "num_words", 10000))
        encoding = str(_opt(document, source, "encoding", "multi_hot"))
        maxlen = int(_opt(document, source, "maxlen", 200))
        mode = "int" if encoding == "sequence" else ("tf_idf" if encoding == "tf_idf" else
                                                      "count" if encoding == "count" else "multi_hot")
        length = maxlen if mode == "int" else None
        return _TEXT_FOLDER.format(path=location, num_words=num_words, mode=mode, length=length)
    if kind == "image-folder":
        shape = input_shape_of(document) or (180, 180, 3)
        size = tuple(shape[:2]) if len(shape) >= 2 else (180, 180)
        return _IMAGE_FOLDER.format(path=location, size=size)
    return textwrap.dedent(f'''\
        def load_data():
            """Load {source} yourself: return (x_train, y_train), (x_test, y_test) as NumPy arrays."""
            raise NotImplementedError("write the loading code for {source}")''')


_SYNTHETIC = '''
def load_data():
    """synthetic:{name}, {n} points with noise {noise}; the last 20% are kept for testing."""
    rng = np.random.default_rng(0)
    n, noise = {n}, {noise}
    name = {name!r}
    if name == "circles":
        y = rng.integers(0, 2, n)
        angle = rng.uniform(0, 2 * np.pi, n)
        radius = np.where(y == 1, 0.5, 1.0)
        x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    elif name == "xor":
        x = rng.uniform(-1, 1, (n, 2))
        y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype("int64")
    elif name == "spirals":
        y = rng.integers(0, 2, n)
        t = rng.uniform(0.25, 3 * np.pi, n)
        x = np.stack([t * np.cos(t + np.pi * y), t * np.sin(t + np.pi * y)], axis=1) / (3 * np.pi)
    else:  # gaussians
        y = rng.integers(0, 3, n)
        centres = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.5]])
        x = centres[y]
    x = (x + rng.normal(0, noise, x.shape)).astype("float32")
    cut = int(n * 0.8)
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
'''

_CSV = '''
def load_data():
    """{path}: every column but {target!r} is an input; numbers are standardised, text is one-hot."""
    import csv

    with open({path!r}, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    target = {target!r}
    columns = [c for c in rows[0] if c != target]
    features = []
    for column in columns:
        values = [row[column].strip() for row in rows]
        try:
            numbers = np.array([float(v) if v else np.nan for v in values], dtype="float32")
        except ValueError:
            categories = sorted(set(values))
            if len(categories) > 20:
                continue  # free text such as names: skipped
            features.append(np.array([[v == c for c in categories] for v in values], dtype="float32"))
            continue
        numbers = np.where(np.isnan(numbers), np.nanmean(numbers), numbers)
        features.append(((numbers - numbers.mean()) / (numbers.std() or 1.0))[:, None])
    x = np.concatenate(features, axis=1)
    labels = [row[target].strip() for row in rows]
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * 0.8)
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
'''

_CORPUS = '''
def load_data():
    """{path}: windows of {maxlen} characters every {step}, each labelled with the next character."""
    with open({path!r}, encoding="utf-8") as handle:
        text = handle.read()
{lowercase_line}    chars = sorted(set(text))
    char_index = {{c: i for i, c in enumerate(chars)}}
    starts = range(0, len(text) - {maxlen}, {step})
    x = np.zeros((len(starts), {maxlen}, len(chars)), dtype="bool")
    y = np.zeros((len(starts), len(chars)), dtype="bool")
    for i, start in enumerate(starts):
        for t, char in enumerate(text[start:start + {maxlen}]):
            x[i, t, char_index[char]] = 1
        y[i, char_index[text[start + {maxlen}]]] = 1
    return (x, y), (None, None)
'''

_IDX = '''
def load_data():
    """{path}: IDX images (gzip or plain) beside a labels file of the same name with 'labels'."""
    import gzip

    def read_idx(path):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            data = handle.read()
        ndim = data[3]
        dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

    images_path = {path!r}
    x = read_idx(images_path).astype("float32") / 255.0
    y = read_idx(images_path.replace("images-idx3", "labels-idx1")).astype("int64")
    x = x.reshape((len(x), -1)) if {flatten!r} else x[..., np.newaxis]
    cut = int(len(x) * 0.8)
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
'''

_TEXT_FOLDER = '''
def load_data():
    """{path}: one sub-folder per class of .txt files; returns tf.data datasets (labels inside)."""
    train = keras.utils.text_dataset_from_directory({path!r}, validation_split=0.2, subset="training", seed=42)
    test = keras.utils.text_dataset_from_directory({path!r}, validation_split=0.2, subset="validation", seed=42)
    vectorize = layers.TextVectorization(max_tokens={num_words}, output_mode={mode!r},
                                         output_sequence_length={length!r})
    vectorize.adapt(train.map(lambda text, label: text))
    encode = lambda text, label: (vectorize(text), label)
    return (train.map(encode), None), (test.map(encode), None)
'''

_IMAGE_FOLDER = '''
def load_data():
    """{path}: one sub-folder per class of images; returns tf.data datasets (labels inside)."""
    options = dict(image_size={size!r}, validation_split=0.2, seed=42)
    train = keras.utils.image_dataset_from_directory({path!r}, subset="training", **options)
    test = keras.utils.image_dataset_from_directory({path!r}, subset="validation", **options)
    scale = lambda image, label: (image / 255.0, label)
    return (train.map(scale), None), (test.map(scale), None)
'''


def _main(document: ExperimentDocument, source) -> str:
    t = document.training
    model = document.model
    lines = ['if __name__ == "__main__":']
    if t.seed is not None:
        lines.append(f"    keras.utils.set_random_seed({t.seed})")
    lines.append("    (x_train, y_train), (x_test, y_test) = load_data()")
    build_args = []
    if model.input_from_data:
        build_args.append("input_shape=x_train.shape[1:]")
    if model.output_from_data:
        binary = document.compile.loss.lower().startswith("binary")
        lines.append("    output_units = (y_train.shape[-1] if y_train.ndim > 1 else "
                     + ("1)" if binary else "int(y_train.max()) + 1)"))
        build_args.append("output_units=output_units")
    if _glove_layers(document):
        if source.kind == "keras" and source.location in ("imdb", "reuters"):
            lines.append("    # Sequences use index_from=3: word of rank r is index r + 3.")
            lines.append(f"    word_index = {{w: r + 3 for w, r in keras.datasets.{source.location}"
                         ".get_word_index().items()}")
        else:
            lines.append("    word_index = None  # set to your tokenizer's word -> index mapping to load GloVe")
        build_args.append("word_index=word_index")
    lines.append(f"    model = build_model({', '.join(build_args)})")
    lines.append("    model.summary()")
    callbacks = []
    if t.early_stopping is not None:
        e = t.early_stopping
        callbacks.append(f"keras.callbacks.EarlyStopping(monitor={e.monitor!r}, min_delta={e.min_delta!r}, "
                         f"patience={e.patience!r}, restore_best_weights={e.restore_best_weights!r})")
    if t.reduce_lr is not None:
        r = t.reduce_lr
        callbacks.append(f"keras.callbacks.ReduceLROnPlateau(monitor={r.monitor!r}, factor={r.factor!r}, "
                         f"patience={r.patience!r}, min_lr={r.min_lr!r})")
    if t.tensorboard_dir:
        callbacks.append(f"keras.callbacks.TensorBoard(log_dir={t.tensorboard_dir!r})")
    lines.append("    callbacks = [" + ", ".join(callbacks) + "]")
    fit = [f"epochs={t.epochs}", "callbacks=callbacks"]
    lines.append("    if y_train is None:  # tf.data datasets carry their labels and batch size")
    lines.append(f"        model.fit(x_train, validation_data=x_test, {', '.join(fit)})")
    lines.append("    else:")
    if t.validation_count:
        lines.append(f"        x_val, y_val = x_train[:{t.validation_count}], y_train[:{t.validation_count}]")
        lines.append(f"        x_train, y_train = x_train[{t.validation_count}:], y_train[{t.validation_count}:]")
        fit.append("validation_data=(x_val, y_val)")
    elif t.validation_split:
        fit.append(f"validation_split={t.validation_split!r}")
    fit = [f"batch_size={t.batch_size}", f"shuffle={t.shuffle!r}"] + fit
    lines.append(f"        model.fit(x_train, y_train, {', '.join(fit)})")
    lines.append("        if x_test is not None:")
    lines.append("            print(dict(zip(model.metrics_names, np.atleast_1d(model.evaluate(x_test, y_test)))))")
    return "\n".join(lines)
