"""The experiment document: round trip, atomic save, and one test per kind of mistake."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import REPO_ROOT
from workbench.core.document import (
    FORMAT,
    VERSION,
    EarlyStoppingSpec,
    ExperimentDocument,
    LayerEntry,
    load_document,
    parse_document_bytes,
    save_document,
)
from workbench.core.errors import DocumentError

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "documents"


def sample_document() -> ExperimentDocument:
    doc = ExperimentDocument(name="round trip")
    doc.model.input_shape = [10000]
    doc.model.layers = [LayerEntry("Dense", {"units": 16, "activation": "relu"}),
                        LayerEntry("Dense", {"units": 1, "activation": "sigmoid"})]
    doc.data.source = "keras:imdb"
    doc.data.options = {"num_words": 10000, "encoding": "multi_hot"}
    doc.training.early_stopping = EarlyStoppingSpec(patience=3)
    return doc


def test_round_trip_preserves_every_field(tmp_path):
    doc = sample_document()
    path = tmp_path / "exp.kwb.json"
    save_document(doc, path)
    raw = json.loads(path.read_text())
    assert raw["format"] == FORMAT and raw["version"] == VERSION
    assert raw["model"]["layers"][0] == {"type": "Dense", "config": {"units": 16, "activation": "relu"}}
    assert load_document(path) == doc


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "exp.kwb.json"
    save_document(sample_document(), path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    changed = sample_document()
    changed.name = "changed"
    with pytest.raises(OSError):
        save_document(changed, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["exp.kwb.json"]


def test_old_version_fixtures_keep_loading():
    files = sorted(FIXTURES.glob("v*/*.json"))
    assert files, "keep one saved document per released version as a fixture"
    for path in files:
        doc = load_document(path)
        assert doc.model.layers, path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
        (b"", "is empty"),
        (b'{"format": "keras-workbench.experiment", "version": 1, "model": {', "is not valid JSON (line 1"),
        (b"[1, 2]", "top level: must be an object"),
        (b'{"format": "something-else", "version": 1}', "this is not a Keras Workbench experiment"),
        (b'{"format": "keras-workbench.experiment"}', '"version" must be a whole number'),
        (b'{"format": "keras-workbench.experiment", "version": 7}', "newer Keras Workbench (document version 7)"),
    ],
)
def test_file_level_problems_name_the_file(tmp_path, content, expected):
    path = tmp_path / "bad.kwb.json"
    path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def _with(change) -> dict:
    raw = sample_document().to_dict()
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r["training"].update(batch_size=0), "training.batch_size: must be at least 1, got 0"),
        (lambda r: r["training"].update(epochs="ten"), 'training.epochs: must be a whole number, got "ten"'),
        (lambda r: r["training"].update(validation_split=1.0), "training.validation_split: must be below 1.0"),
        (lambda r: r["training"].update(shuffle="yes"), "training.shuffle: must be true or false"),
        (lambda r: r["training"]["early_stopping"].update(patience=-1),
         "training.early_stopping.patience: must be at least 0"),
        (lambda r: r["model"]["layers"][1].pop("type"), 'model.layers[1]: needs a "type"'),
        (lambda r: r["model"]["layers"].__setitem__(0, "Dense"), "model.layers[0]: must be an object"),
        (lambda r: r["model"].update(input_shape=[0]), "model.input_shape: dimension 0 must be a whole number >= 1"),
        (lambda r: r["compile"].update(metrics=["accuracy", 3]), "compile.metrics: entry 1 must be a metric name"),
        (lambda r: r["compile"].update(loss=""), "compile.loss: must name a Keras loss"),
        (lambda r: r["data"].update(source="ftp:data"), 'data.source: unknown data source kind "ftp"'),
        (lambda r: r["data"].update(options=[1]), "data.options: must be an object, got a list"),
        (lambda r: r.update(model=[]), "model: must be an object, got a list"),
        (lambda r: r["training"].update(seed=-1), "training.seed: must be at least 0, got -1"),
        (lambda r: r["training"].update(seed=2**32), "training.seed: must be at most 4294967295"),
    ],
)
def test_field_problems_name_the_field(change, expected):
    raw = _with(change)
    with pytest.raises(DocumentError) as info:
        parse_document_bytes(json.dumps(raw).encode(), origin="exp.kwb.json")
    assert str(info.value).startswith("exp.kwb.json: ")
    assert expected in str(info.value)


@pytest.mark.parametrize("seed", [0, 2**32 - 1, None])
def test_seeds_numpy_accepts_are_read(seed):
    raw = _with(lambda r: r["training"].update(seed=seed))
    assert parse_document_bytes(json.dumps(raw).encode()).training.seed == seed


def test_whole_numbers_are_accepted_where_floats_are_expected():
    raw = _with(lambda r: r["training"].update(validation_split=0))
    doc = parse_document_bytes(json.dumps(raw).encode())
    assert doc.training.validation_split == 0.0


def test_missing_sections_take_defaults():
    doc = parse_document_bytes(b'{"format": "keras-workbench.experiment", "version": 1}')
    assert doc == ExperimentDocument()
