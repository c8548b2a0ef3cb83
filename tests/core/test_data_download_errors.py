"""Downloads that fail half way or are refused by the server, and imports that cannot be copied."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

import pytest
from data_file_writers import write_imdb

from workbench.core import paths
from workbench.core.data import keras_files
from workbench.core.data.catalog import download_dataset
from workbench.core.errors import DataError


class DroppingResponse:
    """Sends one chunk, then the connection drops."""

    def __init__(self):
        self.headers = {"Content-Length": "1000"}
        self.sent = False

    def read(self, size):
        if self.sent:
            raise http.client.IncompleteRead(b"", 500)
        self.sent = True
        return b"x" * 500

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_server_error_is_not_called_offline(monkeypatch):
    def not_found(url, timeout):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", not_found)
    monkeypatch.setattr(keras_files, "OFFLINE", {})
    with pytest.raises(DataError, match=r"mnist.npz failed: storage.googleapis.com answered 404 \(Not Found\)"):
        download_dataset("mnist")
    assert "mnist" not in keras_files.OFFLINE


def test_a_dropped_connection_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: DroppingResponse())
    with pytest.raises(DataError, match="download of mnist.npz failed .*try again or use Import"):
        download_dataset("mnist")
    assert keras_files.locate("mnist.npz") is None


def test_an_import_that_cannot_be_copied_leaves_nothing_behind(tmp_path, monkeypatch):
    source = write_imdb(tmp_path / "mine" / "imdb.npz", [[1, 2], [3]], [0, 1], [[4]], [1])
    patched = dict(keras_files.FILES)
    patched["imdb"] = (keras_files.KerasFile("imdb.npz", sha256=keras_files.file_digest(source, "sha256"),
                                             url="https://example.invalid/imdb.npz"),)
    monkeypatch.setattr(keras_files, "FILES", patched)

    def disk_full(src, dst):
        open(dst, "wb").close()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keras_files.shutil, "copyfile", disk_full)
    with pytest.raises(DataError, match="could not be copied .*No space left on device.*free some disk space"):
        keras_files.import_file(source)
    assert not list(paths.dataset_cache_dir().rglob("*.importing"))
