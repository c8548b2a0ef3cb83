"""The layer catalog: complete, valid against Keras' own names and defaults, with learner messages."""

from __future__ import annotations

import inspect

import pytest

from workbench.core.catalog import (
    ACTIVATIONS,
    CATALOG,
    INITIALIZERS,
    PADDINGS,
    REGULARIZERS,
    LayerSpec,
    ParamSpec,
    get_layer_spec,
    layers_by_category,
    validate_config,
    validate_value,
)
from workbench.core.errors import DesignError

REQUIRED_LAYERS = [
    "Input", "Dense", "Dropout", "Flatten", "Reshape", "Activation", "BatchNormalization",
    "LayerNormalization", "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling2D",
    "GlobalMaxPooling1D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "Embedding", "SimpleRNN",
    "LSTM", "GRU", "Bidirectional", "Rescaling",
]


def test_catalog_has_every_layer_of_the_issue():
    assert set(REQUIRED_LAYERS) <= set(CATALOG)
    for spec in CATALOG.values():
        assert isinstance(spec, LayerSpec)
        assert spec.explanation and spec.category
        assert all(isinstance(p, ParamSpec) for p in spec.params)


def test_layers_by_category_covers_catalog_once():
    groups = layers_by_category()
    listed = [spec.type for specs in groups.values() for spec in specs]
    assert sorted(listed) == sorted(CATALOG)
    assert [s.type for s in groups["Recurrent"]] == ["SimpleRNN", "LSTM", "GRU", "Bidirectional"]


def test_get_layer_spec_unknown_names_known_ones():
    assert get_layer_spec("Dense").param("units").kind == "int"
    with pytest.raises(DesignError, match="not a layer the builder knows.*Dense"):
        get_layer_spec("Transformer")


def test_default_configs_are_valid():
    for layer_type, spec in CATALOG.items():
        assert validate_config(layer_type, spec.default_config()) == [], layer_type


@pytest.mark.parametrize("layer_type, name, value, expected", [
    ("Dense", "units", 16, None),
    ("Dense", "units", 0, "units must be at least 1, got 0"),
    ("Dense", "units", 2.5, "units must be a whole number"),
    ("Dense", "units", True, "units must be a whole number"),
    ("Dense", "activation", "sigmoid", None),
    ("Dense", "activation", "sigmoidal", "activation must be one of"),
    ("Dropout", "rate", 1.5, "rate must be at most 0.99"),
    ("Dropout", "rate", "half", "rate must be a number"),
    ("Conv2D", "kernel_size", [3, 3], None),
    ("Conv2D", "kernel_size", 3, None),
    ("Conv2D", "kernel_size", [3], "kernel_size must have 2 numbers"),
    ("Conv2D", "kernel_size", [3, 0], "kernel_size must be at least 1"),
    ("MaxPooling2D", "strides", None, None),
    ("Dense", "units", None, "units needs a value"),
    ("Dense", "filters", 3, 'Dense has no setting "filters"'),
    ("Embedding", "pretrained_path", "glove.txt", None),
    ("Embedding", "trainable", "no", "trainable must be true or false"),
    ("Nope", "units", 1, "not a layer the builder knows"),
])
def test_validate_value_messages(layer_type, name, value, expected):
    problem = validate_value(layer_type, name, value)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_choice_lists_are_keras_names():
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    for name in ACTIVATIONS:
        assert callable(keras.activations.get(name)), name
    for name in INITIALIZERS:
        assert keras.initializers.get(name) is not None, name
    for name in REGULARIZERS:
        assert keras.regularizers.get(name) is not None, name
    # Padding names: Keras accepts each for a real layer.
    for padding in PADDINGS:
        keras.layers.Conv2D(1, 3, padding=padding)
    keras.layers.Conv1D(1, 3, padding="causal")


def test_catalog_defaults_equal_keras_defaults():
    """A config that leaves a key out means the same to shape inference and to Keras."""
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    for layer_type, spec in CATALOG.items():
        if layer_type in ("Input", "Bidirectional"):
            continue
        signature = inspect.signature(getattr(keras.layers, layer_type).__init__)
        for param in spec.params:
            if param.name in ("pretrained_path", "trainable"):
                continue
            assert param.name in signature.parameters, f"{layer_type}.{param.name} is not a Keras argument"
            keras_default = signature.parameters[param.name].default
            if keras_default is inspect.Parameter.empty:
                assert param.required, f"{layer_type}.{param.name}: Keras has no default, so it must be required"
                continue
            if isinstance(keras_default, tuple):
                keras_default = list(keras_default)
            if param.name == "activation" and keras_default is None:
                keras_default = "linear"  # Keras' None is the identity, named "linear"
            assert keras_default == param.default, f"{layer_type}.{param.name}"
