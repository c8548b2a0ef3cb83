"""Sweep grids: parsing, applying named dimensions and dotted paths, ranking, a tiny real sweep."""

from __future__ import annotations

import pytest
from training_shims import use_pipeline

from workbench.core.errors import WorkbenchError
from workbench.core.training.sweep import apply_params, expand_grid, parse_grid, run_sweep


def mlp():
    from workbench.core.design.templates import load_template

    return load_template("circles-mlp")


def test_the_classic_grid_has_36_trials():
    dims = parse_grid("activation=relu,tanh;loss=mse,binary_crossentropy;hidden_units=16,32,64;hidden_layers=1,2,3")
    assert [d.name for d in dims] == ["activation", "loss", "hidden_units", "hidden_layers"]
    assert dims[2].values == [16, 32, 64]
    assert len(expand_grid(mlp(), dims)) == 36


@pytest.mark.parametrize("spec, message", [
    ("", "needs a grid"),
    ("activation", "name=value1,value2"),
    ("colour=red", 'unknown sweep dimension "colour"'),
    ("epochs=", "has no values"),
    ("epochs=1;epochs=2", "given twice"),
])
def test_bad_grids_are_explained(spec, message):
    with pytest.raises(WorkbenchError, match=message):
        parse_grid(spec)


def test_named_dimensions_change_every_hidden_layer_and_keep_the_output():
    doc = apply_params(mlp(), {"hidden_layers": 3, "hidden_units": 8, "activation": "tanh", "dropout": 0.25})
    types = [layer.type for layer in doc.model.layers]
    assert types == ["Dense", "Dropout"] * 3 + ["Dense"]
    hidden = [layer for layer in doc.model.layers if layer.type == "Dense"][:-1]
    assert all(layer.config["units"] == 8 and layer.config["activation"] == "tanh" for layer in hidden)
    assert doc.model.layers[-1].config == {"units": 1, "activation": "sigmoid"}
    one = apply_params(mlp(), {"hidden_layers": 1, "learning_rate": 0.1, "optimizer": "sgd", "batch_size": 8})
    assert [layer.type for layer in one.model.layers] == ["Dense", "Dense"]
    assert one.compile.optimizer == "sgd" and one.compile.optimizer_config == {"learning_rate": 0.1}
    assert one.training.batch_size == 8


def test_dotted_paths_are_validated_like_documents():
    doc = apply_params(mlp(), {"training.validation_split": 0.3, "model.layers.0.config.units": 5})
    assert doc.training.validation_split == 0.3 and doc.model.layers[0].config["units"] == 5
    with pytest.raises(WorkbenchError, match="batch_size: must be at least 1"):
        apply_params(mlp(), {"training.batch_size": 0})
    with pytest.raises(WorkbenchError, match="no \"training.nope\""):
        apply_params(mlp(), {"training.nope.x": 1})
    with pytest.raises(WorkbenchError, match="whole numbers"):
        apply_params(mlp(), {"hidden_units": "big"})


@pytest.mark.parametrize("isolate", [False, True], ids=["in-process", "child-process"])
def test_tiny_sweep_trains_each_trial_and_ranks(monkeypatch, tmp_path, isolate):
    use_pipeline(monkeypatch)
    doc = mlp()
    doc.data.source = "synthetic:circles?n=200"
    events = []
    outcomes = run_sweep(doc, "hidden_units=4,8", tmp_path, epochs=1, on_event=events.append, isolate=isolate)
    assert [o.status for o in outcomes] == ["finished", "finished"]
    assert [o.params for o in outcomes] == [{"hidden_units": 4}, {"hidden_units": 8}]
    assert all(o.score_metric == "test_accuracy" for o in outcomes)
    final = events[-1]
    assert final["event"] == "sweep_finished" and len(final["ranking"]) == 2
    assert final["ranking"][0]["score"] >= final["ranking"][1]["score"]
    assert len({o.run_id for o in outcomes}) == 2
