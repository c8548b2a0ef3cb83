"""csv:PATH tables: type detection, imputation, training-only statistics and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.data.prepare import prepare_data
from workbench.core.data.preprocess import load_preprocessor
from workbench.core.document import DataSpec, TrainingSpec
from workbench.core.errors import DataError


def write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_types_imputation_and_one_hot(tmp_path):
    rows = ["age,colour,label"] + [f"{20 + i},{'red' if i % 2 else 'blue'},{'yes' if i % 3 else 'no'}"
                                   for i in range(30)]
    rows[5] = ",red,yes"
    path = write(tmp_path, "\n".join(rows) + "\n")
    prepared = prepare_data(DataSpec(f"csv:{path}", {"target": "label", "test_split": 0}))
    assert prepared.kind == "table" and prepared.class_names == ["no", "yes"]
    assert prepared.label_format == "binary" and prepared.input_shape == (3,)
    assert any('1 missing values in "age"' in note for note in prepared.notes)
    x = prepared.train.x_for_fit()
    assert x.dtype == np.float32
    assert abs(float(x[:, 0].mean())) < 1e-5  # z-scored with the training rows
    assert set(np.unique(x[:, 1:])) == {0.0, 1.0}
    assert prepared.train.raw(0) == {"age": "20", "colour": "blue", "label": "no"}


def test_statistics_come_from_the_training_portion_only(tmp_path):
    rows = ["x,y"] + [f"{i},{i % 2}" for i in range(100)]
    path = write(tmp_path, "\n".join(rows))
    prepared = prepare_data(f"csv:{path}?target=y", TrainingSpec(validation_split=0.25, seed=1))
    feature = prepared.preprocessor.config["features"][0]
    train_values = [float(prepared.train.raw(i)["x"]) for i in range(len(prepared.train))]
    assert feature["mean"] == pytest.approx(np.mean(train_values))
    assert len(prepared.train) == 60 and len(prepared.val) == 20 and len(prepared.test) == 20


def test_regression_target(tmp_path):
    rows = ["x,price"] + [f"{i},{i * 1.5 + 0.25}" for i in range(40)]
    prepared = prepare_data(f"csv:{write(tmp_path, chr(10).join(rows))}?target=price")
    assert prepared.label_format == "regression" and prepared.num_classes is None
    assert prepared.train.y.dtype == np.float32


def test_encode_rows_round_trip(tmp_path):
    rows = ["a,b,c"] + [f"{i},{'u' if i % 2 else 'v'},{i % 2}" for i in range(20)]
    prepared = prepare_data(f"csv:{write(tmp_path, chr(10).join(rows))}?target=c&test_split=0")
    prepared.preprocessor.save(tmp_path / "pre")
    loaded = load_preprocessor(tmp_path / "pre")
    raw_rows = [prepared.train.raw(i) for i in range(3)]
    assert np.allclose(loaded.encode_rows(raw_rows), prepared.train.take([0, 1, 2]))


@pytest.mark.parametrize("text, problem", [
    ("", "is empty"),
    (",,,\n , ,\n", "is empty (only blank rows)"),
    ("a,b\n", "has a header but no data rows"),
    ("a,b\n1,2\n3\n", "line 3 has 1 fields but the header has 2"),
    ("a,b\n1,x\n2,x\n", "constant"),
])
def test_bad_csv_names_file_and_problem(tmp_path, text, problem):
    path = write(tmp_path, text, "bad.csv")
    with pytest.raises(DataError) as info:
        prepare_data(f"csv:{path}?target=b")
    assert str(path) in str(info.value) and problem in str(info.value)


def test_missing_target_lists_columns(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3,4\n")
    with pytest.raises(DataError, match=r"no column named 'label'; columns: a, b"):
        prepare_data(f"csv:{path}?target=label")


@pytest.mark.realdata
def test_real_iris(shared_datasets):
    prepared = prepare_data(f"csv:{shared_datasets / 'iris' / 'iris.csv'}?target=species", TrainingSpec())
    assert prepared.class_names == ["setosa", "versicolor", "virginica"]
    assert prepared.label_format == "sparse" and prepared.input_shape == (4,)
    assert len(prepared.train) + len(prepared.val) + len(prepared.test) == 150


@pytest.mark.realdata
def test_real_titanic(shared_datasets):
    prepared = prepare_data(f"csv:{shared_datasets / 'titanic' / 'train.csv'}?target=Survived", TrainingSpec())
    assert prepared.label_format == "binary"
    assert len(prepared.train) + len(prepared.val) + len(prepared.test) == 891
    notes = " ".join(prepared.notes)
    assert 'missing values in "Age" imputed' in notes
    assert '"Name"' in notes and '"PassengerId"' in notes  # free text and row id dropped
    names = [f["name"] for f in prepared.preprocessor.config["features"]]
    assert {"Pclass", "Sex", "Age", "Fare", "Embarked"} <= set(names)
    assert not np.isnan(prepared.train.x_for_fit()).any()


def test_column_type_is_decided_over_all_rows(tmp_path):
    rows = ["a,b,c"] + [f"{i},{i % 2},{i % 3}" for i in range(30)] + ["n/a?,1,0", "unknown,0,1"]
    prepared = prepare_data(f"csv:{write(tmp_path, chr(10).join(rows))}?target=c&test_split=0.3")
    types = {f["name"]: f["type"] for f in prepared.preprocessor.config["features"]}
    assert types.get("a") != "numeric"  # "unknown" makes it text (here: too many values, dropped)
    assert len(prepared.test.x_for_fit()) == len(prepared.test)


def test_every_missing_marker_is_missing_when_encoding_and_in_the_column_statistics(tmp_path):
    from workbench.core.data.overview import column_stats, summarize_prepared

    markers = ["N/A", "n/a", "NULL", "none", "Na", "?", ""]
    rows = ["a,label"] + [f"{markers[i] if i < len(markers) else i},{i % 2}" for i in range(30)]
    prepared = prepare_data(f"csv:{write(tmp_path, chr(10).join(rows))}?target=label&test_split=0")
    assert prepared.preprocessor.config["features"][0]["type"] == "numeric"
    assert np.isfinite(prepared.train.x_for_fit()).all()
    encoded = prepared.preprocessor.encode_rows([{"a": "N/A"}, {"a": "NULL"}])
    assert encoded.shape == (2, 1) and np.isfinite(encoded).all()
    stats = {s.name: s for s in column_stats(summarize_prepared(prepared), "train")}
    assert stats["a"].kind == "number" and stats["a"].missing == len(markers)
