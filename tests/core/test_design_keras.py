"""Pure-Python shapes and parameter counts equal what Keras reports, for templates and random stacks."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from workbench.core.design.build import build_model
from workbench.core.design.summary import keras_layer_names, summarize
from workbench.core.design.templates import load_template, template_ids
from workbench.core.document import CompileSpec, ExperimentDocument, LayerEntry, ModelSpec
from workbench.core.errors import DesignError


def keras_rows(model) -> list[tuple[str, tuple, int, int]]:
    rows = []
    for layer in model.layers:
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        rows.append((layer.name, tuple(layer.output.shape), layer.count_params(), trainable))
    return rows


def summary_rows(document) -> list[tuple[str, tuple, int, int]]:
    summary = summarize(document)
    return [(row.name, row.output_shape, row.params, row.trainable_params)
            for row, entry in zip(summary.layers, document.model.layers) if entry.type != "Input"]


def assert_matches_keras(document) -> None:
    summary = summarize(document)
    assert summary.ok, [issue.format() for issue in summary.errors]
    model = build_model(document, compile=False)
    assert summary_rows(document) == keras_rows(model)
    assert summary.total_params == model.count_params()
    assert tuple(model.output_shape) == summary.output_shape


EXPECTED_TEMPLATES = {
    "imdb-dense", "reuters-dense", "mnist-convnet", "mnist-dense", "iris-mlp", "titanic-mlp",
    "imdb-embedding-flatten", "imdb-conv1d", "imdb-simplernn", "imdb-lstm", "imdb-glove", "char-lstm",
}


def test_all_issue_templates_exist():
    assert EXPECTED_TEMPLATES <= set(template_ids())


@pytest.mark.parametrize("template_id", sorted(template_ids()))
def test_template_summary_equals_keras(template_id):
    document = load_template(template_id)
    summary = summarize(document)
    assert summary.errors == [] and summary.warnings == [], [i.format() for i in summary.errors + summary.warnings]
    assert_matches_keras(document)


def test_book_parameter_counts():
    # Figures printed in Deep Learning with Python / the Keras examples.
    assert summarize(load_template("imdb-dense")).total_params == 160_305
    assert summarize(load_template("mnist-convnet")).total_params == 34_826
    assert summarize(load_template("imdb-simplernn")).total_params == 322_113
    glove = summarize(load_template("imdb-glove"))
    assert glove.non_trainable_params == 1_000_000 and glove.trainable_params == 320_065


def test_layer_names_match_a_fresh_keras_session():
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.backend.clear_session()
    made = [keras.layers.Dense(2), keras.layers.Conv2D(2, 3), keras.layers.Dense(2), keras.layers.SimpleRNN(2),
            keras.layers.GlobalMaxPooling1D(), keras.layers.Bidirectional(keras.layers.LSTM(2)),
            keras.layers.MaxPooling2D(), keras.layers.BatchNormalization()]
    types = ["Dense", "Conv2D", "Dense", "SimpleRNN", "GlobalMaxPooling1D", "Bidirectional", "MaxPooling2D",
             "BatchNormalization"]
    assert keras_layer_names(types) == [layer.name for layer in made]


def test_input_entry_sets_the_input_shape():
    document = ExperimentDocument(model=ModelSpec(input_shape=None, layers=[
        LayerEntry("Input", {"shape": [8, 8, 3]}), LayerEntry("Conv2D", {"filters": 4}),
        LayerEntry("GlobalAveragePooling2D"), LayerEntry("Dense", {"units": 1, "activation": "sigmoid"})]))
    summary = summarize(document)
    assert summary.layers[0].output_shape == (None, 8, 8, 3) and summary.layers[0].params == 0
    assert_matches_keras(document)


# --------------------------------------------------------------------------- random stacks

ACT = st.sampled_from(["relu", "tanh", "linear", "sigmoid"])


@st.composite
def flat_stack(draw):
    shape = [draw(st.integers(1, 12))]
    layers = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["Dense", "Dropout", "BatchNormalization", "LayerNormalization",
                                     "Activation", "Rescaling"]))
        config = {
            "Dense": lambda: {"units": draw(st.integers(1, 9)), "activation": draw(ACT),
                              "use_bias": draw(st.booleans())},
            "Dropout": lambda: {"rate": draw(st.floats(0.0, 0.9))},
            "BatchNormalization": lambda: {"center": draw(st.booleans()), "scale": draw(st.booleans())},
            "LayerNormalization": lambda: {"center": draw(st.booleans()), "scale": draw(st.booleans())},
            "Activation": lambda: {"activation": draw(ACT)},
            "Rescaling": lambda: {"scale": 0.5, "offset": 1.0},
        }[kind]()
        layers.append(LayerEntry(kind, config))
    return shape, layers


@st.composite
def image_stack(draw):
    shape = [draw(st.integers(1, 16)), draw(st.integers(1, 16)), draw(st.integers(1, 3))]
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["Conv2D", "MaxPooling2D", "AveragePooling2D", "BatchNormalization"]))
        padding = draw(st.sampled_from(["valid", "same"]))
        if kind == "Conv2D":
            config = {"filters": draw(st.integers(1, 4)), "kernel_size": [draw(st.integers(1, 4)), draw(st.integers(1, 4))],
                      "strides": draw(st.integers(1, 2)), "padding": padding, "activation": draw(ACT)}
        elif kind == "BatchNormalization":
            config = {}
        else:
            config = {"pool_size": [draw(st.integers(1, 3))] * 2, "padding": padding,
                      "strides": draw(st.one_of(st.none(), st.just([1, 2])))}
        layers.append(LayerEntry(kind, config))
    layers.append(LayerEntry(draw(st.sampled_from(["Flatten", "GlobalAveragePooling2D"]))))
    return shape, layers


@st.composite
def sequence_stack(draw):
    length = draw(st.integers(1, 20))
    layers = [LayerEntry("Embedding", {"input_dim": draw(st.integers(2, 30)), "output_dim": draw(st.integers(1, 6)),
                                       "trainable": draw(st.booleans())})]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["Conv1D", "MaxPooling1D", "SimpleRNN", "GRU", "LSTM", "Bidirectional"]))
        if kind == "Conv1D":
            config = {"filters": draw(st.integers(1, 4)), "kernel_size": draw(st.integers(1, 5)),
                      "strides": draw(st.integers(1, 2)), "padding": draw(st.sampled_from(["valid", "same", "causal"]))}
        elif kind == "MaxPooling1D":
            config = {"pool_size": draw(st.integers(1, 3)), "padding": draw(st.sampled_from(["valid", "same"]))}
        elif kind == "Bidirectional":
            config = {"layer": draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"])), "units": draw(st.integers(1, 4)),
                      "return_sequences": True, "merge_mode": draw(st.sampled_from(["concat", "sum", "ave"]))}
        else:
            config = {"units": draw(st.integers(1, 4)), "return_sequences": True}
        layers.append(LayerEntry(kind, config))
    end = draw(st.sampled_from(["GlobalMaxPooling1D", "GlobalAveragePooling1D", "Flatten", "LSTM", "Reshape"]))
    layers.append(LayerEntry(end, {"units": 3} if end == "LSTM" else
                             {"target_shape": [-1]} if end == "Reshape" else {}))
    return [length], layers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=st.one_of(flat_stack(), image_stack(), sequence_stack()),
       units=st.integers(1, 5), activation=ACT)
def test_random_stacks_match_keras(stack, units, activation):
    shape, layers = stack
    layers = layers + [LayerEntry("Dense", {"units": units, "activation": activation})]
    document = ExperimentDocument(model=ModelSpec(input_shape=shape, layers=layers),
                                  compile=CompileSpec(optimizer="adam", loss="mse", metrics=[]))
    summary = summarize(document)
    event("buildable" if summary.ok else "refused")
    if summary.ok:
        assert_matches_keras(document)
    else:
        # A design the inference refuses must really be one that Keras cannot build.
        assert any(issue.layer_index is not None for issue in summary.errors)
        from workbench.core.kerasenv import import_keras

        keras = import_keras()
        with pytest.raises(Exception):  # noqa: B017 - Keras raises ValueError or TF errors
            model = keras.Sequential([keras.Input(shape=tuple(shape))])
            from workbench.core.design.build import make_layer

            for entry in layers:
                model.add(make_layer(keras, entry.type, entry.config, None))
        with pytest.raises(DesignError):
            build_model(document, compile=False)
