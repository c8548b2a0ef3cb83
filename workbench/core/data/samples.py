"""One decoded sample of a source, as plain JSON-able values (``keras-workbench data show``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.core.errors import DataError


def _split(prepared, split: str):
    if split == "train":
        return prepared.train
    if split == "test":
        if prepared.test is None:
            raise DataError(f"{prepared.source} has no test split.")
        return prepared.test
    if split in ("val", "validation"):
        if prepared.val is None:
            raise DataError(f"{prepared.source} has no validation split.")
        return prepared.val
    raise DataError(f'unknown split "{split}"; use train or test.')


def describe_sample(prepared, index: int, split: str = "train") -> dict[str, Any]:
    """The sample ``index`` of an already prepared dataset, decoded for people."""
    part = _split(prepared, split)
    if not 0 <= index < len(part):
        raise DataError(f"index {index} is out of range: the {split} split of {prepared.source} has "
                        f"{len(part)} samples (0 to {len(part) - 1}).")
    y = part.y[index]
    result: dict[str, Any] = {"source": prepared.source, "split": split, "index": index, "count": len(part),
                              "kind": prepared.kind}
    if prepared.label_format == "regression":
        result["label"] = float(y)
        result["label_name"] = f"{float(y):g}"
    else:
        result["label"] = int(y)
        result["label_name"] = prepared.class_names[int(y)]
    pre = prepared.preprocessor
    raw = part.raw(index)
    if prepared.kind == "text":
        indices = part.indices(index)
        if pre.config["encoding"] == "sequence":
            indices = part.take([index])[0]
        result["text"] = raw
        result["indices"] = [int(i) for i in indices]
        result["decoded"] = " ".join(pre.decode(indices))
        result["length"] = len(part.indices(index))
    elif prepared.kind == "image":
        result["image_shape"] = list(np.asarray(raw).shape)
        result["pixel_range"] = [int(np.min(raw)), int(np.max(raw))]
    elif prepared.kind == "table":
        result["row"] = {k: (v if isinstance(v, (str, int, float)) or v is None else str(v)) for k, v in raw.items()}
    elif prepared.kind == "corpus":
        result["window"] = raw
    else:
        result["point"] = [float(v) for v in np.asarray(raw).ravel()]
    return result


def show_sample(source: str, index: int = 0, split: str = "train") -> dict[str, Any]:
    """Prepare ``source`` (no validation split) and describe one sample."""
    from workbench.core.data.prepare import prepare_data

    return describe_sample(prepare_data(source), index, split)


def sample_image(source: str, index: int = 0, split: str = "train") -> np.ndarray:
    """The uint8 pixels of one image sample (H x W or H x W x C)."""
    from workbench.core.data.prepare import prepare_data

    prepared = prepare_data(source)
    if prepared.kind != "image":
        raise DataError(f"{source} holds {prepared.kind} samples, not images.")
    part = _split(prepared, split)
    if not 0 <= index < len(part):
        raise DataError(f"index {index} is out of range (0 to {len(part) - 1}).")
    return np.asarray(part.raw(index))
