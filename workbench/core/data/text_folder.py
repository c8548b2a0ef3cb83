"""``text-folder:PATH``: one subfolder of text files per class, optionally under train/ and test/
(the ``aclImdb`` layout). Files that are not UTF-8 are decoded with replacement and counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data import text as textlib
from workbench.core.data.folders import scan_class_folders
from workbench.core.data.ragged import Ragged
from workbench.core.data.raw import RawText
from workbench.core.errors import DataError


def _tokenize(ctx: Any, items: list[tuple[str, int]], dictionary: dict[str, int], standardize: bool,
              done: int, total: int) -> tuple[Ragged, np.ndarray, int]:
    flat: list[int] = []
    offsets = [0]
    bad = 0
    for n, (path, _label) in enumerate(items):
        if n % 500 == 0:
            ctx.check_stop()
            ctx.progress(0.5 * (done + n) / max(1, total), f"Reading {done + n:,} of {total:,} files…")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise DataError(f"{path}: cannot be read ({exc.strerror}).") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            bad += 1
        for word in textlib.split_words(text, standardize):
            wid = dictionary.get(word)
            if wid is None:
                wid = dictionary[word] = len(dictionary)
            flat.append(wid)
        offsets.append(len(flat))
    ragged = Ragged(np.asarray(flat, dtype=np.int32), np.asarray(offsets, dtype=np.int64))
    return ragged, np.asarray([label for _, label in items], dtype=np.int32), bad


def load_text_folder(ctx: Any) -> RawText:
    """Texts of the folder as dictionary ids (cached on disk by folder contents and options)."""
    from workbench.core.data.cache import cached_raw_text

    root = Path(ctx.source.location).expanduser().resolve()
    standardize = ctx.options.bool("standardize", True)
    classes = ctx.options.list("classes") or None
    signature: list[str] = []
    names, parts, notes = scan_class_folders(root, None, classes, signature)

    def build() -> RawText:
        dictionary: dict[str, int] = {"": 0}  # id 0 unused, so "no word" never collides
        total = sum(len(items) for items in parts.values())
        train, y_train, bad = _tokenize(ctx, parts["train"], dictionary, standardize, 0, total)
        test = y_test = None
        if parts.get("test"):
            test, y_test, bad_test = _tokenize(ctx, parts["test"], dictionary, standardize,
                                               len(parts["train"]), total)
            bad += bad_test
        build_notes = list(notes)
        if bad:
            build_notes.append(f"{bad} file(s) were not valid UTF-8 and were decoded with replacement characters.")
        return RawText(train=train, y_train=y_train, test=test, y_test=y_test, class_names=names,
                       dictionary=list(dictionary), id_mode="dictionary",
                       files_train=[p for p, _ in parts["train"]],
                       files_test=[p for p, _ in parts.get("test", [])] or None, notes=build_notes)

    return cached_raw_text(ctx, {"text-folder": str(root), "standardize": standardize, "classes": names},
                           [], build, signature)
