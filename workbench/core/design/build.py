"""A Keras ``Sequential`` model from an experiment document.

The design is checked with :func:`summarize` first, so anything that cannot build is refused with
the same learner-facing message (and layer index) that the builder shows, never a Keras traceback.
Layer names are the summary's names, so the built model's ``summary()`` matches row for row.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.core.catalog import CATALOG
from workbench.core.design.glove import coverage_note, load_glove_matrix
from workbench.core.design.summary import DesignSummary, summarize
from workbench.core.document import CompileSpec, ExperimentDocument
from workbench.core.errors import DesignError
from workbench.core.kerasenv import import_keras

# Settings that are ours, not the Keras layer's: translated below.
_NOT_KERAS = {"Embedding": {"pretrained_path"}, "Bidirectional": {"layer", "units", "return_sequences"}}


def apply_data_shapes(document: ExperimentDocument, input_shape: Any = None,
                      output_units: int | None = None) -> ExperimentDocument:
    """A copy of ``document`` with the input shape / head units the data dictates (when given)."""
    document = document.copy()
    if input_shape is not None:
        shape = [int(d) if d is not None else None for d in input_shape]
        document.model.input_shape = shape
        if document.model.layers and document.model.layers[0].type == "Input":
            document.model.layers[0].config["shape"] = shape
    if output_units is not None:
        for entry in reversed(document.model.layers):
            if entry.type == "Dense":
                entry.config["units"] = int(output_units)
                break
        else:
            raise DesignError("the data sets the number of outputs, but the model has no Dense layer to "
                              "receive it; end the model with a Dense layer.")
    return document


def model_name(document: ExperimentDocument) -> str:
    """A Keras-safe model name from the experiment name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", document.name).strip("_.-") or "model"


def keras_kwargs(layer_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """Constructor kwargs for the Keras class: ours removed, lists as tuples."""
    skip = _NOT_KERAS.get(layer_type, set())
    return {key: tuple(value) if isinstance(value, list) else value
            for key, value in config.items() if key not in skip}


def make_layer(keras: Any, layer_type: str, config: dict[str, Any], name: str) -> Any:
    """One Keras layer from a catalog type and its (document) config."""
    if layer_type == "Bidirectional":
        resolved = CATALOG["Bidirectional"].resolved(config)
        inner = getattr(keras.layers, resolved["layer"])(
            resolved["units"], return_sequences=resolved["return_sequences"])
        return keras.layers.Bidirectional(inner, merge_mode=resolved["merge_mode"], name=name)
    # Keras has no default for some arguments (units, rate…); the catalog's defaults stand in.
    required = {spec.name: spec.default for spec in CATALOG[layer_type].params if spec.required}
    return getattr(keras.layers, layer_type)(name=name, **keras_kwargs(layer_type, {**required, **config}))


def build_model(document: ExperimentDocument, *, input_shape: Any = None, output_units: int | None = None,
                compile: bool = True, word_index: dict[str, int] | None = None,
                notes: list[str] | None = None) -> Any:
    """Build (and by default compile) the document's model.

    ``input_shape``/``output_units`` come from prepared data for ``model.input_from_data`` /
    ``output_from_data``. ``word_index`` (word → sequence index, as the data pipeline encodes)
    lets an Embedding with ``pretrained_path`` start from GloVe vectors; without it the vectors
    are not loaded and a note says so. Notes for the user are appended to ``notes``.
    """
    if input_shape is not None or output_units is not None:
        document = apply_data_shapes(document, input_shape, output_units)
    summary = summarize(document)
    if summary.errors:
        raise DesignError(f"the model cannot be built: {summary.errors[0].format()}")
    assert summary.input_shape is not None
    keras = import_keras()
    model = keras.Sequential(name=model_name(document))
    model.add(keras.Input(shape=summary.input_shape))
    for row, entry in zip(summary.layers, document.model.layers):
        if entry.type == "Input":
            continue
        try:
            model.add(make_layer(keras, entry.type, entry.config, row.name))
        except Exception as exc:  # noqa: BLE001 - Keras raises many types; the user needs one sentence
            raise DesignError(f"layer {row.index + 1} ({entry.type}): Keras refused it: {exc}") from None
    _load_pretrained(model, document, summary, word_index, notes)
    if compile:
        try:
            model.compile(optimizer=build_optimizer(document.compile), loss=document.compile.loss,
                          metrics=list(document.compile.metrics))
        except DesignError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise DesignError(f"compile settings were refused by Keras: {exc}") from None
    return model


def _load_pretrained(model: Any, document: ExperimentDocument, summary: DesignSummary,
                     word_index: dict[str, int] | None, notes: list[str] | None) -> None:
    for row, entry in zip(summary.layers, document.model.layers):
        path = entry.config.get("pretrained_path") if entry.type == "Embedding" else None
        if not path:
            continue
        config = CATALOG["Embedding"].resolved(entry.config)
        if word_index is None:
            if notes is not None:
                notes.append(f"layer {row.index + 1} (Embedding): pretrained vectors were not loaded because no "
                             "vocabulary was given; the embedding starts random.")
            continue
        matrix, found = load_glove_matrix(path, word_index, config["input_dim"], config["output_dim"])
        layer = model.get_layer(row.name)
        layer.set_weights([matrix])
        layer.trainable = bool(config["trainable"])
        if notes is not None:
            notes.append(coverage_note(found, word_index, config["input_dim"], path))


def build_optimizer(compile_spec: CompileSpec) -> Any:
    """A Keras optimizer from its name and kwargs; unknown names or arguments become DesignError."""
    keras = import_keras()
    try:
        return keras.optimizers.get({"class_name": compile_spec.optimizer,
                                     "config": dict(compile_spec.optimizer_config)})
    except (ValueError, TypeError) as exc:
        raise DesignError(
            f'optimizer "{compile_spec.optimizer}" with settings {compile_spec.optimizer_config} was refused '
            f"by Keras ({exc}); use a Keras optimizer name such as rmsprop, adam or sgd.") from None
