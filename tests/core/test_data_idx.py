"""idx:PATH folders of MNIST-style IDX files."""

from __future__ import annotations

import numpy as np
import pytest
from data_file_writers import write_idx

from workbench.core.data.idx import read_idx
from workbench.core.data.prepare import prepare_data
from workbench.core.errors import DataError


def test_reads_gzip_and_plain_idx(tmp_path):
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    assert read_idx(write_idx(tmp_path / "a-idx3-ubyte.gz", images)).tolist() == images.tolist()
    assert read_idx(write_idx(tmp_path / "b-idx1-ubyte", [3, 1], gz=False)).tolist() == [3, 1]


def test_wrong_magic_number_is_named(tmp_path):
    path = write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((2, 2, 2)), magic=b"\x12\x34\x08\x03")
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: wrong magic number \(12340803\)"):
        read_idx(path)


def test_truncated_file_is_named(tmp_path):
    path = write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((4, 5, 5)), gz=False)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte: truncated"):
        read_idx(path)


def test_damaged_gzip(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz: cannot be decompressed"):
        read_idx(path)


def test_train_and_test_pairs_found_by_name(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.full((10, 4, 4), 255))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(10) % 3)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 4, 4)))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", [0, 1, 2])
    prepared = prepare_data(f"idx:{tmp_path}")
    assert len(prepared.train) == 10 and len(prepared.test) == 3
    assert prepared.input_shape == (4, 4, 1) and prepared.class_names == ["0", "1", "2"]
    assert float(prepared.train.take([0]).max()) == 1.0


def test_count_mismatch(tmp_path):
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 4, 4)))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", [0, 1])
    with pytest.raises(DataError, match="3 images but .* has 2 labels"):
        prepare_data(f"idx:{tmp_path}")


def test_folder_without_pairs(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(DataError, match="no complete pair of IDX files"):
        prepare_data(f"idx:{tmp_path}")


@pytest.mark.realdata
def test_real_mnist_test_set_is_split(shared_datasets):
    prepared = prepare_data(f"idx:{shared_datasets / 'mnist'}")
    assert len(prepared.train) + len(prepared.test) == 10_000
    assert len(prepared.test) == 2_000
    assert any("only the test pair" in n for n in prepared.notes)
    assert any("train-labels-idx1-ubyte.gz has no matching train images" in n for n in prepared.notes)
    counts = np.bincount(np.concatenate([prepared.train.y, prepared.test.y]))
    assert counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert prepared.train.raw(0).shape == (28, 28) and prepared.train.raw(0).dtype == np.uint8


@pytest.mark.realdata
def test_real_fashion_labels_only_folder_explains(shared_datasets):
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz has no matching test images"):
        prepare_data(f"idx:{shared_datasets / 'fashion_mnist'}")


def test_labels_that_are_not_class_numbers_are_refused(tmp_path):
    import struct

    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((3, 4, 4)), gz=False)
    labels = np.array([0.0, 1.5, 2.0], dtype=">f4")
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 3)
                                                      + labels.tobytes())
    with pytest.raises(DataError, match="labels file holds float32 values; idx labels must be class numbers"):
        prepare_data(f"idx:{tmp_path}")
