"""Open an existing ``.keras`` model as a builder design (architecture only, no weights).

The archive's ``config.json`` is inspected first, so a model with ``Lambda`` layers or custom
objects is refused with an explanation before anything is deserialized; the model is then
loaded with ``safe_mode=True`` and mapped layer by layer onto the catalog.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

from workbench.core.catalog import CATALOG, INITIALIZERS, REGULARIZERS
from workbench.core.design.summary import snake_case
from workbench.core.document import LayerEntry, ModelSpec
from workbench.core.errors import DesignError
from workbench.core.kerasenv import import_keras

_CONTAINERS = {"Sequential", "Functional", "Model"}
# Our own settings; they have no counterpart in a Keras layer config.
_OURS = {"Embedding": {"pretrained_path"}, "Bidirectional": {"layer", "units", "return_sequences", "merge_mode"}}


def import_keras_model(path: str | os.PathLike[str]) -> ModelSpec:
    """A :class:`ModelSpec` from a ``.keras`` file; :class:`DesignError` says why one is refused."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DesignError(f"{path}: no such file.")
    if path.suffix.lower() != ".keras":
        raise DesignError(f"{name}: only Keras 3 model files (.keras) can be opened; save the model with "
                          "model.save(\"name.keras\") first.")
    config = _read_config(path)
    _refuse_unsafe(config, name)
    keras = import_keras()
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - any load failure becomes one explanation
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DesignError(f"{name}: Keras could not load this model ({first}).") from None
    layers = _linear_layers(model, config, name)
    spec = ModelSpec(input_shape=[d if d is None else int(d) for d in model.input_shape[1:]])
    for position, layer in enumerate(layers, start=1):
        spec.layers.append(_entry(layer, position, name))
    return spec


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            raw = archive.read("config.json")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise DesignError(f"{path.name}: is not a Keras model file (a .keras file is a zip archive with a "
                          "config.json); it may be damaged or saved in another format.") from None
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DesignError(f"{path.name}: its model description (config.json) is not valid JSON.") from None
    if not isinstance(config, dict):
        raise DesignError(f"{path.name}: its model description (config.json) is not a Keras model.")
    return config


def _dicts(node: Any):
    """Every dict nested anywhere in a JSON-like value."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def _walk(node: Any):
    """Every serialized Keras object (a dict with a class_name) nested in ``node``."""
    return (d for d in _dicts(node) if "class_name" in d)


def _refuse_unsafe(config: dict[str, Any], name: str) -> None:
    for node in _walk(config):
        class_name = node.get("class_name")
        if class_name == "Lambda":
            raise DesignError(
                f"{name}: contains a Lambda layer. A Lambda layer stores Python code that would run when the "
                "file is opened, so the workbench refuses it for safety (Keras' safe_mode); rebuild that step "
                "with standard layers.")
        module = node.get("module")
        registered = node.get("registered_name")
        custom = (isinstance(module, str) and module and not module.startswith("keras")) or (
            isinstance(registered, str) and registered != class_name and "keras" not in registered.lower()
            and ">" in registered)
        if custom:
            raise DesignError(
                f"{name}: uses a custom object ({registered or class_name}) defined in the author's own Python "
                "code. The workbench only opens models made of standard Keras layers, because loading custom "
                "code could run anything.")


def _linear_layers(model: Any, config: dict[str, Any], name: str) -> list[Any]:
    """The model's layers in order, refusing branches, multiple inputs/outputs and nested models."""
    keras = import_keras()
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise DesignError(f"{name}: has {len(model.inputs)} inputs and {len(model.outputs)} outputs; the builder "
                          "designs models with one input and one output.")
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if not isinstance(model, keras.Sequential):
        previous = None
        for layer_config in config.get("config", {}).get("layers", []):
            sources = {history[0] for history in _histories(layer_config.get("inbound_nodes", []))}
            if layer_config.get("class_name") == "InputLayer":
                previous = layer_config.get("config", {}).get("name", layer_config.get("name"))
                continue
            if len(layer_config.get("inbound_nodes", [])) != 1 or sources != {previous}:
                raise DesignError(
                    f"{name}: is a functional model with branches or shared layers (layer "
                    f"\"{layer_config.get('name')}\"); the builder can only open models whose layers follow "
                    "one another in a single line.")
            previous = layer_config.get("name") or layer_config.get("config", {}).get("name")
    return layers


def _histories(node: Any):
    """The ``keras_history`` entries (which layer a tensor came from) nested in ``node``."""
    for d in _dicts(node):
        config = d.get("config")
        if isinstance(config, dict) and config.get("keras_history"):
            yield config["keras_history"]


def _entry(layer: Any, position: int, name: str) -> LayerEntry:
    layer_type = type(layer).__name__
    if layer_type in _CONTAINERS:
        raise DesignError(f"{name}: layer {position} (\"{layer.name}\") is a whole model nested inside the model; "
                          "the builder works with a flat list of layers.")
    spec = CATALOG.get(layer_type)
    if spec is None:
        raise DesignError(f"{name}: layer {position} (\"{layer.name}\") is a {layer_type}, which the builder does "
                          f"not offer; it can open models made of: {', '.join(t for t in CATALOG if t != 'Input')}.")
    keras_config = layer.get_config()
    if layer_type == "Bidirectional":
        inner = keras_config["layer"]
        inner_config = inner.get("config", {})
        if inner.get("class_name") not in ("SimpleRNN", "LSTM", "GRU"):
            raise DesignError(f"{name}: layer {position} is Bidirectional around a {inner.get('class_name')}; "
                              "the builder supports SimpleRNN, LSTM and GRU there.")
        config = {"layer": inner["class_name"], "units": int(inner_config["units"]),
                  "return_sequences": bool(inner_config.get("return_sequences", False)),
                  "merge_mode": keras_config.get("merge_mode") or "concat"}
        return LayerEntry(type=layer_type, config=config)
    config: dict[str, Any] = {}
    for param in spec.params:
        if param.name in _OURS.get(layer_type, set()):
            continue
        if param.name == "trainable":
            if not layer.trainable:
                config["trainable"] = False
            continue
        if param.name not in keras_config:
            continue
        value = _plain(keras_config[param.name], param)
        if value is _SKIP:
            continue
        if param.required or value != param.default:
            config[param.name] = value
    if config.get("strides") is not None and config.get("strides") == config.get("pool_size"):
        del config["strides"]  # Keras writes the default (the pool size) out explicitly
    return LayerEntry(type=layer_type, config=config)


_SKIP = object()


def _plain(value: Any, param) -> Any:
    """A Keras config value as the catalog spells it (tuples → lists, objects → names)."""
    if isinstance(value, tuple):
        value = list(value)
    if param.kind == "int" and isinstance(value, list) and len(value) == 1:
        value = value[0]
    if param.kind == "choice" and isinstance(value, dict):
        short = snake_case(str(value.get("class_name", "")))
        if short == "l1_l2":
            short = "l1l2"
        if short == "random_uniform" and param.default == "uniform":
            short = "uniform"  # the same initializer under Keras' two names
        if short in INITIALIZERS or short in REGULARIZERS or short in (param.choices or []):
            return short
        return _SKIP  # an initializer/regularizer with no catalog name: Keras' default is used
    if param.kind == "choice" and value is None and param.default is not None and param.name == "activation":
        return "linear"
    if param.kind == "choice" and value is not None and value not in (param.choices or []):
        return _SKIP
    return value
