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
    with pytest.raises(WorkbenchError, match="no \"training.batchsize\" \\(there: .*batch_size"):
        apply_params(mlp(), {"training.batchsize": 16})  # a typo must not run identical trials
    assert apply_params(mlp(), {"data.options.noise": 0.3}).data.options["noise"] == 0.3  # open-ended group


def test_a_grid_that_breaks_the_design_is_refused_before_any_trial():
    with pytest.raises(WorkbenchError, match=r"sweep trial 2 \(hidden_units=0\) cannot be built"):
        expand_grid(mlp(), parse_grid("hidden_units=4,0"))
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


def test_rank_puts_failed_trials_last_and_compares_one_metric():
    from workbench.core.training.sweep import TrialOutcome, best_outcome, rank

    def outcome(trial, status, metric, score):
        return TrialOutcome(trial, 5, {"t": trial}, f"r{trial}", status, score_metric=metric, score=score)

    outcomes = [
        outcome(1, "failed", "val_accuracy", 0.99),  # NaN later: its last epoch still scored
        outcome(2, "finished", "test_accuracy", 0.70),
        outcome(3, "finished", "val_accuracy", 0.95),  # another metric: not comparable
        outcome(4, "finished", "test_accuracy", 0.80),
        outcome(5, "stopped", None, None),
    ]
    assert [o.trial for o in rank(outcomes)] == [4, 2, 3, 5, 1]
    assert best_outcome(outcomes).trial == 4
    assert best_outcome([outcome(1, "failed", "val_loss", 0.1)]) is None
    losses = [outcome(1, "finished", "test_loss", 0.5), outcome(2, "finished", "test_loss", 0.3)]
    assert [o.trial for o in rank(losses)] == [2, 1]
