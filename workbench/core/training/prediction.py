"""Predictions with a finished run: typed text, drawn digits, table rows, 2-D points.

Every function applies the run's own saved preprocessing (``preprocessing/``) and model, so what
the Playground and ``keras-workbench predict`` show is exactly what the trained model computes on
the training pipeline's vectors. Loaded models are cached per run folder and model file time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import RunError, WorkbenchError

USABLE_STATUSES = ("finished", "stopped", "interrupted")
MODEL_FILES = ("model.keras", "best.keras")
MNIST_SIZE = 28
MNIST_BOX = 20


class PredictionInputError(WorkbenchError):
    """The input cannot give a meaningful prediction; ``tokens`` still shows how it was read."""

    def __init__(self, message: str, tokens: list[dict] | None = None):
        super().__init__(message)
        self.tokens = tokens or []


# --------------------------------------------------------------------------- runs


def open_run(run: Any, runs: str | Path | None = None) -> Any:
    """A RunRecord from a run id, a run folder, or a RunRecord (returned unchanged)."""
    if not isinstance(run, (str, Path)):
        return run
    from workbench.core.training.runs import RunStore, runs_root

    store = RunStore(runs_root(runs))
    return store.open_run(str(run))


def run_label(record: Any) -> str:
    name = getattr(record, "name", None) or ""
    run_id = getattr(record, "run_id", None) or Path(getattr(record, "path", "run")).name
    return f'run "{name}" ({run_id})' if name and name != run_id else f"run {run_id}"


def check_usable(record: Any) -> None:
    """Refuse runs that are still training, failed without a model, or have no model file."""
    status = getattr(record, "status", None)
    label = run_label(record)
    if status == "running":
        raise RunError(f"{label} is still training; wait until it finishes (or stop it) to try it here.")
    if status == "unreadable":
        raise RunError(f"{label}: its run.json cannot be read, so the run cannot be used.")
    folder = Path(getattr(record, "path", ""))
    if not any((folder / name).is_file() for name in MODEL_FILES):
        raise RunError(f"{label} has no model file (model.keras in {folder}); it may have failed before "
                       "saving or the file was deleted. Train it again.")
    if status not in USABLE_STATUSES and status is not None:
        raise RunError(f"{label} {status}; only finished, stopped or interrupted runs with a saved model "
                       "can be used.")


@dataclass
class LoadedRun:
    """A run's model and preprocessing, ready to predict."""

    record: Any
    model: Any
    preprocessor: Any
    info: dict = field(default_factory=dict)

    @property
    def data_info(self) -> dict:
        return dict(self.info.get("data") or {})

    @property
    def kind(self) -> str:
        return str(getattr(self.preprocessor, "kind", None) or self.data_info.get("kind") or "")

    @property
    def label_format(self) -> str:
        return str(self.data_info.get("label_format") or "")

    @property
    def class_names(self) -> list[str]:
        names = getattr(self.preprocessor, "class_names", None) or self.data_info.get("class_names") or []
        return [str(n) for n in names]


_cache: dict[str, tuple[float, LoadedRun]] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 3


def _model_mtime(folder: Path) -> float:
    times = [(folder / n).stat().st_mtime for n in MODEL_FILES if (folder / n).is_file()]
    return max(times) if times else 0.0


def load_run(record: Any) -> LoadedRun:
    """Load (or reuse) the run's model and preprocessor; problems are clear RunErrors."""
    check_usable(record)
    folder = Path(record.path)
    key = str(folder.resolve())
    stamp = _model_mtime(folder)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    label = run_label(record)
    try:
        preprocessor = record.load_preprocessor()
    except WorkbenchError:
        raise
    except Exception as exc:  # noqa: BLE001 - any corruption is reported as unreadable artifacts
        raise RunError(f"{label}: its preprocessing files ({folder / 'preprocessing'}) cannot be read "
                       f"({type(exc).__name__}: {exc}); train the run again.") from None
    if preprocessor is None:
        raise RunError(f"{label} has no saved preprocessing ({folder / 'preprocessing'}); train it again.")
    try:
        # An interrupted run may have only its best epoch's checkpoint.
        model = record.load_model() if (folder / MODEL_FILES[0]).is_file() else record.load_model(best=True)
    except WorkbenchError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise RunError(f"{label}: its model file cannot be loaded ({type(exc).__name__}: {exc}).") from None
    loaded = LoadedRun(record=record, model=model, preprocessor=preprocessor,
                       info=dict(getattr(record, "info", None) or {}))
    with _cache_lock:
        _cache[key] = (stamp, loaded)
        while len(_cache) > _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
    return loaded


def _loaded(run: Any) -> LoadedRun:
    return run if isinstance(run, LoadedRun) else load_run(open_run(run))


# --------------------------------------------------------------------------- outputs


def output_probabilities(output: np.ndarray, class_names: list[str], label_format: str = "") -> dict[str, Any]:
    """``{"label", "probabilities": {class: p}}`` from one row of model output."""
    row = np.asarray(output, dtype=np.float64).reshape(-1)
    if label_format == "regression":
        return {"label": None, "value": float(row[0]), "probabilities": {}}
    if row.size == 1:
        p = float(np.clip(row[0], 0.0, 1.0))
        names = class_names if len(class_names) == 2 else ["0", "1"]
        probs = np.array([1.0 - p, p])
    else:
        probs = row
        if np.any(probs < 0) or abs(probs.sum() - 1.0) > 1e-3:  # logits: a softmax makes them readable
            probs = np.exp(probs - probs.max())
            probs = probs / probs.sum()
        names = class_names if len(class_names) == probs.size else [str(i) for i in range(probs.size)]
    best = int(np.argmax(probs))
    return {"label": names[best], "probabilities": {n: float(p) for n, p in zip(names, probs)}}


def _predict(model: Any, x: Any) -> np.ndarray:
    # model(x) avoids predict()'s per-call dataset set-up: one sample must feel instant while typing.
    return np.asarray(model(x, training=False))


def _require_kind(loaded: LoadedRun, kinds: tuple[str, ...], what: str) -> None:
    if loaded.kind not in kinds:
        raise WorkbenchError(f"{run_label(loaded.record)} was trained on {loaded.kind or 'unknown'} data; "
                             f"it cannot classify {what}.")


# --------------------------------------------------------------------------- text


def encode_text_input(preprocessor: Any, text: str) -> np.ndarray:
    """The vector the model receives for ``text``: the training pipeline's own encoder."""
    return np.asarray(preprocessor.encode_texts([text]))


def text_tokens(preprocessor: Any, text: str) -> list[dict]:
    return [dict(t) for t in preprocessor.tokens(text)]


def predict_text(run_record: Any, text: str) -> dict[str, Any]:
    """``{"label", "probabilities": {class: p}, "tokens": [{"word","index","in_vocabulary","truncated"}]}``."""
    loaded = _loaded(run_record)
    _require_kind(loaded, ("text",), "text")
    if not isinstance(text, str) or not text.strip():
        raise PredictionInputError("type some text to classify.")
    tokens = text_tokens(loaded.preprocessor, text)
    used = [t for t in tokens if not t.get("truncated")]
    if not any(t.get("in_vocabulary") for t in used):
        words = ", ".join(f'"{t["word"]}"' for t in used[:5])
        raise PredictionInputError(
            f"none of the words ({words}{', …' if len(used) > 5 else ''}) are in the model's vocabulary, "
            "so it would see an empty input; try other words.", tokens)
    x = encode_text_input(loaded.preprocessor, text)
    result = output_probabilities(_predict(loaded.model, x)[0], loaded.class_names, loaded.label_format)
    result["tokens"] = tokens
    return result


# --------------------------------------------------------------------------- images


def center_digit(image: np.ndarray, *, size: int = MNIST_SIZE, box: int = MNIST_BOX) -> np.ndarray:
    """A drawing (ink high, background 0, any size) as an MNIST-style ``size``×``size`` float image.

    As MNIST was made: the ink's bounding box is scaled (aspect kept, area-averaged) to fit a
    ``box``×``box`` square, then placed so that its centre of mass is the frame's centre.
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 3:
        img = img.mean(axis=2)
    if img.ndim != 2 or img.size == 0:
        raise WorkbenchError("the drawing must be a 2-D grey image.")
    peak = img.max()
    if not peak > 0:
        raise PredictionInputError("draw a digit first: the canvas is empty.")
    img = img / peak
    rows = np.flatnonzero(img.max(axis=1) > 0.05)
    cols = np.flatnonzero(img.max(axis=0) > 0.05)
    crop = img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    side = max(crop.shape)
    square = np.zeros((side, side))
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    small = _resize_area(square, box)
    if small.max() > 0:
        small = small / small.max()
    total = small.sum()
    yy, xx = np.indices(small.shape)
    com_y, com_x = (yy * small).sum() / total, (xx * small).sum() / total
    out = np.zeros((size, size))
    # Shift so the centre of mass lands on the centre of the frame (pixel centres: (size-1)/2).
    dy = round((size - 1) / 2 - com_y)
    dx = round((size - 1) / 2 - com_x)
    for y in range(box):
        ty = y + dy
        if 0 <= ty < size:
            x0, x1 = max(0, dx), min(size, box + dx)
            out[ty, x0:x1] = small[y, x0 - dx:x1 - dx]
    return out.astype(np.float32)


def _resize_area(square: np.ndarray, target: int) -> np.ndarray:
    """Area-average a square image to ``target``×``target`` (nearest when enlarging)."""
    side = square.shape[0]
    if side <= target:
        idx = np.minimum((np.arange(target) * side) // target, side - 1)
        return square[np.ix_(idx, idx)]
    edges = (np.arange(target + 1) * side) // target
    summed = np.add.reduceat(np.add.reduceat(square, edges[:-1], axis=0), edges[:-1], axis=1)
    counts = np.diff(edges)
    return summed / np.outer(counts, counts)


def predict_image(run_record: Any, image: np.ndarray) -> dict[str, Any]:
    """Classify one image given as the dataset's raw form (e.g. 28×28, 0–255)."""
    loaded = _loaded(run_record)
    _require_kind(loaded, ("image",), "images")
    x = np.asarray(loaded.preprocessor.encode_images(np.asarray(image)[None, ...]))
    return output_probabilities(_predict(loaded.model, x)[0], loaded.class_names, loaded.label_format)


def predict_drawing(run_record: Any, drawing: np.ndarray) -> dict[str, Any]:
    """Centre a drawing like MNIST, then classify; ``input`` is the 28×28 image the model saw (0–1)."""
    digit = center_digit(drawing)
    raw = np.round(digit * 255).astype(np.uint8)
    result = predict_image(run_record, raw)
    result["input"] = digit.tolist()
    return result


# --------------------------------------------------------------------------- tables and points


def predict_row(run_record: Any, row: dict[str, Any]) -> dict[str, Any]:
    """Predict one table row given as ``{column: value}`` in the original (raw) columns."""
    loaded = _loaded(run_record)
    _require_kind(loaded, ("table",), "table rows")
    try:
        x = np.asarray(loaded.preprocessor.encode_rows([row]))
    except WorkbenchError:
        raise
    except (KeyError, ValueError, TypeError) as exc:
        raise WorkbenchError(f"this row cannot be encoded: {exc}.") from None
    return output_probabilities(_predict(loaded.model, x)[0], loaded.class_names, loaded.label_format)


def encode_points(preprocessor: Any, points: np.ndarray) -> np.ndarray:
    encode = getattr(preprocessor, "encode_points", None)
    points = np.asarray(points, dtype=np.float32)
    return np.asarray(encode(points), dtype=np.float32) if encode is not None else points


def training_points(run_record: Any, limit: int = 2000) -> dict[str, Any] | None:
    """The 2-D points a synthetic run was trained on (regenerated from its source), or None."""
    loaded = _loaded(run_record)
    source = ((loaded.info.get("document") or {}).get("data") or {}).get("source") or ""
    if not source.startswith("synthetic:"):
        return None
    try:
        from workbench.core.data.prepare import synthetic_points

        options = ((loaded.info.get("document") or {}).get("data") or {}).get("options") or {}
        x, y, names = synthetic_points({"source": source, "options": options})
    except WorkbenchError:
        return None
    return {"x": np.asarray(x)[:limit], "y": np.asarray(y)[:limit], "class_names": list(names)}


def predict_point(run_record: Any, x: float, y: float) -> dict[str, Any]:
    """Classify one 2-D point of a ``synthetic:`` run (what the Playground's points view shows)."""
    loaded = _loaded(run_record)
    _require_kind(loaded, ("points",), "2-D points")
    encoded = encode_points(loaded.preprocessor, np.array([[x, y]], dtype=np.float32))
    return output_probabilities(_predict(loaded.model, encoded)[0], loaded.class_names, loaded.label_format)


def predict_image_file(run_record: Any, path: str | Path) -> dict[str, Any]:
    """Classify an image file as the Playground does with a dropped file: grey runs 28×28 (digits)
    get it as a drawing (light ink on dark, centred like MNIST); other image runs get it resized."""
    from workbench.core.data.image_decode import ImageDecodeError, decode_image

    loaded = _loaded(run_record)
    _require_kind(loaded, ("image",), "images")
    try:
        pixels = decode_image(Path(path))
    except ImageDecodeError as exc:
        raise WorkbenchError(f"{path}: cannot be read as an image ({exc}).") from None
    shape = tuple(loaded.preprocessor.config.get("image_shape") or loaded.preprocessor.input_shape)
    height, width = shape[0], shape[1]
    channels = shape[2] if len(shape) > 2 else 1
    if channels == 1:
        grey = pixels.astype(np.float32) if pixels.ndim == 2 else pixels[..., :3].astype(np.float32).mean(axis=2)
        if (height, width) == (MNIST_SIZE, MNIST_SIZE):
            ink = grey / 255.0
            if ink.mean() > 0.5:  # dark ink on light paper, unlike MNIST: invert
                ink = 1.0 - ink
            return predict_drawing(loaded, ink)
        pixels = grey.astype(np.uint8)
    elif pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    rows = (np.arange(height) * pixels.shape[0] // height).clip(0, pixels.shape[0] - 1)
    cols = (np.arange(width) * pixels.shape[1] // width).clip(0, pixels.shape[1] - 1)
    resized = pixels[rows][:, cols]
    if channels > 1:
        resized = resized[..., :channels]  # RGBA → RGB
    return predict_image(loaded, resized)


def decision_grid(run_record: Any, x_range: tuple[float, float], y_range: tuple[float, float],
                  resolution: int = 80) -> dict[str, Any]:
    """Class probabilities over a grid of 2-D points (for a heatmap under the data)."""
    loaded = _loaded(run_record)
    _require_kind(loaded, ("points",), "2-D points")
    xs = np.linspace(x_range[0], x_range[1], resolution)
    ys = np.linspace(y_range[0], y_range[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    out = np.asarray(loaded.model.predict(encode_points(loaded.preprocessor, points), verbose=0,
                                          batch_size=4096))
    if out.shape[-1] == 1:
        score = out[:, 0]
        label = (score > 0.5).astype(int)
    else:
        score = out.max(axis=1)
        label = out.argmax(axis=1)
    return {"xs": xs, "ys": ys, "score": score.reshape(resolution, resolution),
            "label": label.reshape(resolution, resolution), "classes": loaded.class_names,
            "binary": out.shape[-1] == 1}


def predict_command_result(run: Any, text: str | None = None, runs: str | Path | None = None, *,
                           image: str | None = None, row: dict[str, Any] | None = None,
                           point: tuple[float, float] | None = None) -> dict[str, Any]:
    """What ``keras-workbench predict RUN --text/--image/--row/--point … --json`` prints."""
    record = open_run(run, runs)
    if image is not None:
        result = predict_image_file(record, image)
        result.pop("input", None)
        return result
    if row is not None:
        return predict_row(record, row)
    if point is not None:
        return predict_point(record, *point)
    result = predict_text(record, text or "")
    result["tokens"] = [{"word": t["word"], "index": t.get("index"), "in_vocabulary": bool(t.get("in_vocabulary"))}
                        for t in result["tokens"]]
    return result
