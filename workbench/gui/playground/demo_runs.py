"""Tiny finished runs of every data kind, written as the trainer writes them.

For the Playground's preview (``python -m workbench.gui.playground --demo``) and its tests.
Models have hand-set or random weights: the Playground needs a model and its saved
preprocessing, not a good model. Qt-free; imports Keras when called.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

WORDS = ["the", "movie", "was", "great", "awful", "good", "bad", "film", "plot", "actors"]
CORPUS = ("the quick brown fox jumps over the lazy dog. " * 20
          + "a tale of two cities, it was the best of times, it was the worst of times. " * 20)


def _finish(root: Path, name: str, source: str, model, preprocessor, data: dict, status: str = "finished"):
    from workbench.core.document import ExperimentDocument
    from workbench.core.training.runs import RunStore

    document = ExperimentDocument(name=name)
    document.data.source = source
    writer = RunStore(root).create(document, name=name)
    model.save(writer.model_path)
    preprocessor.save(writer.preprocessing_dir)
    writer.update(data=data, epochs_completed=1)
    if status != "running":
        writer.finish(status)
    return writer.path


def make_text_run(root: Path, *, encoding: str = "multi_hot", maxlen: int = 8) -> Path:
    from workbench.core.data.preprocess import Preprocessor
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    num_words = 4 + len(WORDS)
    config = {"encoding": encoding, "num_words": num_words, "standardize": True, "ngrams": 1,
              "vocabulary": WORDS}
    if encoding == "sequence":
        config.update(maxlen=maxlen, input_shape=[maxlen])
        model = keras.Sequential([keras.Input((maxlen,), dtype="int32"),
                                  keras.layers.Embedding(num_words, 4),
                                  keras.layers.GlobalAveragePooling1D(),
                                  keras.layers.Dense(1, activation="sigmoid")])
    else:
        config["input_shape"] = [num_words]
        model = keras.Sequential([keras.Input((num_words,)), keras.layers.Dense(1, activation="sigmoid")])
        weights = np.zeros((num_words, 1), dtype=np.float32)
        index = {w: i + 4 for i, w in enumerate(WORDS)}
        for word, weight in (("great", 4.0), ("good", 2.0), ("awful", -4.0), ("bad", -2.0)):
            weights[index[word], 0] = weight
        model.layers[0].set_weights([weights, np.zeros(1, dtype=np.float32)])
    pre = Preprocessor("text", config, class_names=["negative", "positive"])
    return _finish(root, "reviews", "keras:imdb", model, pre,
                   {"kind": "text", "class_names": ["negative", "positive"], "num_classes": 2,
                    "label_format": "binary", "input_shape": config["input_shape"]})


def make_image_run(root: Path) -> Path:
    from workbench.core.data.preprocess import Preprocessor
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    names = [str(i) for i in range(10)]
    pre = Preprocessor("image", {"image_shape": [28, 28, 1], "flatten": True, "scale": True,
                                 "input_shape": [784]}, class_names=names)
    return _finish(root, "digits", "keras:mnist", model, pre,
                   {"kind": "image", "class_names": names, "num_classes": 10, "label_format": "sparse",
                    "input_shape": [784]})


def make_char_run(root: Path, *, maxlen: int = 20, status: str = "finished") -> Path:
    from workbench.core.data.preprocess import Preprocessor
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(5)
    corpus = root / "corpus.txt"
    root.mkdir(parents=True, exist_ok=True)
    corpus.write_text(CORPUS, encoding="utf-8")
    chars = sorted(set(CORPUS))
    model = keras.Sequential([keras.Input((maxlen, len(chars))), keras.layers.LSTM(16),
                              keras.layers.Dense(len(chars), activation="softmax")])
    pre = Preprocessor("corpus", {"chars": chars, "maxlen": maxlen, "step": 3, "lowercase": True,
                                  "input_shape": [maxlen, len(chars)]})
    return _finish(root, "chars", f"corpus:{corpus}", model, pre,
                   {"kind": "corpus", "class_names": [], "num_classes": len(chars),
                    "label_format": "categorical", "input_shape": [maxlen, len(chars)]}, status=status)


def make_points_run(root: Path) -> Path:
    from workbench.core.data.preprocess import Preprocessor
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    pre = Preprocessor("points", {"input_shape": [2]}, class_names=["outer", "inner"])
    return _finish(root, "circles", "synthetic:circles", model, pre,
                   {"kind": "points", "class_names": ["outer", "inner"], "num_classes": 2,
                    "label_format": "binary", "input_shape": [2]})


def make_table_run(root: Path) -> Path:
    from workbench.core.data.preprocess import Preprocessor
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(9)
    features = [{"name": "age", "type": "numeric", "mean": 30.0, "std": 12.0, "fill": 28.0},
                {"name": "sex", "type": "categorical", "categories": ["female", "male"], "fill": "male"}]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    pre = Preprocessor("table", {"features": features, "target": "survived", "input_shape": [3]},
                       class_names=["died", "survived"])
    return _finish(root, "titanic", "csv:titanic.csv?target=survived", model, pre,
                   {"kind": "table", "class_names": ["died", "survived"], "num_classes": 2,
                    "label_format": "binary", "input_shape": [3]})


def make_all(root: Path) -> list[Path]:
    """One run of each kind in ``root``."""
    return [make(root) for make in (make_text_run, make_image_run, make_char_run, make_points_run,
                                    make_table_run)]


if __name__ == "__main__":
    for path in make_all(Path(sys.argv[1])):
        print(path)
