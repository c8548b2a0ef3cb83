"""The shipped templates: ids, descriptions, data settings and display order."""

from __future__ import annotations

import json

from workbench.cli import main
from workbench.core.design.templates import list_templates, load_template


def test_templates_listed_in_order_with_descriptions(capsys):
    assert main(["templates", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    ids = [t["id"] for t in listed]
    assert ids[:4] == ["circles-mlp", "imdb-dense", "reuters-dense", "mnist-dense"]
    assert ids[-1] == "char-lstm" and len(ids) == 13
    assert all(t["description"] and t["source"] for t in listed)
    assert [t.id for t in list_templates()] == ids


def test_template_data_settings():
    assert load_template("imdb-dense").data.options == {"num_words": 10000, "encoding": "multi_hot"}
    assert load_template("imdb-conv1d").data.options == {"num_words": 10000, "encoding": "sequence", "maxlen": 500}
    glove = load_template("imdb-glove")
    assert glove.model.layers[0].config["pretrained_path"] == "glove.6B.100d.txt"
    assert glove.model.layers[0].config["trainable"] is False and glove.data.options["maxlen"] == 100
    char = load_template("char-lstm")
    assert char.data.source == "corpus:nietzsche.txt"
    assert char.data.options == {"maxlen": 60, "step": 3, "lowercase": True}
    assert char.model.input_from_data and char.model.output_from_data and char.model.input_shape == [60, 57]
    assert char.compile.optimizer_config == {"learning_rate": 0.01}
    convnet = load_template("mnist-convnet")
    assert convnet.training.early_stopping.min_delta == 0.0005 and convnet.training.early_stopping.patience == 2
    assert convnet.training.batch_size == 128 and convnet.training.validation_split == 0.1
    assert load_template("iris-mlp").data.source == "csv:iris.csv?target=species"
