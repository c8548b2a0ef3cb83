"""Numpy-only PNG/PGM decoding and image-folder sources."""

from __future__ import annotations

import numpy as np
import pytest
from data_file_writers import write_pgm, write_png

from workbench.core.data.image_decode import PNG_SIGNATURE, ImageDecodeError, decode_image
from workbench.core.data.prepare import prepare_data
from workbench.core.data.samples import sample_image
from workbench.core.document import DataSpec
from workbench.core.errors import DataError


@pytest.mark.parametrize("filter_type", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_png_filters_and_colour_types(tmp_path, filter_type, channels):
    rng = np.random.default_rng(filter_type * 10 + channels)
    shape = (5, 7) if channels == 1 else (5, 7, channels)
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    decoded = decode_image(write_png(tmp_path / "a.png", image, filter_type))
    assert decoded.dtype == np.uint8 and np.array_equal(decoded, image)


def test_pgm(tmp_path):
    image = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    assert np.array_equal(decode_image(write_pgm(tmp_path / "a.pgm", image)), image)


def test_unsupported_and_broken_files(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a JPEG stream")
    with pytest.raises(ImageDecodeError):
        decode_image(tmp_path / "a.jpg")
    (tmp_path / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ImageDecodeError):
        decode_image(tmp_path / "b.png")


def test_image_folder_skips_and_lists_undecodable(tmp_path):
    root = tmp_path / "shapes"
    for label, value in (("dark", 10), ("light", 240)):
        for i in range(5):
            write_png(root / label / f"{i}.png", np.full((6, 6), value, np.uint8), filter_type=i % 5)
    write_pgm(root / "light" / "odd.pgm", np.full((12, 12), 250, np.uint8))  # another size: resized
    (root / "dark" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    prepared = prepare_data(DataSpec(f"image-folder:{root}", {"test_split": 0.25}))
    assert prepared.class_names == ["dark", "light"] and prepared.input_shape == (6, 6, 1)
    assert len(prepared.train) + len(prepared.test) == 11
    notes = " ".join(prepared.notes)
    assert "1 image(s) could not be decoded" in notes and "broken.png" in notes
    assert "resized to 6 x 6" in notes
    x = prepared.train.x_for_fit()
    for i in range(len(prepared.train)):
        assert (x[i].mean() > 0.5) == (prepared.train.y[i] == 1)
    assert sample_image(f"image-folder:{root}", 0).shape == (6, 6)


def test_image_folder_with_nothing_decodable(tmp_path):
    for label in ("a", "b"):
        (tmp_path / "imgs" / label).mkdir(parents=True)
        (tmp_path / "imgs" / label / "x.jpg").write_bytes(b"\xff\xd8junk")
    with pytest.raises(DataError, match="none of the training images could be decoded"):
        prepare_data(f"image-folder:{tmp_path / 'imgs'}")


def _encode_jpeg(path, pixels):
    from workbench.core.kerasenv import import_keras

    import_keras()
    import tensorflow as tf

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_jpeg(pixels, quality=100).numpy())
    return path


def test_jpeg_decodes_through_tensorflow_in_grey_and_colour(tmp_path):
    grey = np.tile(np.arange(0, 256, 16, dtype=np.uint8), (16, 1))[..., None]
    decoded = decode_image(_encode_jpeg(tmp_path / "grey.jpg", grey))
    assert decoded.shape == (16, 16) and np.abs(decoded.astype(int) - grey[..., 0]).max() <= 8
    colour = np.zeros((8, 8, 3), np.uint8)
    colour[..., 0] = 200
    decoded = decode_image(_encode_jpeg(tmp_path / "red.jpeg", colour))
    assert decoded.shape == (8, 8, 3) and decoded[..., 0].min() > 180 and decoded[..., 2].max() < 30


def test_formats_nothing_here_can_read_say_what_can(tmp_path):
    (tmp_path / "a.tif").write_bytes(b"II*\x00" + bytes(20))
    with pytest.raises(ImageDecodeError, match="install Pillow"):
        decode_image(tmp_path / "a.tif")
    (tmp_path / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(40))
    with pytest.raises(ImageDecodeError, match="damaged or unsupported"):
        decode_image(tmp_path / "b.jpg")


def test_image_folder_of_jpegs(tmp_path):
    root = tmp_path / "photos"
    for label, value in (("night", 20), ("day", 230)):
        for i in range(4):
            _encode_jpeg(root / label / f"{i}.jpg", np.full((10, 12, 3), value, np.uint8))
    prepared = prepare_data(DataSpec(f"image-folder:{root}", {"test_split": 0.25}))
    assert prepared.input_shape == (10, 12, 3)
    assert len(prepared.train) + len(prepared.test) == 8
    assert not any("could not be decoded" in note for note in prepared.notes)


def test_pixel_data_damaged_past_the_header_is_skipped_not_a_crash(tmp_path):
    (tmp_path / "bad.pgm").write_bytes(b"P2\n2 2\n255\n1 2 x 4\n")
    with pytest.raises(ImageDecodeError, match="damaged"):
        decode_image(tmp_path / "bad.pgm")
    ihdr_too_short = PNG_SIGNATURE + b"\x00\x00\x00\x05IHDR" + bytes(5) + b"\x00\x00\x00\x00"
    (tmp_path / "bad.png").write_bytes(ihdr_too_short)
    with pytest.raises(ImageDecodeError):
        decode_image(tmp_path / "bad.png")
