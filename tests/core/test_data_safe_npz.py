"""Keras' object-array .npz files are read without ever running code from them."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from data_file_writers import object_array, write_imdb, write_malicious_npz

from workbench.core.data.keras_files import read_cifar_batch
from workbench.core.data.safe_npz import read_npz
from workbench.core.errors import DataError


def test_reads_object_arrays_of_integer_lists(tmp_path):
    path = write_imdb(tmp_path, [[1, 14, 22], [5]], [1, 0], [[7, 8]], [0])
    data = read_npz(path, required=("x_train", "y_train", "x_test", "y_test"))
    assert data["x_train"][0].tolist() == [1, 14, 22]
    assert data["x_train"][1].tolist() == [5]
    assert data["y_train"].tolist() == [1, 0]


def test_malicious_npz_runs_nothing_and_says_so(tmp_path):
    marker = tmp_path / "pwned"
    path = write_malicious_npz(tmp_path / "imdb.npz", marker)
    # Prove the file really is an exploit: the unsafe loader would have run it.
    with np.load(path, allow_pickle=True) as unsafe:
        unsafe["x_train"]
    assert marker.exists()
    marker.unlink()

    with pytest.raises(DataError) as info:
        read_npz(path, required=("x_train", "y_train", "x_test", "y_test"))
    assert not marker.exists()
    message = str(info.value)
    assert str(path) in message and "system" in message
    assert "refused" in message


def test_object_array_of_strings_is_refused(tmp_path):
    array = np.empty(1, dtype=object)
    array[0] = "hello"
    np.savez(tmp_path / "reuters.npz", x=array, y=np.array([0]))
    with pytest.raises(DataError, match="not a list of integers"):
        read_npz(tmp_path / "reuters.npz", required=("x", "y"))


def test_missing_keys_are_named(tmp_path):
    np.savez(tmp_path / "imdb.npz", x_train=object_array([[1]]))
    with pytest.raises(DataError, match=r"missing the array\(s\) y_train, x_test, y_test"):
        read_npz(tmp_path / "imdb.npz", required=("x_train", "y_train", "x_test", "y_test"))


def test_not_a_zip(tmp_path):
    (tmp_path / "imdb.npz").write_bytes(b"hello")
    with pytest.raises(DataError, match="not an .npz file"):
        read_npz(tmp_path / "imdb.npz")


def test_malicious_cifar_batch_is_refused(tmp_path):
    from data_file_writers import Exploit

    marker = tmp_path / "pwned"
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": Exploit(marker)}, protocol=2))
    with pytest.raises(DataError, match="refused"):
        read_cifar_batch(path)
    assert not marker.exists()


def _damaged_compressed_npz(path):
    rng = np.random.default_rng(0)
    np.savez_compressed(path, x_train=rng.integers(0, 9, (200, 50)), y_train=np.arange(200))
    data = bytearray(path.read_bytes())
    for i in range(200, 600, 7):  # inside the first member's compressed stream
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_compressed_npz_is_a_clear_error_in_both_readers(tmp_path):
    from workbench.core.data.keras_files import _plain_npz

    path = _damaged_compressed_npz(tmp_path / "mnist.npz")
    with pytest.raises(DataError, match="damaged"):
        read_npz(path, ("x_train", "y_train"))
    with pytest.raises(DataError, match="damaged"):
        _plain_npz(path, ("x_train", "y_train"))
