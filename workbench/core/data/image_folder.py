"""``image-folder:PATH``: one subfolder of images per class (optionally under train/ and test/).

Images are brought to one size (``size=HxW``, else the most common size; nearest-neighbour)
and one colour mode (grayscale unless any image has colour). Undecodable files are skipped and
listed in the notes.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data.folders import scan_class_folders
from workbench.core.data.image_decode import ImageDecodeError, decode_image
from workbench.core.data.raw import RawArrays
from workbench.core.errors import DataError

IMAGE_SUFFIXES = (".png", ".pgm", ".ppm", ".pnm", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    rows = (np.arange(height) * image.shape[0] // height)
    cols = (np.arange(width) * image.shape[1] // width)
    return image[rows][:, cols]


def _to_mode(image: np.ndarray, rgb: bool) -> np.ndarray:
    if image.ndim == 3 and image.shape[2] in (2, 4):
        image = image[:, :, :-1]  # drop alpha
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if rgb:
        return np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image
    if image.ndim == 3:
        return (image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).round().astype(np.uint8)
    return image


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        h, w = (int(v) for v in text.lower().split("x"))
        if h < 1 or w < 1:
            raise ValueError
    except ValueError:
        raise DataError(f"option size={text!r} must be HEIGHTxWIDTH, e.g. 28x28.") from None
    return h, w


def load_image_folder(ctx: Any) -> RawArrays:
    root = Path(ctx.source.location).expanduser()
    names, parts, notes = scan_class_folders(root, IMAGE_SUFFIXES, ctx.options.list("classes") or None)
    # Options first: a typo is reported before minutes of decoding, not after.
    size_option = _parse_size(ctx.options.str("size"))
    mode = ctx.options.str("color_mode", None, ("grayscale", "rgb"))
    decoded: dict[str, list[tuple[np.ndarray, int, str]]] = {}
    skipped: list[str] = []
    total = sum(len(v) for v in parts.values())
    done = 0
    for part, items in parts.items():
        decoded[part] = []
        for path, label in items:
            if done % 200 == 0:
                ctx.check_stop()
                ctx.progress(0.8 * done / max(1, total), f"Decoding image {done:,} of {total:,}…")
            done += 1
            try:
                decoded[part].append((decode_image(Path(path)), label, path))
            except ImageDecodeError as exc:
                skipped.append(f"{os.path.relpath(path, root)} ({exc})")
    if skipped:
        shown = "; ".join(skipped[:5]) + (f"; and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        notes.append(f"{len(skipped)} image(s) could not be decoded and were skipped: {shown}.")
    if not decoded["train"]:
        raise DataError(f"{root}: none of the training images could be decoded. {notes[-1] if notes else ''}")
    size = size_option
    if size is None:
        size = Counter(img.shape[:2] for img, _, _ in decoded["train"]).most_common(1)[0][0]
    rgb = mode == "rgb" if mode else any(img.ndim == 3 and img.shape[2] >= 3 for items in decoded.values()
                                         for img, _, _ in items)
    resized = sum(1 for items in decoded.values() for img, _, _ in items if img.shape[:2] != tuple(size))
    if resized:
        notes.append(f"{resized} image(s) resized to {size[0]} x {size[1]} (nearest neighbour).")

    def stack(items: list[tuple[np.ndarray, int, str]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        images = [_to_mode(img if img.shape[:2] == tuple(size) else _resize(img, *size), rgb) for img, _, _ in items]
        return (np.stack(images).astype(np.uint8), np.array([lab for _, lab, _ in items], dtype=np.int32),
                [p for _, _, p in items])

    x, y, files = stack(decoded["train"])
    x_test = y_test = files_test = None
    if decoded.get("test"):
        x_test, y_test, files_test = stack(decoded["test"])
    return RawArrays(x, y, x_test, y_test, names, notes=notes, files_train=files, files_test=files_test)
