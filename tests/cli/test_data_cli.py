"""`keras-workbench datasets` and `keras-workbench data show`."""

from __future__ import annotations

import json

import numpy as np

from workbench import cli
from workbench.core import paths


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_imdb():
    folder = paths.keras_home() / "datasets"
    folder.mkdir(parents=True, exist_ok=True)

    def objects(lists):
        array = np.empty(len(lists), dtype=object)
        for i, item in enumerate(lists):
            array[i] = item
        return array

    np.savez(folder / "imdb.npz", x_train=objects([[11, 17, 9], [2, 3]]), y_train=np.array([1, 0]),
             x_test=objects([[1]]), y_test=np.array([0]))
    words = ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i", "this", "that", "was", "as", "for", "with", "movie", "but", "film", "on"]
    (folder / "imdb_word_index.json").write_text(json.dumps({w: i + 1 for i, w in enumerate(words)}))


def test_datasets_json_lists_statuses(capsys):
    write_imdb()
    code, out, _ = run(capsys, "datasets", "--json")
    assert code == 0
    cards = {c["source"]: c for c in json.loads(out)}
    assert cards["keras:imdb"]["status"] == "ready"
    assert cards["keras:mnist"]["status"] == "needs download"
    assert cards["synthetic:circles"]["kind"] == "points"


def test_datasets_plain_text(capsys):
    code, out, _ = run(capsys, "datasets")
    assert code == 0 and "keras:imdb" in out and "needs download" in out


def test_data_show_imdb_decodes_with_markers(capsys):
    write_imdb()
    code, out, _ = run(capsys, "data", "show", "keras:imdb?num_words=16", "--index", "0", "--json")
    assert code == 0
    sample = json.loads(out)
    assert sample["label"] == 1 and sample["label_name"] == "positive"
    assert sample["indices"] == [1, 14, 2, 12]
    assert sample["text"] == "[start] this [OOV] it"


def test_data_show_table_and_test_split(capsys, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i % 2}\n" for i in range(10)))
    code, out, _ = run(capsys, "data", "show", f"csv:{path}?target=b", "--index", "1", "--split", "test", "--json")
    assert code == 0
    sample = json.loads(out)
    assert set(sample["row"]) == {"a", "b"} and sample["label_name"] == sample["row"]["b"]


def test_data_show_bad_index_is_one_clear_line(capsys):
    code, out, err = run(capsys, "data", "show", "synthetic:xor", "--index", "99999")
    assert code == 1 and out == ""
    assert err.startswith("error: index 99999 is out of range") and "Traceback" not in err


def test_data_show_missing_dataset_says_import(capsys):
    code, _, err = run(capsys, "data", "show", "keras:reuters")
    assert code == 1 and "Import" in err and "reuters.npz" in err
