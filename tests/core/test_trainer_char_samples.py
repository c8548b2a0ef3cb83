"""Character models: after each epoch the trainer emits the book's temperature samples."""

from workbench.core.design.templates import load_template
from workbench.core.training.runs import RunStore
from workbench.core.training.trainer import SAMPLE_LENGTH, SAMPLE_TEMPERATURES, Trainer


def tiny_char_document(tmp_path, epochs):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the quick brown fox jumps over the lazy dog. " * 12)
    document = load_template("char-lstm")
    document.data.source = f"corpus:{corpus}"
    document.data.options.update({"maxlen": 10, "step": 7})
    document.model.layers[0].config["units"] = 8
    document.training.epochs = epochs
    document.training.batch_size = 64
    return document


def test_char_lstm_emits_samples_at_each_temperature_after_every_epoch(tmp_path):
    document = tiny_char_document(tmp_path, 2)
    events = []
    result = Trainer(document, tmp_path / "runs", on_event=events.append).run()
    assert result.status == "finished", result.message
    samples = [e for e in events if e["event"] == "samples"]
    assert [e["epoch"] for e in samples] == [1, 2]
    vocabulary = set("the quick brown fox jumps over the lazy dog. ")
    for event in samples:
        assert len(event["seed"]) == 10
        assert list(event["samples"]) == [f"{t:g}" for t in SAMPLE_TEMPERATURES]
        for text in event["samples"].values():
            assert len(text) == SAMPLE_LENGTH and set(text) <= vocabulary


def test_stop_pressed_after_the_epoch_check_ends_training_before_the_next_epoch(tmp_path):
    document = tiny_char_document(tmp_path, 3)
    pressed, steps = [], []

    def on_event(event):
        if event["event"] == "train_started":
            steps.append(event["steps"])
        # The epoch_ended event comes after the recorder's own stop check, as a click would
        # while the samples are generated.
        if event["event"] == "epoch_ended":
            pressed.append(True)

    result = Trainer(document, tmp_path / "runs", on_event=on_event, should_stop=lambda: bool(pressed)).run()
    assert result.status == "stopped" and result.epochs_completed == 1
    # Exactly one epoch of optimizer steps: no batch of epoch 2 ran.
    model = RunStore(tmp_path / "runs").open_run(result.run_id).load_model()
    assert int(model.optimizer.iterations.numpy()) == steps[0]
