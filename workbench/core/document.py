"""The experiment document: model + data + training settings, as versioned JSON.

One file describes one experiment. It is read with validation that names the exact field at
fault (``training.batch_size: must be at least 1, got 0``), written atomically, and refused
with a clear message when it comes from a newer version of the workbench.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import DocumentError
from workbench.core.storage import atomic_write_json, read_file_bytes

FORMAT = "keras-workbench.experiment"
VERSION = 1
FILE_SUFFIX = ".kwb.json"
# The largest validation split the editors offer (the Data and Train panels alike).
MAX_VALIDATION_SPLIT = 0.95


@dataclass
class LayerEntry:
    """One layer of the stack: a Keras class name and its constructor kwargs."""

    type: str
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class ModelSpec:
    """A Keras ``Sequential`` model: input shape (without the batch axis) and layers in order.

    ``input_from_data``: when true, the trainer takes the input shape from the prepared data
    (and ``output_from_data`` sets the last ``Dense`` layer's units to the number of classes),
    so a template such as ``char-lstm`` follows whatever corpus it is given.
    """

    input_shape: list[int | None] | None = None
    layers: list[LayerEntry] = field(default_factory=list)
    input_from_data: bool = False
    output_from_data: bool = False


@dataclass
class CompileSpec:
    """Arguments of ``model.compile``; the optimizer is a Keras name plus its kwargs."""

    optimizer: str = "rmsprop"
    optimizer_config: dict[str, Any] = field(default_factory=dict)
    loss: str = "binary_crossentropy"
    metrics: list[str] = field(default_factory=lambda: ["accuracy"])


@dataclass
class DataSpec:
    """Where the data comes from (a source string) and how it is preprocessed."""

    source: str = "synthetic:circles"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class EarlyStoppingSpec:
    monitor: str = "val_loss"
    min_delta: float = 0.0
    patience: int = 2
    restore_best_weights: bool = True


@dataclass
class ReduceLRSpec:
    monitor: str = "val_loss"
    factor: float = 0.5
    patience: int = 2
    min_lr: float = 1e-6


@dataclass
class TrainingSpec:
    """Arguments of ``fit`` and the callbacks around it.

    Validation is a fraction of the training split (``validation_split``) or a count of
    samples (``validation_count``); a source's own validation set wins over both.
    """

    epochs: int = 10
    batch_size: int = 32
    validation_split: float | None = 0.2
    validation_count: int | None = None
    shuffle: bool = True
    seed: int | None = 42
    early_stopping: EarlyStoppingSpec | None = None
    checkpoint_best: bool = True
    reduce_lr: ReduceLRSpec | None = None
    tensorboard_dir: str | None = None


@dataclass
class ExperimentDocument:
    """A whole experiment; ``to_dict``/``from_dict`` are the JSON form."""

    name: str = "Untitled experiment"
    description: str = ""
    template: str | None = None
    model: ModelSpec = field(default_factory=ModelSpec)
    compile: CompileSpec = field(default_factory=CompileSpec)
    data: DataSpec = field(default_factory=DataSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON object."""
        body = asdict(self)
        return {"format": FORMAT, "version": VERSION, **body}

    @classmethod
    def from_dict(cls, raw: Any, *, origin: str = "document") -> ExperimentDocument:
        """Validate and build; :class:`DocumentError` names ``origin`` and the field at fault."""
        return _parse_document(raw, origin)

    def copy(self) -> ExperimentDocument:
        """A deep copy, for undo snapshots and run records."""
        return copy.deepcopy(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- load / save


def load_document(path: str | os.PathLike[str]) -> ExperimentDocument:
    """Read an experiment file; every problem is a :class:`DocumentError` naming the file."""
    path = Path(path)
    data = read_file_bytes(path, DocumentError, f"open an experiment file (*{FILE_SUFFIX}) instead")
    return parse_document_bytes(data, origin=str(path))


def parse_document_bytes(data: bytes, *, origin: str = "document") -> ExperimentDocument:
    """Decode, parse and validate the bytes of an experiment file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{origin}: is not UTF-8 text (bad byte at offset {exc.start}); "
            "an experiment file is JSON saved by Keras Workbench."
        ) from None
    if not text.strip():
        raise DocumentError(f"{origin}: is empty; an experiment file is a JSON object.")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"{origin}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated or edited by hand."
        ) from None
    return _parse_document(raw, origin)


def save_document(document: ExperimentDocument, path: str | os.PathLike[str]) -> None:
    """Write atomically: a crash mid-save leaves the previous file intact."""
    atomic_write_json(path, document.to_dict())


# --------------------------------------------------------------------------- validation


class _Reader:
    """Typed access to one JSON object that reports errors with their dotted path."""

    def __init__(self, raw: Any, path: str, origin: str):
        self.origin = origin
        self.path = path
        if not isinstance(raw, dict):
            self.fail(f"must be an object, got {_describe(raw)}")
        self.raw: dict[str, Any] = raw

    def fail(self, problem: str, key: str | None = None) -> None:
        where = f"{self.path}.{key}" if key and self.path else (key or self.path or "top level")
        raise DocumentError(f"{self.origin}: {where}: {problem}.")

    def child(self, key: str, default: Any = None) -> _Reader | None:
        value = self.raw.get(key, default)
        if value is None:
            return None
        return _Reader(value, f"{self.path}.{key}" if self.path else key, self.origin)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any, *, optional: bool = False) -> Any:
        if key not in self.raw:
            return copy.deepcopy(default)
        value = self.raw[key]
        if value is None and optional:
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # JSON has no int/float distinction for whole numbers; bool is not a number here.
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            self.fail(f"must be {_kind_names(kinds)}, got {_describe(value)}", key)
        if not isinstance(value, kinds):
            self.fail(f"must be {_kind_names(kinds)}, got {_describe(value)}", key)
        return value

    def number(self, key: str, kind: type, default: Any, *, minimum: float | None = None,
               maximum: float | None = None, exclusive_max: bool = False, optional: bool = False) -> Any:
        value = self.get(key, kind, default, optional=optional)
        if value is None:
            return None
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum}, got {value}", key)
        if maximum is not None and (value >= maximum if exclusive_max else value > maximum):
            bound = "below" if exclusive_max else "at most"
            self.fail(f"must be {bound} {maximum}, got {value}", key)
        return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f'"{value}" (a string)' if len(value) < 40 else "a string"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _kind_names(kinds: tuple[type, ...]) -> str:
    names = {int: "a whole number", float: "a number", str: "a string", bool: "true or false",
             list: "a list", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _parse_document(raw: Any, origin: str) -> ExperimentDocument:
    top = _Reader(raw, "", origin)
    fmt = top.raw.get("format")
    if fmt != FORMAT:
        top.fail(f'"format" must be "{FORMAT}", got {_describe(fmt)}; this is not a Keras Workbench experiment')
    version = top.raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        top.fail(f'"version" must be a whole number >= 1, got {_describe(version)}')
    if version > VERSION:
        raise DocumentError(
            f"{origin}: was saved by a newer Keras Workbench (document version {version}); "
            f"this version reads up to version {VERSION}. Update Keras Workbench to open it."
        )
    raw = _MIGRATIONS_TO_CURRENT(raw, version)
    top = _Reader(raw, "", origin)

    document = ExperimentDocument(
        name=top.get("name", str, "Untitled experiment"),
        description=top.get("description", str, ""),
        template=top.get("template", str, None, optional=True),
        model=_parse_model(top.child("model", {}), origin),
        compile=_parse_compile(top.child("compile", {})),
        data=_parse_data(top.child("data", {})),
        training=_parse_training(top.child("training", {})),
    )
    return document


def _MIGRATIONS_TO_CURRENT(raw: dict[str, Any], version: int) -> dict[str, Any]:
    """Upgrade an older document in place, one version step at a time (none exist yet)."""
    return raw


def _parse_model(reader: _Reader | None, origin: str) -> ModelSpec:
    if reader is None:
        return ModelSpec()
    shape = reader.get("input_shape", list, None, optional=True)
    if shape is not None:
        for i, dim in enumerate(shape):
            if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
                reader.fail(f"dimension {i} must be a whole number >= 1 or null, got {_describe(dim)}",
                            "input_shape")
    layers_raw = reader.get("layers", list, [])
    layers = []
    for i, entry in enumerate(layers_raw):
        item = _Reader(entry, f"{reader.path}.layers[{i}]", origin)
        layer_type = item.get("type", str, None, optional=True)
        if not layer_type:
            item.fail('needs a "type" (a Keras layer class name such as "Dense")')
        config = item.get("config", dict, {})
        layers.append(LayerEntry(type=layer_type, config=config))
    return ModelSpec(
        input_shape=shape,
        layers=layers,
        input_from_data=reader.get("input_from_data", bool, False),
        output_from_data=reader.get("output_from_data", bool, False),
    )


def _parse_compile(reader: _Reader | None) -> CompileSpec:
    if reader is None:
        return CompileSpec()
    defaults = CompileSpec()
    metrics = reader.get("metrics", list, defaults.metrics)
    for i, metric in enumerate(metrics):
        if not isinstance(metric, str):
            reader.fail(f"entry {i} must be a metric name, got {_describe(metric)}", "metrics")
    optimizer = reader.get("optimizer", str, defaults.optimizer)
    if not optimizer:
        reader.fail("must name a Keras optimizer such as \"rmsprop\"", "optimizer")
    loss = reader.get("loss", str, defaults.loss)
    if not loss:
        reader.fail("must name a Keras loss such as \"binary_crossentropy\"", "loss")
    return CompileSpec(
        optimizer=optimizer,
        optimizer_config=reader.get("optimizer_config", dict, {}),
        loss=loss,
        metrics=metrics,
    )


def _parse_data(reader: _Reader | None) -> DataSpec:
    if reader is None:
        return DataSpec()
    source = reader.get("source", str, DataSpec.source)
    # Imported here: sources.py is small and Qt-free, but keeps this module's imports minimal.
    from workbench.core.errors import SourceError
    from workbench.core.sources import parse_source

    try:
        parse_source(source)
    except SourceError as exc:
        reader.fail(str(exc).rstrip("."), "source")
    return DataSpec(source=source, options=reader.get("options", dict, {}))


def _parse_training(reader: _Reader | None) -> TrainingSpec:
    if reader is None:
        return TrainingSpec()
    d = TrainingSpec()
    spec = TrainingSpec(
        epochs=reader.number("epochs", int, d.epochs, minimum=1, maximum=100_000),
        batch_size=reader.number("batch_size", int, d.batch_size, minimum=1, maximum=1_000_000),
        validation_split=reader.number("validation_split", float, d.validation_split, minimum=0.0,
                                       maximum=1.0, exclusive_max=True, optional=True),
        validation_count=reader.number("validation_count", int, d.validation_count, minimum=1,
                                       optional=True),
        shuffle=reader.get("shuffle", bool, d.shuffle),
        # NumPy and TensorFlow seeds are unsigned 32-bit: anything else fails only once training starts.
        seed=reader.number("seed", int, d.seed, minimum=0, maximum=2**32 - 1, optional=True),
        checkpoint_best=reader.get("checkpoint_best", bool, d.checkpoint_best),
        tensorboard_dir=reader.get("tensorboard_dir", str, None, optional=True),
    )
    early = reader.child("early_stopping")
    if early is not None:
        e = EarlyStoppingSpec()
        spec.early_stopping = EarlyStoppingSpec(
            monitor=early.get("monitor", str, e.monitor),
            min_delta=early.number("min_delta", float, e.min_delta, minimum=0.0),
            patience=early.number("patience", int, e.patience, minimum=0),
            restore_best_weights=early.get("restore_best_weights", bool, e.restore_best_weights),
        )
    reduce = reader.child("reduce_lr")
    if reduce is not None:
        r = ReduceLRSpec()
        spec.reduce_lr = ReduceLRSpec(
            monitor=reduce.get("monitor", str, r.monitor),
            factor=reduce.number("factor", float, r.factor, minimum=0.0, maximum=1.0, exclusive_max=True),
            patience=reduce.number("patience", int, r.patience, minimum=0),
            min_lr=reduce.number("min_lr", float, r.min_lr, minimum=0.0),
        )
    return spec
