"""Character models: after each epoch the trainer emits the book's temperature samples."""

from workbench.core.design.templates import load_template
from workbench.core.training.trainer import SAMPLE_LENGTH, SAMPLE_TEMPERATURES, Trainer


def test_char_lstm_emits_samples_at_each_temperature_after_every_epoch(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the quick brown fox jumps over the lazy dog. " * 12)
    document = load_template("char-lstm")
    document.data.source = f"corpus:{corpus}"
    document.data.options.update({"maxlen": 10, "step": 7})
    document.model.layers[0].config["units"] = 8
    document.training.epochs = 2
    document.training.batch_size = 64
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
