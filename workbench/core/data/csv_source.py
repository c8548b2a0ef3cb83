"""``csv:PATH``: a table with a header row; one column is the target (``target=`` option,
else the last column). Column types are detected, missing values imputed, numeric columns
z-scored and categorical ones one-hot encoded, all with statistics of the training portion."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data.feeding import Inputs
from workbench.core.data.files import read_source_file
from workbench.core.data.preprocess import Preprocessor, is_missing
from workbench.core.errors import DataError

MAX_CLASSES_FROM_NUMBERS = 20


def read_csv(path: Path) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, rows, notes); empty, header-only and ragged files are DataErrors naming the line."""
    notes: list[str] = []
    data = read_source_file(path, "csv:PATH names a .csv file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        notes.append(f"{path.name} is not UTF-8; read as Latin-1.")
    if not text.strip():
        raise DataError(f"{path}: is empty; a CSV needs a header row and at least one data row.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise DataError(f"{path}: line {reader.line_num}: {exc}.") from None
    if not lines:
        raise DataError(f"{path}: is empty (only blank rows); a CSV needs a header row and data rows.")
    header = [h.strip() for h in lines[0][1]]
    if len(lines) < 2:
        raise DataError(f"{path}: has a header but no data rows.")
    if len(set(header)) != len(header) or any(not h for h in header):
        raise DataError(f"{path}: the header row has empty or repeated column names ({', '.join(header)}).")
    rows = []
    for line_no, row in lines[1:]:
        if len(row) != len(header):
            raise DataError(f"{path}: line {line_no} has {len(row)} fields but the header has {len(header)}; "
                            "the file is ragged (check quoting and delimiters).")
        rows.append([cell.strip() for cell in row])
    return header, rows, notes


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def prepare_csv(ctx: Any, training_spec: Any):
    from workbench.core.data.prepare import (
        PreparedData,
        _limit,
        _splits,
        carve_test,
        label_setup,
        validation_positions,
    )

    path = Path(ctx.source.location).expanduser()
    header, rows, notes = read_csv(path)
    opts = ctx.options
    target = opts.str("target", header[-1])
    if target not in header:
        raise DataError(f"{path}: has no column named {target!r}; columns: {', '.join(header)}.")
    if not opts.has("target"):
        notes.append(f'target column: "{target}" (the last column; choose another with target=NAME).')
    t = header.index(target)
    before = len(rows)
    rows = [r for r in rows if not is_missing(r[t])]
    if len(rows) < before:
        notes.append(f"{before - len(rows)} rows without a {target} value were dropped.")
    if not rows:
        raise DataError(f"{path}: the target column {target!r} is empty in every row.")
    targets = [r[t] for r in rows]
    distinct = sorted(set(targets))
    if len(distinct) < 2:
        raise DataError(f"{path}: the target column {target!r} is constant ({distinct[0]!r}); there is nothing "
                        "to predict. Choose another target column.")
    numbers = [_number(v) for v in targets]
    numeric_target = all(v is not None for v in numbers)
    task = opts.str("task", None, ("classification", "regression"))
    if task is None:
        integral = numeric_target and all(float(v).is_integer() for v in numbers)
        task = "classification" if (not numeric_target or (integral and len(distinct) <= MAX_CLASSES_FROM_NUMBERS)) \
            else "regression"
    if task == "regression":
        if not numeric_target:
            bad = next(v for v, n in zip(targets, numbers) if n is None)
            raise DataError(f"{path}: task=regression needs a numeric target, but {target!r} holds {bad!r}.")
        y_all = np.array(numbers, dtype=np.float32)
        class_names: list[str] = []
    else:
        if numeric_target:
            distinct = sorted(distinct, key=lambda v: float(v))
            distinct = [v for i, v in enumerate(distinct) if i == 0 or float(v) != float(distinct[i - 1])]
            keyed = {float(v): i for i, v in enumerate(distinct)}
            y_all = np.array([keyed[float(v)] for v in targets], dtype=np.int32)
            class_names = [v.removesuffix(".0") for v in distinct]
        else:
            keyed = {v: i for i, v in enumerate(distinct)}
            y_all = np.array([keyed[v] for v in targets], dtype=np.int32)
            class_names = distinct

    # Test and validation are set aside before any statistic is computed.
    train_rows_pos, test_rows_pos = carve_test(ctx, len(rows), 0.2)
    keep = _limit(ctx, len(train_rows_pos))
    train_rows_pos = train_rows_pos[keep]
    train_pos, val_pos = validation_positions(len(train_rows_pos), training_spec, ctx.name)
    fit_rows = [rows[i] for i in train_rows_pos[train_pos]]
    label_format, num_classes = label_setup(ctx, class_names, y_all[train_rows_pos[train_pos]],
                                            regression=task == "regression")

    drop = set(opts.list("drop"))
    unknown = drop - set(header)
    if unknown:
        raise DataError(f"{path}: drop= names unknown column(s) {', '.join(sorted(unknown))}; "
                        f"columns: {', '.join(header)}.")
    max_categories = opts.int("max_categories", 20, minimum=2)
    features: list[dict[str, Any]] = []
    width = 0
    for c, name in enumerate(header):
        if c == t or name in drop:
            continue
        values = [r[c] for r in fit_rows]
        present = [v for v in values if not is_missing(v)]
        missing = len(values) - len(present)
        if not present:
            notes.append(f'column "{name}" is empty in the training rows; dropped.')
            continue
        nums = [_number(v) for v in present]
        # The type is decided over every row (not a statistic), so a word in a test row of a
        # numeric column cannot break encoding later.
        numeric = all(_number(r[c]) is not None for r in rows if not is_missing(r[c]))
        if numeric:
            if name.lower().endswith("id") and len(set(nums)) == len(nums) and all(n.is_integer() for n in nums):
                notes.append(f'column "{name}" looks like a row id (all values distinct); dropped.')
                continue
            arr = np.array(nums, dtype=np.float64)
            fill = float(np.median(arr))
            filled = np.concatenate([arr, np.full(missing, fill)])
            mean, std = float(filled.mean()), float(filled.std())
            if std == 0:
                notes.append(f'column "{name}" is constant in the training rows; dropped.')
                continue
            if missing:
                notes.append(f'{missing} missing values in "{name}" imputed with the training median ({fill:g}).')
            features.append({"name": name, "type": "numeric", "fill": fill, "mean": mean, "std": std})
            width += 1
        else:
            counts = Counter(present)
            if len(counts) > max_categories:
                notes.append(f'column "{name}" has {len(counts)} distinct text values (free text or an id?); '
                             f"dropped (raise max_categories to keep it).")
                continue
            fill = counts.most_common(1)[0][0]
            if missing:
                notes.append(f'{missing} missing values in "{name}" imputed with the most frequent value ({fill!r}).')
            features.append({"name": name, "type": "categorical", "fill": fill, "categories": sorted(counts)})
            width += len(counts)
    if not features:
        raise DataError(f"{path}: no usable feature columns besides the target {target!r}.")
    config = {"features": features, "target": target, "task": task, "input_shape": [width],
              "columns": header}
    pre = Preprocessor("table", config, {}, class_names)

    def make_inputs(positions: np.ndarray) -> tuple[Inputs, np.ndarray]:
        dicts = [dict(zip(header, rows[i])) for i in positions]
        encoded = pre.encode_rows(dicts)

        def fetch(ids, encoded=encoded):
            return encoded[ids]

        def raw_fn(i, dicts=dicts):
            return dicts[i]
        return Inputs(np.arange(len(positions)), fetch, raw_fn), y_all[positions]

    train_inputs, y_train = make_inputs(train_rows_pos)
    test_inputs, y_test = make_inputs(test_rows_pos) if len(test_rows_pos) else (None, None)
    train, val, test = _splits(ctx, train_inputs, y_train, test_inputs, y_test, label_format, num_classes,
                               train_pos, val_pos)
    return PreparedData(train, val, test, pre.input_shape, num_classes, label_format, class_names, "table", "",
                        pre, notes)
