"""Predictions with saved runs: the exact training pipeline, MNIST-style centring, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from playground_runs import make_char_run, make_image_run, make_points_run, make_table_run, make_text_run

from workbench.core.errors import RunError, WorkbenchError
from workbench.core.training import prediction
from workbench.core.training.prediction import PredictionInputError, center_digit
from workbench.core.training.runs import RunStore

POSITIVE = ["a wonderful film, great acting and a moving story", "great fun, I loved the story",
            "wonderful cast and great music", "a moving, wonderful story with great acting"]
NEGATIVE = ["an awful film, boring story and bad acting", "boring and awful, I hated it",
            "bad music, bad cast, awful plot", "a boring, awful story with bad acting"]


@pytest.fixture
def review_folder(tmp_path):
    root = tmp_path / "reviews"
    for label, texts in (("neg", NEGATIVE), ("pos", POSITIVE)):
        (root / label).mkdir(parents=True)
        for repeat in range(4):
            for i, text in enumerate(texts):
                (root / label / f"{repeat}_{i}.txt").write_text(f"{text} (take {repeat})<br />", encoding="utf-8")
    return root


@pytest.mark.parametrize("options", ["encoding=multi_hot&num_words=30", "encoding=tf_idf&num_words=30",
                                     "encoding=count&num_words=12", "encoding=sequence&maxlen=6&num_words=30"])
def test_typed_text_gets_the_training_pipeline_vector(tmp_path, review_folder, options):
    """The same review typed into the Playground and fed by the trainer is the same vector."""
    from workbench.core.data.prepare import prepare_data
    from workbench.core.data.preprocess import load_preprocessor

    prepared = prepare_data(f"text-folder:{review_folder}?{options}")
    prepared.preprocessor.save(tmp_path / "preprocessing")
    saved = load_preprocessor(tmp_path / "preprocessing")  # what a run folder gives the Playground
    split = prepared.train
    for i in range(len(split)):
        trained = split.take([i])
        typed = prediction.encode_text_input(saved, split.raw(i))
        assert typed.dtype == trained.dtype
        np.testing.assert_array_equal(typed, trained)


def test_predict_text_reads_the_run(tmp_path):
    record = RunStore(tmp_path).open_run(make_text_run(tmp_path).name)
    result = prediction.predict_text(record, "A great movie, truly GREAT; the zorblax was good")
    assert result["label"] == "positive"
    assert sum(result["probabilities"].values()) == pytest.approx(1.0)
    assert result["probabilities"]["positive"] > 0.99
    words = {t["word"]: t for t in result["tokens"]}
    assert words["great"]["in_vocabulary"] and words["great"]["index"] == 4 + 3
    assert words["zorblax"]["in_vocabulary"] is False and words["zorblax"]["index"] == 2
    assert prediction.predict_text(record, "awful, bad")["label"] == "negative"


def test_predict_command_json_shape(tmp_path):
    run = make_text_run(tmp_path)
    out = prediction.predict_command_result(run.name, "great", runs=tmp_path)
    assert set(out) == {"label", "probabilities", "tokens"}
    assert out["tokens"] == [{"word": "great", "index": 7, "in_vocabulary": True}]
    json.dumps(out)


def test_bad_text_input_is_explained(tmp_path):
    record = RunStore(tmp_path).open_run(make_text_run(tmp_path).name)
    with pytest.raises(PredictionInputError, match="type some text"):
        prediction.predict_text(record, "   ")
    with pytest.raises(PredictionInputError, match="none of the words") as info:
        prediction.predict_text(record, "zorblax quux")
    assert [t["in_vocabulary"] for t in info.value.tokens] == [False, False]


def test_words_cut_by_maxlen_are_marked(tmp_path):
    record = RunStore(tmp_path).open_run(make_text_run(tmp_path, encoding="sequence", maxlen=4).name)
    text = "bad plot the movie was great"
    result = prediction.predict_text(record, text)
    cut = [t["word"] for t in result["tokens"] if t["truncated"]]
    kept = [t["index"] for t in result["tokens"] if not t["truncated"]]
    assert cut == ["bad", "plot"]  # pad_sequences cuts at the front
    # The words shown as kept are exactly the indices at the end of the model's input row.
    encoded = prediction.encode_text_input(prediction.load_run(record).preprocessor, text)[0]
    assert encoded.tolist()[-len(kept):] == kept


def test_runs_that_cannot_be_used_are_refused_clearly(tmp_path):
    store = RunStore(tmp_path)
    run = make_text_run(tmp_path)
    info = json.loads((run / "run.json").read_text())
    import os

    info.update(status="running", pid=os.getpid())
    (run / "run.json").write_text(json.dumps(info))
    with pytest.raises(RunError, match="still training"):
        prediction.load_run(store.open_run(run.name))
    info["status"] = "finished"
    (run / "run.json").write_text(json.dumps(info))
    (run / "preprocessing" / "preprocessing.json").write_text("{not json")
    with pytest.raises(WorkbenchError, match="preprocessing.json: cannot be read"):
        prediction.load_run(store.open_run(run.name))
    (run / "model.keras").unlink()
    with pytest.raises(RunError, match="no model file"):
        prediction.load_run(store.open_run(run.name))


def test_kind_mismatch_is_explained(tmp_path):
    record = RunStore(tmp_path).open_run(make_image_run(tmp_path).name)
    with pytest.raises(WorkbenchError, match="trained on image data; it cannot classify text"):
        prediction.predict_text(record, "great")


def test_center_digit_is_mnist_like():
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[20:120, 180:200] = 1.0  # a tall bar, far from the centre
    digit = center_digit(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.max() == pytest.approx(1.0)
    rows = np.flatnonzero(digit.max(axis=1) > 0)
    cols = np.flatnonzero(digit.max(axis=0) > 0)
    assert rows[-1] - rows[0] + 1 == 20  # the longer side fits the 20-pixel box
    assert cols[-1] - cols[0] + 1 <= 5
    yy, xx = np.indices(digit.shape)
    com = ((yy * digit).sum() / digit.sum(), (xx * digit).sum() / digit.sum())
    assert com == pytest.approx((13.5, 13.5), abs=0.6)
    with pytest.raises(PredictionInputError, match="draw a digit"):
        center_digit(np.zeros((50, 50)))


def test_predict_drawing_row_and_grid(tmp_path):
    store = RunStore(tmp_path)
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[60:220, 130:150] = 1.0
    result = prediction.predict_drawing(store.open_run(make_image_run(tmp_path).name), canvas)
    assert set(result["probabilities"]) == {str(i) for i in range(10)}
    assert np.asarray(result["input"]).shape == (28, 28)

    table = store.open_run(make_table_run(tmp_path).name)
    row = prediction.predict_row(table, {"age": "40", "sex": "female"})
    assert set(row["probabilities"]) == {"died", "survived"}
    with pytest.raises(WorkbenchError, match='"age".*not a number'):
        prediction.predict_row(table, {"age": "forty", "sex": "female"})

    points = store.open_run(make_points_run(tmp_path).name)
    grid = prediction.decision_grid(points, (-1, 1), (-1, 1), resolution=10)
    assert grid["score"].shape == (10, 10) and grid["binary"]
    assert prediction.training_points(points)["x"].shape[1] == 2


def test_char_run_is_ready_for_generation(tmp_path):
    from workbench.core.generation.charrun import load_char_run

    run = make_char_run(tmp_path, maxlen=20)
    target = load_char_run(run.name, tmp_path)
    assert target.maxlen == 20 and target.lowercase
    window = target.random_window(seed=1)
    assert window is not None and len(window) == 20 and set(window) <= set(target.chars)
    with pytest.raises(RunError, match="not a character-level model"):
        load_char_run(make_image_run(tmp_path).name, tmp_path)


def test_a_runs_folder_under_home_is_found_by_predict_and_generate(tmp_path, monkeypatch):
    from workbench.core.generation.charrun import load_char_run

    monkeypatch.setenv("HOME", str(tmp_path))
    run = make_char_run(tmp_path / "my runs", maxlen=20)
    assert prediction.open_run(run.name, "~/my runs").path == run
    assert load_char_run(run.name, "~/my runs").maxlen == 20


@pytest.mark.realdata
def test_real_reviews_typed_equal_the_training_vectors(tmp_path, shared_datasets):
    """Real aclImdb reviews: the Playground's encoding of the raw file text is the trainer's vector."""
    from workbench.core.data.prepare import prepare_data
    from workbench.core.data.preprocess import load_preprocessor

    folder = shared_datasets / "imdb" / "aclImdb_subset"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    prepared = prepare_data(f"text-folder:{folder}?num_words=10000&encoding=multi_hot&limit=300")
    prepared.preprocessor.save(tmp_path / "preprocessing")
    saved = load_preprocessor(tmp_path / "preprocessing")
    split = prepared.train
    for i in range(0, len(split), 7):
        np.testing.assert_array_equal(prediction.encode_text_input(saved, split.raw(i)), split.take([i]))


@pytest.mark.realdata
def test_centring_a_drawn_digit_reproduces_mnist_preprocessing(shared_datasets):
    """Real MNIST digits drawn big and off-centre on a canvas, then centred, keep the accuracy."""
    from workbench.core.data.idx import read_idx
    from workbench.core.kerasenv import import_keras

    images = shared_datasets / "mnist" / "t10k-images-idx3-ubyte.gz"
    if not images.is_file():
        pytest.skip(f"{images} not found")
    keras = import_keras()
    x = read_idx(images).astype("float32") / 255
    y = read_idx(shared_datasets / "mnist" / "t10k-labels-idx1-ubyte.gz")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:6000].reshape(-1, 784), y[:6000], epochs=4, batch_size=128, verbose=0)
    test_x, test_y = x[9000:], y[9000:]
    original = model.evaluate(test_x.reshape(-1, 784), test_y, verbose=0)[1]
    rng = np.random.default_rng(0)
    drawn = []
    for image in test_x:
        scale = int(rng.integers(6, 11))
        big = np.kron(image, np.ones((scale, scale), dtype=np.float32))
        canvas = np.zeros((280, 280), np.float32)
        top, left = rng.integers(0, 280 - big.shape[0] + 1, 2)
        canvas[top:top + big.shape[0], left:left + big.shape[1]] = big
        drawn.append(center_digit(canvas))
    recentred = model.evaluate(np.array(drawn).reshape(-1, 784), test_y, verbose=0)[1]
    assert original > 0.85, original
    assert recentred > original - 0.03, (original, recentred)
