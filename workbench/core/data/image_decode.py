"""Decode image files to pixels: Pillow when installed, else PNG and PGM/PPM with numpy, and
JPEG, GIF, BMP and WebP with TensorFlow's decoders.

Core must not use Qt, and Pillow is not a dependency. PNG and PGM/PPM (MNIST-style exports)
decode without loading TensorFlow; the other formats need it, and it is installed anyway for
training. Anything undecodable raises :class:`ImageDecodeError` with the reason, and is skipped.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class ImageDecodeError(Exception):
    """The image cannot be decoded; the message says why."""


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> np.ndarray:
    """uint8 H x W (gray) or H x W x 3/4; 8- and 16-bit, non-interlaced."""
    if not data.startswith(PNG_SIGNATURE):
        raise ImageDecodeError("not a PNG file")
    pos = 8
    header = None
    palette = None
    idat = []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise ImageDecodeError("truncated PNG chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise ImageDecodeError("PNG without header or image data")
    width, height, depth, color, _, _, interlace = header
    if interlace:
        raise ImageDecodeError("interlaced PNG is not supported")
    if color not in _CHANNELS or depth not in (8, 16):
        raise ImageDecodeError(f"PNG with colour type {color} and bit depth {depth} is not supported")
    channels = _CHANNELS[color]
    bpp = channels * depth // 8
    stride = width * bpp
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as exc:
        raise ImageDecodeError(f"damaged PNG data ({exc})") from None
    if len(raw) < height * (stride + 1):
        raise ImageDecodeError("truncated PNG data")
    rows = np.frombuffer(raw, dtype=np.uint8, count=height * (stride + 1)).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 2:
            cur = (line + previous).astype(np.uint8)
        elif kind in (1, 3, 4):
            cur = np.zeros(stride, dtype=np.uint8)
            lin, prev = line.tolist(), previous.tolist()
            res = [0] * stride
            for x in range(stride):
                a = res[x - bpp] if x >= bpp else 0
                b = prev[x]
                if kind == 1:
                    res[x] = (lin[x] + a) & 0xFF
                elif kind == 3:
                    res[x] = (lin[x] + ((a + b) >> 1)) & 0xFF
                else:
                    c = prev[x - bpp] if x >= bpp else 0
                    res[x] = (lin[x] + _paeth(a, b, c)) & 0xFF
            cur[:] = res
        else:
            raise ImageDecodeError(f"bad PNG filter type {kind}")
        out[y] = cur
        previous = cur
    if depth == 16:
        out = out.reshape(height, width * channels, 2)[:, :, 0]  # keep the high byte
    image = out.reshape(height, width, channels)
    if color == 3:
        if palette is None:
            raise ImageDecodeError("palette PNG without a palette")
        image = palette[np.minimum(image[:, :, 0], len(palette) - 1)]
    return image[:, :, 0] if image.shape[2] == 1 else image


def decode_pnm(data: bytes) -> np.ndarray:
    """Binary or ASCII PGM (P5/P2) and PPM (P6/P3)."""
    magic = data[:2]
    if magic not in (b"P2", b"P3", b"P5", b"P6"):
        raise ImageDecodeError("not a PGM/PPM file")
    tokens: list[bytes] = []
    pos = 2
    while len(tokens) < 3:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            while pos < len(data) and data[pos:pos + 1] not in (b"\n", b"\r"):
                pos += 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ImageDecodeError("truncated PGM/PPM header")
        tokens.append(data[start:pos])
    try:
        width, height, maxval = (int(t) for t in tokens)
    except ValueError:
        raise ImageDecodeError("bad PGM/PPM header") from None
    channels = 3 if magic in (b"P3", b"P6") else 1
    count = width * height * channels
    if magic in (b"P5", b"P6"):
        dtype = np.uint8 if maxval < 256 else np.dtype(">u2")
        body = data[pos + 1:]
        if len(body) < count * np.dtype(dtype).itemsize:
            raise ImageDecodeError("truncated PGM/PPM pixel data")
        values = np.frombuffer(body, dtype=dtype, count=count).astype(np.float32)
    else:
        values = np.array(data[pos:].split()[:count], dtype=np.float32)
        if len(values) < count:
            raise ImageDecodeError("truncated PGM/PPM pixel data")
    values = np.clip(np.round(values * (255.0 / max(1, maxval))), 0, 255).astype(np.uint8)
    return values.reshape(height, width, channels)[:, :, 0] if channels == 1 else values.reshape(height, width, 3)


def _decode_with_pil(path: Path) -> np.ndarray | None:
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(path) as image:
            image = image.convert("L" if image.mode in ("1", "L", "I", "I;16", "P") and image.mode != "P" else "RGB")
            return np.asarray(image, dtype=np.uint8)
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "skip this image"
        raise ImageDecodeError(str(exc)) from None


def decode_image(path: Path) -> np.ndarray:
    """uint8 H x W or H x W x C pixels of an image file."""
    pil = _decode_with_pil(path)
    if pil is not None:
        return pil
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageDecodeError(f"cannot be read ({exc.strerror})") from None
    try:
        if data.startswith(PNG_SIGNATURE):
            try:
                return decode_png(data)
            except ImageDecodeError as exc:
                if "not supported" not in str(exc):
                    raise
                return _decode_with_tensorflow(data)  # interlaced or 16-bit PNGs
        if data[:2] in (b"P2", b"P3", b"P5", b"P6"):
            return decode_pnm(data)
    except (ValueError, struct.error) as exc:
        # Damaged headers or pixel data the decoders only notice while unpacking.
        raise ImageDecodeError(f"damaged image data ({exc})") from None
    if data.startswith(_TENSORFLOW_SIGNATURES) or data[8:12] == b"WEBP":
        return _decode_with_tensorflow(data)
    raise ImageDecodeError("unsupported format (PNG, PGM/PPM, JPEG, GIF, BMP and WebP can be read; "
                           "install Pillow for others such as TIFF)")


# JPEG, GIF, BMP; WebP is RIFF....WEBP.
_TENSORFLOW_SIGNATURES = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _decode_with_tensorflow(data: bytes) -> np.ndarray:
    from workbench.core.kerasenv import import_keras

    import_keras()  # the workbench's backend settings come first; TensorFlow is that backend
    import tensorflow as tf

    try:
        # First frame of an animated GIF; channels as stored (1, 3 or 4).
        pixels = tf.io.decode_image(data, expand_animations=False).numpy()
    except (tf.errors.InvalidArgumentError, tf.errors.UnknownError, ValueError) as exc:
        reason = str(getattr(exc, "message", exc)).splitlines()[0][:120]
        raise ImageDecodeError(f"damaged or unsupported image data ({reason})") from None
    if pixels.dtype != np.uint8:
        pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if pixels.shape[-1] == 1:
        return pixels[..., 0]
    if pixels.shape[-1] == 4:
        return pixels[..., :3]  # the model sees colour; transparency is dropped as Pillow's RGB would
    return pixels
