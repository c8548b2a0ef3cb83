"""Character generation: the book's sampling, the compiled window step, streaming, bad input."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.errors import RunError, WorkbenchError
from workbench.core.generation.sampling import check_temperature, column_rng, make_rng, reweight, sample_index

CHARS = [chr(32 + i) for i in range(57)]  # 57 characters, as the book's Nietzsche corpus
MAXLEN = 60


def book_sample(preds, temperature, rng):
    """The book's ``sample`` verbatim, with a Generator instead of the global RNG."""
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = rng.multinomial(1, preds, 1)
    return np.argmax(probas)


# --------------------------------------------------------------------------- sampling


def test_reweight_matches_the_book_formula():
    p = np.array([0.5, 0.3, 0.15, 0.05])
    for t in (0.2, 0.5, 1.0, 1.2, 2.0):
        expected = np.exp(np.log(p) / t)
        expected /= expected.sum()
        assert np.allclose(reweight(p, t), expected, atol=1e-12)
    assert np.allclose(reweight(p, 1.0), p)


def test_sample_index_draws_exactly_like_the_book():
    p = np.random.default_rng(3).dirichlet(np.ones(57))
    for t in (0.2, 0.5, 1.0, 1.2):
        ours = [sample_index(p, t, r) for r in [make_rng(7)] for _ in range(50)]
        rng = make_rng(7)
        book = [int(book_sample(p, t, rng)) for _ in range(50)]
        assert ours == book


def test_temperature_towards_zero_is_argmax_without_warnings():
    p = np.array([0.1, 0.6, 0.0, 0.3])  # a zero probability must not produce log(0) warnings
    for t in (0.0, 1e-9, 1e-4, 0.01):
        out = reweight(p, t)
        assert np.all(np.isfinite(out))
        assert int(np.argmax(out)) == 1 and out[1] == pytest.approx(1.0)
        assert sample_index(p, t, make_rng(0)) == 1
    assert reweight(p, 0.5)[2] == 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=60).filter(lambda v: sum(v) > 1e-3),
       st.floats(0.05, 2.0))
def test_reweight_is_a_distribution_that_keeps_the_order(values, temperature):
    p = np.array(values) / sum(values)
    out = reweight(p, temperature)
    assert out.sum() == pytest.approx(1.0) and np.all(out >= 0)
    assert np.all(out[p == 0] == 0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(out[order]) >= -1e-12)  # likelier stays likelier
    assert p[int(np.argmax(out))] == pytest.approx(p.max(), rel=1e-9)  # up to float near-ties


def test_column_generators_depend_on_seed_and_temperature():
    draws = lambda seed, t: column_rng(seed, t).random(5).tolist()
    assert draws(1, 0.5) == draws(1, 0.5)
    assert draws(1, 0.5) != draws(1, 1.0) and draws(1, 0.5) != draws(2, 0.5)
    assert draws(None, 0.5) != draws(None, 0.5)


def test_temperature_range_is_checked():
    assert check_temperature(0.05) == 0.05 and check_temperature(2) == 2.0
    for bad in (0.0, 0.04, 2.01, -1, float("nan"), "hot"):
        with pytest.raises(WorkbenchError, match="temperature"):
            check_temperature(bad)


def test_reweight_refuses_a_non_distribution():
    for bad in ([], [0.0, 0.0], [0.5, float("nan")], [-0.1, 1.1]):
        with pytest.raises(WorkbenchError, match="probability distribution"):
            reweight(np.array(bad), 1.0)


# --------------------------------------------------------------------------- compiled step


@pytest.fixture(scope="module")
def char_model():
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(11)
    model = keras.Sequential([
        keras.Input((MAXLEN, len(CHARS))),
        keras.layers.LSTM(128),
        keras.layers.Dense(len(CHARS), activation="softmax"),
    ])
    # Untrained outputs are nearly uniform; sharper weights make the equality test meaningful.
    model.layers[-1].set_weights([w * 40 for w in model.layers[-1].get_weights()])
    return model


def random_window(seed: int) -> str:
    return "".join(np.random.default_rng(seed).choice(CHARS, MAXLEN))


def test_compiled_step_gives_the_windowed_model_distribution(char_model):
    from workbench.core.generation.fast import next_char_probabilities, stepper_for, windowed_probabilities

    for seed in range(4):
        window = random_window(seed)
        reference = windowed_probabilities(char_model, CHARS, window)
        fast = next_char_probabilities(char_model, CHARS, window)
        assert reference.max() > 3 / len(CHARS)  # not a flat distribution
        assert np.abs(reference - fast).max() < 1e-5
    # A batch of windows (several temperature columns) gives each row its own distribution.
    windows = [random_window(s) for s in range(3)]
    index = {c: i for i, c in enumerate(CHARS)}
    batch = stepper_for(char_model, len(CHARS)).probabilities(
        np.array([[index[c] for c in w] for w in windows]))
    for row, window in zip(batch, windows):
        assert np.abs(row - windowed_probabilities(char_model, CHARS, window)).max() < 1e-5


def test_stream_reproduces_the_book_loop(char_model):
    """Same seed window, same Generator: the fast stream and the predict-per-char loop agree."""
    from workbench.core.generation.fast import generate_stream, windowed_probabilities

    seed_text = random_window(5)
    for temperature in (0.2, 1.0):
        rng = column_rng(123, temperature)
        text, book = seed_text, []
        for _ in range(12):
            probs = windowed_probabilities(char_model, CHARS, text[-MAXLEN:])
            char = CHARS[int(book_sample(probs, temperature, rng))]
            book.append(char)
            text += char
        fast = [c for _, c in generate_stream(char_model, CHARS, seed_text, [temperature], 12, 123)]
        assert fast == book


def test_stream_interleaves_columns_and_each_column_is_reproducible(char_model):
    from workbench.core.generation.fast import generate_stream, generate_text

    seed_text = random_window(9)
    items = list(generate_stream(char_model, {c: i for i, c in enumerate(CHARS)}, seed_text,
                                 [0.2, 0.5, 1.2], 20, rng_seed=4))
    assert [k for k, _ in items[:6]] == [0, 1, 2, 0, 1, 2]
    columns = ["".join(c for k, c in items if k == i) for i in range(3)]
    assert all(len(col) == 20 for col in columns)
    # A column depends only on seed text, temperature and random seed, not on its neighbours.
    assert generate_text(char_model, CHARS, seed_text, 1.2, 20, rng_seed=4) == columns[2]
    assert generate_text(char_model, CHARS, seed_text, 1.2, 20, rng_seed=4) == columns[2]


def test_epoch_samples_at_the_book_temperatures(char_model):
    from workbench.core.generation.fast import generate_text, sample_columns

    samples = sample_columns(char_model, CHARS, random_window(3), length=15, rng_seed=2)
    assert list(samples) == [0.2, 0.5, 1.0, 1.2] and all(len(t) == 15 for t in samples.values())
    assert samples[1.0] == generate_text(char_model, CHARS, random_window(3), 1.0, 15, rng_seed=2)


def test_stop_ends_the_stream_at_once(char_model):
    from workbench.core.generation.fast import generate_stream

    produced = []
    stream = generate_stream(char_model, CHARS, random_window(1), [0.5, 1.0], 10_000, 0,
                             should_stop=lambda: len(produced) >= 6)
    produced.extend(stream)  # extend appends one item at a time, so should_stop sees the count
    assert len(produced) == 6


@pytest.mark.parametrize(("seed_text", "kwargs", "match"), [
    ("too short", {}, "has 9 characters .* windows of 60 characters \\(add 51;"),
    ("é" + "A" * 58 + "\u00ff", {}, "2 character\\(s\\) the model never saw.*'é'"),
    ("a" * 60, {"temperatures": [2.5]}, "outside 0.05–2.0"),
    ("a" * 60, {"temperatures": []}, "at least one temperature"),
    ("a" * 60, {"length": 0}, "length 0"),
])
def test_bad_generation_input_is_a_clear_error(char_model, seed_text, kwargs, match):
    from workbench.core.generation.fast import generate_stream

    args = {"temperatures": [0.5], "length": 5, **kwargs}
    with pytest.raises(WorkbenchError, match=match):
        generate_stream(char_model, CHARS, seed_text, args["temperatures"], args["length"])


def test_lowercase_runs_lowercase_the_seed(char_model):
    from workbench.core.generation.fast import generate_text, unknown_characters

    assert unknown_characters("Hello!", list("helo"), lowercase=True) == ["!"]
    assert unknown_characters("Hello", list("helo")) == ["H"]
    # CHARS has capitals only: a lowercased seed of capitals is outside the vocabulary.
    assert len(generate_text(char_model, CHARS, "A" * MAXLEN, 0.5, 3, 0)) == 3
    with pytest.raises(WorkbenchError, match="never saw.*'a'"):
        generate_text(char_model, CHARS, "A" * MAXLEN, 0.5, 3, 0, lowercase=True)


# --------------------------------------------------------------------------- the generate command


def make_char_run(tmp_path, model, *, status="finished", save_model=True):
    """A run folder as the trainer writes it, for a character model."""
    run = tmp_path / "runs" / "char-run"
    (run / "preprocessing").mkdir(parents=True)
    info = {"format": "keras-workbench.run", "version": 1, "run_id": "char-run", "name": "chars",
            "status": status, "pid": None, "document": {"data": {"source": "corpus:/nowhere.txt"}},
            "data": {"kind": "corpus", "class_names": [], "input_shape": [MAXLEN, len(CHARS)]}}
    (run / "run.json").write_text(json.dumps(info))
    if save_model:
        model.save(run / "model.keras")
    return run


@pytest.fixture
def fake_char_preprocessor(monkeypatch):
    from workbench.core.training import runs

    pre = SimpleNamespace(kind="corpus", chars=CHARS, char_index={c: i for i, c in enumerate(CHARS)},
                          maxlen=MAXLEN, step=3, lowercase=False, class_names=[])
    monkeypatch.setattr(runs.RunRecord, "load_preprocessor", lambda self: pre)
    return pre


def test_generate_command_prints_text_and_speed(tmp_path, char_model, fake_char_preprocessor):
    from workbench.core.generation.commands import generate_command

    make_char_run(tmp_path, char_model)
    out = []
    code = generate_command("char-run", seed=random_window(2), temperature=0.5, length=30, random_seed=1,
                            runs=str(tmp_path / "runs"), as_json=True, emit=out.append)
    assert code == 0
    assert set(out[0]) == {"text", "chars_per_second"}
    assert len(out[0]["text"]) == 30 and out[0]["chars_per_second"] > 0
    again = []
    generate_command("char-run", seed=random_window(2), temperature=0.5, length=30, random_seed=1,
                     runs=str(tmp_path / "runs"), as_json=True, emit=again.append)
    assert again[0]["text"] == out[0]["text"]


def test_generate_command_refuses_running_and_model_less_runs(tmp_path, char_model, fake_char_preprocessor):
    import os

    from workbench.core.generation.commands import generate_command

    run = make_char_run(tmp_path, char_model, status="running")
    info = json.loads((run / "run.json").read_text())
    info["pid"] = os.getpid()
    (run / "run.json").write_text(json.dumps(info))
    kwargs = {"seed": random_window(2), "temperature": 0.5, "length": 5, "random_seed": 1,
              "runs": str(tmp_path / "runs"), "as_json": True, "emit": print}
    with pytest.raises(RunError, match="still training"):
        generate_command("char-run", **kwargs)
    (run / "model.keras").unlink()
    info["status"] = "finished"
    (run / "run.json").write_text(json.dumps(info))
    with pytest.raises(RunError, match="no model file"):
        generate_command("char-run", **kwargs)
    with pytest.raises(WorkbenchError, match="outside"):
        generate_command("char-run", **{**kwargs, "temperature": 3.0})


@pytest.mark.parametrize("kwargs, match", [
    ({"length": 100_001}, "--length 100001: choose from 1 to 100000"),
    ({"length": 0}, "--length 0: choose from 1 to 100000"),
    ({"temperature": -1.0}, "outside"),
])
def test_generate_command_checks_its_input_before_loading_the_model(tmp_path, monkeypatch, kwargs, match):
    from workbench.core.generation import commands

    def never(*_args):
        raise AssertionError("the model was loaded before the input was checked")

    monkeypatch.setattr(commands, "load_char_run", never)
    arguments = {"seed": "abc", "temperature": 0.5, "length": 5, "random_seed": 1, "runs": str(tmp_path),
                 "as_json": True, "emit": print, **kwargs}
    with pytest.raises(WorkbenchError, match=match):
        commands.generate_command("char-run", **arguments)


def test_generate_command_explains_a_seed_the_run_cannot_read(tmp_path, char_model, fake_char_preprocessor):
    from workbench.core.generation.commands import generate_command

    make_char_run(tmp_path, char_model)
    with pytest.raises(WorkbenchError, match="has 9 characters"):
        generate_command("char-run", seed="too short", temperature=0.5, length=5, random_seed=1,
                         runs=str(tmp_path / "runs"), as_json=True, emit=print)


def test_a_seed_longer_than_a_window_continues_from_its_last_window(char_model):
    from workbench.core.generation.fast import encode_seed, generate_stream

    window = random_window(3)
    longer = random_window(4)[:15] + window
    assert list(encode_seed(longer, CHARS, 60)) == list(encode_seed(window, CHARS, 60))
    from_window = list(generate_stream(char_model, CHARS, window, [0.5], 20, 7))
    from_longer = list(generate_stream(char_model, CHARS, longer, [0.5], 20, 7))
    assert from_longer == from_window
