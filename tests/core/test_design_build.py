"""Building Keras models from documents, GloVe embeddings, Python export and .keras import."""

from __future__ import annotations

import json
import runpy

import numpy as np
import pytest

from workbench.core.design.build import build_model
from workbench.core.design.export import export_python
from workbench.core.design.glove import load_glove_matrix
from workbench.core.design.importer import import_keras_model
from workbench.core.design.summary import summarize
from workbench.core.design.templates import load_template, template_ids
from workbench.core.document import CompileSpec, ExperimentDocument, LayerEntry, ModelSpec
from workbench.core.errors import DesignError
from workbench.core.kerasenv import import_keras


def small_doc(layers, shape=(6,), loss="binary_crossentropy"):
    return ExperimentDocument(name="small test", model=ModelSpec(input_shape=list(shape), layers=layers),
                              compile=CompileSpec(optimizer="adam", optimizer_config={"learning_rate": 0.01},
                                                  loss=loss))


# --------------------------------------------------------------------------- build


def test_build_refuses_a_broken_design_with_the_layer():
    document = small_doc([LayerEntry("Dense", {"units": 4}), LayerEntry("Conv2D", {"filters": 2})])
    with pytest.raises(DesignError, match=r"layer 2 \(Conv2D\): Conv2D expects an image"):
        build_model(document)


def test_build_compiles_with_optimizer_settings():
    model = build_model(load_template("char-lstm"))
    assert type(model.optimizer).__name__ == "RMSprop"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    assert model.name == "Character_LSTM"


def test_build_takes_shapes_from_data():
    model = build_model(load_template("char-lstm"), input_shape=(40, 30), output_units=30, compile=False)
    assert tuple(model.input_shape) == (None, 40, 30) and tuple(model.output_shape) == (None, 30)


def test_output_units_need_a_dense_layer():
    document = small_doc([LayerEntry("Flatten")])
    with pytest.raises(DesignError, match="no Dense layer"):
        build_model(document, output_units=3)


def test_unknown_optimizer_is_a_design_error():
    document = small_doc([LayerEntry("Dense", {"units": 1, "activation": "sigmoid"})])
    document.compile.optimizer = "warpdrive"
    with pytest.raises(DesignError, match='optimizer "warpdrive".*rmsprop, adam or sgd'):
        build_model(document)


# --------------------------------------------------------------------------- GloVe


@pytest.fixture
def glove_file(tmp_path):
    path = tmp_path / "tiny.glove.txt"
    path.write_text("the 0.1 0.2 0.3 0.4\ngood 1 2 3 4\nbad -1 -2 -3 -4\nunused 9 9 9 9\n", encoding="utf-8")
    return path


def test_load_glove_matrix_rows_and_coverage(glove_file):
    word_index = {"the": 1, "good": 2, "bad": 3, "awful": 4, "rare": 9}
    matrix, found = load_glove_matrix(glove_file, word_index, num_words=6, dim=4)
    assert matrix.shape == (6, 4) and found == 3
    np.testing.assert_allclose(matrix[2], [1, 2, 3, 4])
    assert not matrix[0].any() and not matrix[4].any()


def test_glove_errors_are_explained(glove_file, tmp_path):
    with pytest.raises(DesignError, match="GloVe file not found"):
        load_glove_matrix(tmp_path / "missing.txt", {}, 5, 4)
    with pytest.raises(DesignError, match="has 4 numbers per word but the Embedding's output_dim is 8"):
        load_glove_matrix(glove_file, {"good": 1}, 5, 8)
    bad = tmp_path / "bad.txt"
    bad.write_text("the 0.1 zero\n", encoding="utf-8")
    with pytest.raises(DesignError, match="line 1: contains something that is not a number"):
        load_glove_matrix(bad, {"the": 1}, 5, 2)


def test_bare_glove_name_is_found_in_the_keras_datasets_folder(glove_file, monkeypatch, tmp_path):
    folder = tmp_path / "keras_home" / "datasets"
    folder.mkdir(parents=True)
    (folder / "cached.txt").write_text(glove_file.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.chdir(tmp_path)
    assert load_glove_matrix("cached.txt", {"good": 1}, 3, 4)[1] == 1


def test_build_loads_and_freezes_glove(glove_file):
    document = small_doc([
        LayerEntry("Embedding", {"input_dim": 6, "output_dim": 4, "pretrained_path": str(glove_file),
                                 "trainable": False}),
        LayerEntry("Flatten"), LayerEntry("Dense", {"units": 1, "activation": "sigmoid"})], shape=(3,))
    notes: list[str] = []
    model = build_model(document, word_index={"the": 1, "good": 2, "bad": 3, "meh": 5}, notes=notes)
    embedding = model.get_layer("embedding")
    assert not embedding.trainable
    np.testing.assert_allclose(embedding.get_weights()[0][3], [-1, -2, -3, -4])
    assert notes == ["GloVe: 3 of 4 vocabulary words have a pretrained vector (75%) (tiny.glove.txt)."]
    summary = summarize(document)
    assert summary.non_trainable_params == 24 == sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)


def test_build_without_vocabulary_notes_that_glove_was_skipped(glove_file):
    document = load_template("imdb-glove")
    notes: list[str] = []
    model = build_model(document, compile=False, notes=notes)
    assert "pretrained vectors were not loaded" in notes[0]
    assert not model.get_layer("embedding").trainable


@pytest.mark.realdata
def test_real_glove_covers_most_of_the_imdb_vocabulary(shared_datasets):
    ranks = json.loads((shared_datasets / "imdb" / "imdb_word_index.json").read_text(encoding="utf-8"))
    word_index = {word: rank + 3 for word, rank in ranks.items()}  # keras.datasets.imdb's index_from=3
    matrix, found = load_glove_matrix(shared_datasets / "glove" / "glove.6B.50d.10k.txt", word_index, 10000, 50)
    assert matrix.shape == (10000, 50)
    assert found == 5936  # the 10k-word GloVe excerpt covers ~60% of the top IMDB words (checksummed data)


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("template_id", sorted(template_ids()))
def test_exported_build_model_matches(template_id, tmp_path):
    document = load_template(template_id)
    code = export_python(document)
    assert "import workbench" not in code and "from workbench" not in code
    assert 'if __name__ == "__main__":' in code
    script = tmp_path / "exported.py"
    script.write_text(code, encoding="utf-8")
    namespace = runpy.run_path(str(script), run_name="exported_module")
    model = namespace["build_model"]()
    summary = summarize(document)
    assert model.count_params() == summary.total_params
    assert [layer.count_params() for layer in model.layers] == [
        row.params for row, e in zip(summary.layers, document.model.layers) if e.type != "Input"]


def test_export_refuses_broken_design():
    with pytest.raises(DesignError, match="cannot export"):
        export_python(small_doc([LayerEntry("LSTM", {"units": 3})]))


@pytest.mark.slow
def test_exported_script_runs_end_to_end(tmp_path, monkeypatch):
    document = load_template("circles-mlp")
    document.training.epochs = 2
    script = tmp_path / "circles.py"
    script.write_text(export_python(document), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(script), run_name="__main__")
    assert namespace["model"].count_params() == summarize(document).total_params
    assert len(namespace["x_train"]) == 320


# --------------------------------------------------------------------------- import


def test_import_sequential_round_trip(tmp_path):
    document = load_template("mnist-convnet")
    path = tmp_path / "convnet.keras"
    build_model(document).save(path)
    spec = import_keras_model(path)
    assert spec.input_shape == [28, 28, 1]
    assert [e.type for e in spec.layers] == [e.type for e in document.model.layers]
    imported = ExperimentDocument(model=spec, compile=document.compile, data=document.data)
    assert summarize(imported).to_dict()["layers"] == summarize(document).to_dict()["layers"]
    assert spec.layers[1].config == {"pool_size": [2, 2]}


def test_import_linear_functional_model(tmp_path):
    keras = import_keras()
    inputs = keras.Input((20,))
    x = keras.layers.Embedding(100, 8, trainable=False)(inputs)
    x = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True), merge_mode="sum")(x)
    x = keras.layers.Conv1D(3, 5, padding="same", activation="relu")(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "functional.keras"
    model.save(path)
    spec = import_keras_model(path)
    assert [e.type for e in spec.layers] == ["Embedding", "Bidirectional", "Conv1D", "GlobalMaxPooling1D", "Dense"]
    assert spec.layers[0].config == {"input_dim": 100, "output_dim": 8, "trainable": False}
    assert spec.layers[1].config == {"layer": "GRU", "units": 4, "return_sequences": True, "merge_mode": "sum"}
    assert spec.layers[2].config["kernel_size"] == 5
    summary = summarize(ExperimentDocument(model=spec))
    assert summary.total_params == model.count_params()
    assert summary.non_trainable_params == 800


def _save(tmp_path, name, model):
    path = tmp_path / name
    model.save(path)
    return path


def test_import_refuses_lambda(tmp_path):
    keras = import_keras()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Dense(1)])
    with pytest.raises(DesignError, match="contains a Lambda layer.*refuses it for safety"):
        import_keras_model(_save(tmp_path, "lambda.keras", model))


def test_import_refuses_custom_objects(tmp_path):
    keras = import_keras()

    @keras.saving.register_keras_serializable(package="workbench_test")
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2

    model = keras.Sequential([keras.Input((4,)), Twice(), keras.layers.Dense(1)])
    with pytest.raises(DesignError, match=r"custom object \(workbench_test>Twice\)"):
        import_keras_model(_save(tmp_path, "custom.keras", model))


def test_import_refuses_branches(tmp_path):
    keras = import_keras()
    inputs = keras.Input((4,))
    merged = keras.layers.Add()([keras.layers.Dense(3)(inputs), keras.layers.Dense(3)(inputs)])
    with pytest.raises(DesignError, match="branches or shared layers"):
        import_keras_model(_save(tmp_path, "branch.keras", keras.Model(inputs, merged)))


def test_import_refuses_layers_outside_the_catalog(tmp_path):
    keras = import_keras()
    model = keras.Sequential([keras.Input((4,)), keras.layers.GaussianNoise(0.1), keras.layers.Dense(1)])
    with pytest.raises(DesignError, match="is a GaussianNoise, which the builder does not offer"):
        import_keras_model(_save(tmp_path, "noise.keras", model))


def test_import_refuses_non_keras_files(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    with pytest.raises(DesignError, match="is not a Keras model file"):
        import_keras_model(junk)
    with pytest.raises(DesignError, match=r"only Keras 3 model files \(.keras\)"):
        import_keras_model(tmp_path / "weights.h5" if (tmp_path / "weights.h5").write_bytes(b"x") else None)
    with pytest.raises(DesignError, match="no such file"):
        import_keras_model(tmp_path / "missing.keras")


@pytest.mark.parametrize("source", [
    "csv:table.csv?target=label", "text-folder:reviews", "image-folder:pictures", "idx:train-images-idx3-ubyte.gz",
    "synthetic:spirals?noise=0.2&n=100", "keras:boston_housing", "keras:cifar10", "keras:reuters",
])
def test_export_is_valid_python_for_every_source_kind(source):
    document = load_template("circles-mlp")
    document.data.source = source
    document.model.output_from_data = True  # the head follows each source's classes
    code = export_python(document)
    compile(code, "exported.py", "exec")
    assert "def load_data():" in code


@pytest.mark.realdata
def test_exported_csv_loader_reads_iris(shared_datasets, tmp_path):
    document = load_template("iris-mlp")
    document.data.source = f"csv:{shared_datasets / 'iris' / 'iris.csv'}?target=species"
    script = tmp_path / "iris.py"
    script.write_text(export_python(document), encoding="utf-8")
    namespace = runpy.run_path(str(script), run_name="exported")
    (x_train, y_train), (x_test, y_test) = namespace["load_data"]()
    assert x_train.shape == (120, 4) and x_test.shape == (30, 4)
    assert sorted(set(y_train.tolist()) | set(y_test.tolist())) == [0, 1, 2]
    assert namespace["build_model"](input_shape=x_train.shape[1:], output_units=3).count_params() == 2_371
