"""Hyperparameter grids: parse ``name=v1,v2;name=v3``, apply each combination, train trials in turn.

Named dimensions change the design the way a learner means them (``hidden_units`` changes
every hidden layer, ``hidden_layers`` repeats or drops the last hidden block); any other name
is a dotted path into the document (``training.batch_size``, ``model.layers.0.config.units``).
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.core.errors import TrainingError, WorkbenchError

NAMED_DIMENSIONS = ("activation", "loss", "hidden_units", "hidden_layers", "optimizer", "learning_rate",
                    "batch_size", "epochs", "dropout")
# Layers whose width is "units"; the last of them is the output layer and is left alone.
_UNIT_LAYERS = ("Dense", "SimpleRNN", "LSTM", "GRU")
MAX_TRIALS = 1000
# Document groups whose keys are open-ended (data options, a layer's Keras config, optimizer settings).
_FREE_FORM_GROUPS = ("options", "config", "optimizer_config")


@dataclass
class SweepDimension:
    name: str
    values: list[Any]


@dataclass
class SweepTrial:
    index: int  # 1-based
    params: dict[str, Any]
    document: Any = None


@dataclass
class TrialOutcome:
    trial: int
    trials: int
    params: dict[str, Any]
    run_id: str | None
    status: str
    message: str = ""
    epochs_completed: int = 0
    final_metrics: dict[str, Any] = field(default_factory=dict)
    test_metrics: dict[str, Any] = field(default_factory=dict)
    score_metric: str | None = None
    score: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialOutcome:
        """An outcome from :meth:`to_dict` or a ``trial_ended`` event (other keys are ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def to_dict(self) -> dict[str, Any]:
        from workbench.core.training.runs import _json_safe

        return _json_safe({
            "trial": self.trial, "trials": self.trials, "params": self.params, "run_id": self.run_id,
            "status": self.status, "message": self.message, "epochs_completed": self.epochs_completed,
            "final_metrics": self.final_metrics, "test_metrics": self.test_metrics,
            "score_metric": self.score_metric, "score": self.score,
        })


# --------------------------------------------------------------------------- parsing


def _parse_value(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_grid(spec: str) -> list[SweepDimension]:
    """``"activation=relu,tanh;hidden_units=16,32"`` → dimensions; WorkbenchError naming the bad part."""
    if not spec or not spec.strip():
        raise TrainingError('a sweep needs a grid such as "activation=relu,tanh;hidden_units=16,32".')
    dims: list[SweepDimension] = []
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, values_text = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise TrainingError(f'grid part "{part}" must be written name=value1,value2.')
        if name not in NAMED_DIMENSIONS and "." not in name:
            raise TrainingError(
                f'unknown sweep dimension "{name}"; use one of {", ".join(NAMED_DIMENSIONS)} '
                "or a dotted path into the document such as training.batch_size."
            )
        if any(d.name == name for d in dims):
            raise TrainingError(f'sweep dimension "{name}" is given twice.')
        values = [_parse_value(v) for v in values_text.split(",") if v.strip()]
        if not values:
            raise TrainingError(f'sweep dimension "{name}" has no values.')
        dims.append(SweepDimension(name, values))
    if not dims:
        raise TrainingError('a sweep needs a grid such as "activation=relu,tanh;hidden_units=16,32".')
    return dims


def expand_grid(document, dims: list[SweepDimension]) -> list[SweepTrial]:
    """Every combination applied to a copy of ``document`` (validated before any training)."""
    total = math.prod(len(d.values) for d in dims)
    if total > MAX_TRIALS:
        raise TrainingError(f"the grid has {total} combinations; at most {MAX_TRIALS} are allowed.")
    from workbench.core.design.summary import summarize

    trials = []
    for index, combo in enumerate(itertools.product(*(d.values for d in dims)), start=1):
        params = {d.name: v for d, v in zip(dims, combo)}
        trial_document = apply_params(document, params)
        # A design the grid breaks (e.g. too many pooling layers for the input) is refused now,
        # not after the trials before it have trained.
        errors = summarize(trial_document).errors
        if errors:
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            raise TrainingError(f"sweep trial {index} ({label}) cannot be built: {errors[0].message}")
        trials.append(SweepTrial(index, params, trial_document))
    return trials


# --------------------------------------------------------------------------- applying


def _hidden_indices(layers, types=_UNIT_LAYERS) -> list[int]:
    """Indices of layers with units except the last such layer (the output)."""
    indices = [i for i, layer in enumerate(layers) if layer.type in types]
    return indices[:-1]


def apply_params(document, params: dict[str, Any]):
    """A validated copy of ``document`` with ``params`` applied."""
    from workbench.core.document import ExperimentDocument

    doc = document.copy()
    # Structure first, so that widths/activations/dropout then reach every hidden layer.
    order = sorted(params, key=lambda k: (k != "hidden_layers", k != "dropout"))
    dotted: dict[str, Any] = {}
    for name in order:
        value = params[name]
        if name in NAMED_DIMENSIONS:
            _apply_named(doc, name, value)
        else:
            dotted[name] = value
    raw = doc.to_dict()
    for path, value in dotted.items():
        _set_path(raw, path, value)
    label = ", ".join(f"{k}={v}" for k, v in params.items())
    result = ExperimentDocument.from_dict(raw, origin=f"sweep trial ({label})")
    result.template = document.template
    return result


def _apply_named(doc, name: str, value: Any) -> None:
    layers = doc.model.layers
    if name == "loss":
        doc.compile.loss = str(value)
    elif name == "optimizer":
        lr = doc.compile.optimizer_config.get("learning_rate")
        doc.compile.optimizer = str(value)
        # Other optimizer settings (momentum, rho, …) rarely fit another optimizer.
        doc.compile.optimizer_config = {"learning_rate": lr} if lr is not None else {}
    elif name == "learning_rate":
        doc.compile.optimizer_config["learning_rate"] = _number(name, value, float)
    elif name == "batch_size":
        doc.training.batch_size = _number(name, value, int)
    elif name == "epochs":
        doc.training.epochs = _number(name, value, int)
    elif name == "activation":
        hidden = _hidden_indices(layers, _UNIT_LAYERS + ("Conv1D", "Conv2D"))
        if not hidden:
            raise TrainingError("the sweep dimension activation needs hidden layers; this design has none.")
        for i in hidden:
            layers[i].config["activation"] = str(value)
    elif name == "hidden_units":
        hidden = _hidden_indices(layers)
        if not hidden:
            raise TrainingError("the sweep dimension hidden_units needs hidden Dense layers; this design has none.")
        for i in hidden:
            layers[i].config["units"] = _number(name, value, int)
    elif name == "hidden_layers":
        _set_hidden_layers(doc, _number(name, value, int))
    elif name == "dropout":
        rate = _number(name, value, float)
        if not 0 <= rate < 1:
            raise TrainingError(f"sweep dropout must be between 0 and 1 (not 1), got {value}.")
        dropouts = [layer for layer in layers if layer.type == "Dropout"]
        if dropouts:
            for layer in dropouts:
                layer.config["rate"] = rate
        elif rate > 0:
            from workbench.core.document import LayerEntry

            for i in reversed(_hidden_indices(layers, ("Dense",))):
                layers.insert(i + 1, LayerEntry("Dropout", {"rate": rate}))


def _set_hidden_layers(doc, count: int) -> None:
    """Repeat or drop hidden blocks (a hidden Dense plus the Dropout/normalization right after it)."""
    from workbench.core.document import LayerEntry

    if count < 0:
        raise TrainingError(f"sweep hidden_layers must be 0 or more, got {count}.")
    layers = doc.model.layers
    hidden = _hidden_indices(layers, ("Dense",))
    if not hidden:
        raise TrainingError("the sweep dimension hidden_layers needs at least one hidden Dense layer to copy.")
    blocks = []
    for i in hidden:
        end = i + 1
        while end < len(layers) and layers[end].type in ("Dropout", "BatchNormalization", "LayerNormalization",
                                                         "Activation"):
            end += 1
        blocks.append((i, end))
    first, last_end = blocks[0][0], blocks[-1][1]
    current = [layers[a:b] for a, b in blocks]
    if count <= len(current):
        new_blocks = current[:count]
    else:
        template = current[-1]
        new_blocks = current + [[LayerEntry(e.type, copy.deepcopy(e.config)) for e in template]
                                for _ in range(count - len(current))]
    doc.model.layers = layers[:first] + [e for block in new_blocks for e in block] + layers[last_end:]


def _number(name: str, value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
        raise TrainingError(f"sweep {name} values must be {'whole numbers' if kind is int else 'numbers'}, "
                            f"got {value!r}.")
    return kind(value)


def _set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    node: Any = raw
    parts = path.split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise TrainingError(f'sweep path "{path}": {where} is not an index of a list of {len(node)}.')
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            # A new key is fine only in groups of free-form settings; elsewhere it is a typo that
            # would run every trial with the same, unchanged value.
            free_form = i > 0 and parts[i - 1] in _FREE_FORM_GROUPS
            if key not in node and (not last or not free_form):
                known = ", ".join(sorted(node)) or "nothing"
                raise TrainingError(f'sweep path "{path}": the document has no "{where}" (there: {known}).')
        else:
            raise TrainingError(f'sweep path "{path}": {".".join(parts[:i])} is a single value, not a group.')
        if last:
            node[key] = value
        else:
            if node[key] is None:
                raise TrainingError(f'sweep path "{path}": "{where}" is not set in the document; set it first.')
            node = node[key]


# --------------------------------------------------------------------------- running


def score_of(document, result) -> tuple[str | None, float | None]:
    """The number trials are ranked by: the first compile metric on the test set, else validation loss.

    Loss values are not comparable when the loss itself is swept, so a metric wins when there is one.
    """
    metrics = [m for m in document.compile.metrics if isinstance(m, str)]
    for name in metrics:
        for source, key in ((result.test_metrics, name), (result.final_metrics, f"val_{name}"),
                            (result.final_metrics, name)):
            value = source.get(key) if source else None
            if isinstance(value, (int, float)) and math.isfinite(value):
                label = key if source is result.final_metrics else f"test_{key}"
                return label, float(value)
    for source, key, label in ((result.test_metrics, "loss", "test_loss"),
                               (result.final_metrics, "val_loss", "val_loss"),
                               (result.final_metrics, "loss", "loss")):
        value = source.get(key) if source else None
        if isinstance(value, (int, float)) and math.isfinite(value):
            return label, float(value)
    return None, None


def rank(outcomes: list[TrialOutcome]) -> list[TrialOutcome]:
    """Best first, by the score metric most trials share (a trial that fell back to another metric,
    e.g. val_accuracy because it has no test set, cannot be compared with the others and comes after
    them); then trials without a score; failed trials last, whatever their last epoch scored."""
    from workbench.core.training.runs import lower_is_better

    scored = [o for o in outcomes if o.status != "failed" and o.score is not None and o.score_metric]
    common = Counter(o.score_metric for o in scored).most_common(1)[0][0] if scored else None

    def key(o: TrialOutcome) -> tuple[int, float]:
        if o.status == "failed":
            return (3, 0.0)
        if o.score is None or o.score_metric is None:
            return (2, 0.0)
        signed = o.score if lower_is_better(o.score_metric.removeprefix("test_")) else -o.score
        return (0 if o.score_metric == common else 1, signed)

    return sorted(outcomes, key=key)


def best_outcome(outcomes: list[TrialOutcome]) -> TrialOutcome | None:
    """The trial ranked first, if it has a score and did not fail."""
    ranked = rank(outcomes)
    if ranked and ranked[0].status != "failed" and ranked[0].score is not None:
        return ranked[0]
    return None


# TensorFlow keeps every traced graph for the life of the process (tensorflow#61791), about 6 MB
# per trial; replacing the trial process every few trials bounds that, at one TensorFlow import
# (~3 s) per process.
TRIALS_PER_PROCESS = 10


def run_sweep(document, grid: str, runs_root, *, epochs: int | None = None,
              on_event: Callable[[dict[str, Any]], None] | None = None,
              should_stop: Callable[[], bool] | None = None, free_memory: bool = True,
              isolate: bool = True, trials_per_process: int = TRIALS_PER_PROCESS) -> list[TrialOutcome]:
    """Train every trial of the grid in turn; returns outcomes in trial order (stopped: the finished ones).

    Events: ``sweep_started`` (trials, dimensions), each trial's Trainer events with ``trial``
    added, ``trial_ended`` (an outcome dict) and ``sweep_finished`` (ranking, stopped); with
    ``isolate``, also ``trial_process_started`` (pid, first and last trial) for each process.
    ``isolate``: train in child processes replaced every ``trials_per_process`` trials, so the
    caller's memory stays flat however long the sweep; False trains in this process.
    ``free_memory``: collect garbage after each trial (see :class:`Trainer`; the window passes False).
    """
    stop = should_stop or (lambda: False)
    emit = on_event or (lambda event: None)
    base = document.copy()
    if epochs is not None:
        base.training.epochs = epochs
    dims = parse_grid(grid)
    trials = expand_grid(base, dims)
    emit({"event": "sweep_started", "trials": len(trials), "dimensions": {d.name: d.values for d in dims}})
    if isolate:
        from workbench.core.training.trial_process import run_trials_in_processes

        outcomes, interrupted = run_trials_in_processes(trials, runs_root, emit, stop, free_memory,
                                                        max(1, trials_per_process))
    else:
        outcomes, interrupted = run_trials(trials, len(trials), runs_root, emit, stop, free_memory)
    ranking = rank(outcomes)
    emit({"event": "sweep_finished", "stopped": stop() or len(outcomes) < len(trials),
          "ranking": [o.to_dict() for o in ranking]})
    if interrupted:
        raise KeyboardInterrupt
    return outcomes


def run_trials(trials: list[SweepTrial], total: int, runs_root, emit: Callable[[dict[str, Any]], None],
               stop: Callable[[], bool], free_memory: bool) -> tuple[list[TrialOutcome], bool]:
    """Train ``trials`` one after another in this process; (outcomes, interrupted by Ctrl+C)."""
    from workbench.core.training.trainer import Trainer

    outcomes: list[TrialOutcome] = []
    prepared_cache: dict[str, Any] = {}
    for trial in trials:
        if stop():
            break
        doc = trial.document
        label = ", ".join(f"{k}={v}" for k, v in trial.params.items())
        # Data only depends on the data spec and validation settings; reuse it across trials.
        data_key = json.dumps([doc.to_dict()["data"], doc.training.validation_split, doc.training.validation_count,
                               doc.training.seed], sort_keys=True, default=str)

        def forward(event: dict[str, Any], index=trial.index) -> None:
            emit({**event, "trial": index, "trials": total})

        trainer = Trainer(doc, runs_root, on_event=forward, should_stop=stop,
                          prepared=prepared_cache.get(data_key), name=f"{doc.name} [{label}]",
                          free_memory=free_memory)
        try:
            result = trainer.run()
        except KeyboardInterrupt:
            # Ctrl+C: the trial's run is kept as "stopped"; rank what finished, then stop.
            return outcomes, True
        except WorkbenchError as exc:
            outcome = TrialOutcome(trial.index, total, trial.params, None, "failed", str(exc))
        else:
            prepared_cache = {data_key: trainer.prepared}
            metric, score = score_of(doc, result)
            outcome = TrialOutcome(trial.index, total, trial.params, result.run_id, result.status,
                                   result.message, result.epochs_completed, result.final_metrics,
                                   result.test_metrics, metric, score)
        del trainer
        outcomes.append(outcome)
        emit({"event": "trial_ended", **outcome.to_dict()})
        if outcome.status == "stopped" and stop():
            break
    return outcomes, False
