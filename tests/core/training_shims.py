"""Stand-ins for prepare_data/build_model used only while those modules have not landed.

``use_pipeline(monkeypatch)`` returns (prepare_data, build_model): the real ones when present,
else small numpy/Keras shims following the contract in helper_notes/CONTRACTS.md.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class FakeSplit:
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)

    def x_for_fit(self, batch_size, shuffle, seed):
        return self.x

    def y_for_fit(self):
        return self.y

    def take(self, indices):
        return self.x[np.asarray(indices)]

    def raw(self, i):
        return {"x0": float(self.x[i][0]), "x1": float(self.x[i][1])}


class FakePreprocessor:
    kind = "points"
    class_names = ("outer", "inner")

    def save(self, folder):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "preprocessor.json").write_text(json.dumps({"kind": "points"}))


@dataclass
class FakePrepared:
    train: FakeSplit
    val: FakeSplit | None
    test: FakeSplit | None
    input_shape: tuple
    num_classes: int | None
    label_format: str
    class_names: list
    kind: str = "points"
    source: str = "synthetic:circles"
    preprocessor: FakePreprocessor = field(default_factory=FakePreprocessor)
    notes: list = field(default_factory=list)


def fake_prepare_data(data_spec, training_spec=None, *, progress=None, should_stop=None):
    from workbench.core.data.synthetic import generate
    from workbench.core.sources import parse_source

    source = parse_source(data_spec.source)
    n = int(source.options.get("n", 200))
    classes = int(source.options.get("classes", 3))
    x, y, names = generate(source.location, n=n, seed=0, classes=classes)
    n_test = n // 5
    rest_x, rest_y = x[n_test:], y[n_test:]
    split = getattr(training_spec, "validation_split", 0.2) or 0.0
    n_val = int(len(rest_y) * split)
    val = FakeSplit(rest_x[:n_val], rest_y[:n_val]) if n_val else None
    fmt = "binary" if len(names) == 2 else "sparse"
    if progress:
        progress(1.0, "ready")
    return FakePrepared(train=FakeSplit(rest_x[n_val:], rest_y[n_val:]), val=val,
                        test=FakeSplit(x[:n_test], y[:n_test]), input_shape=(2,), num_classes=len(names),
                        label_format=fmt, class_names=names, source=str(source))


def fake_build_model(document, *, input_shape=None, output_units=None, compile=True, notes=None, **_):
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    shape = tuple(input_shape or document.model.input_shape)
    layers = [keras.Input(shape=shape)]
    entries = document.model.layers
    for i, entry in enumerate(entries):
        config = dict(entry.config)
        if output_units is not None and i == len(entries) - 1 and entry.type == "Dense":
            config["units"] = output_units
        layers.append(getattr(keras.layers, entry.type)(**config))
    model = keras.Sequential(layers)
    if compile:
        opt = keras.optimizers.get({"class_name": document.compile.optimizer,
                                    "config": dict(document.compile.optimizer_config)})
        model.compile(optimizer=opt, loss=document.compile.loss, metrics=list(document.compile.metrics))
    return model


def _has(module: str, name: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


def use_pipeline(monkeypatch) -> bool:
    """Install the shims where the real modules are missing; True when both are real."""
    real = True
    if not _has("workbench.core.data.prepare", "prepare_data"):
        real = False
        mod = types.ModuleType("workbench.core.data.prepare")
        mod.prepare_data = fake_prepare_data
        mod.load_preprocessor = lambda folder: FakePreprocessor()
        monkeypatch.setitem(sys.modules, "workbench.core.data.prepare", mod)
    if not _has("workbench.core.design.build", "build_model"):
        real = False
        mod = types.ModuleType("workbench.core.design.build")
        mod.build_model = fake_build_model
        monkeypatch.setitem(sys.modules, "workbench.core.design.build", mod)
    return real
