"""``keras-workbench generate`` and ``predict`` on runs written like the trainer writes them."""

from __future__ import annotations

import json

from playground_runs import make_char_run, make_text_run

from workbench.cli import main


def test_generate_json(tmp_path, capsys):
    run = make_char_run(tmp_path, maxlen=20)
    seed = "the quick brown fox "
    code = main(["generate", run.name, "--seed", seed, "--temperature", "0.5", "--length", "25",
                 "--random-seed", "4", "--runs", str(tmp_path), "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert set(out) == {"text", "chars_per_second"} and len(out["text"]) == 25
    main(["generate", str(run), "--seed", seed.upper(), "--temperature", "0.5", "--length", "25",
          "--random-seed", "4", "--json"])  # a run folder path works too; the run lowercases seeds
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["text"] == out["text"]


def test_generate_bad_input_is_one_clear_line(tmp_path, capsys):
    run = make_char_run(tmp_path, maxlen=20)
    for args, expected in ((["--seed", "too short"], "windows of 20 characters"),
                           (["--seed", "the quick brown fox€", ], "never saw"),
                           (["--seed", "the quick brown fox ", "--temperature", "5"], "outside 0.05–2.0")):
        code = main(["generate", run.name, "--runs", str(tmp_path), "--length", "5", *args])
        err = capsys.readouterr().err
        assert code == 1 and expected in err and "Traceback" not in err


def test_predict_json(tmp_path, capsys):
    run = make_text_run(tmp_path)
    code = main(["predict", run.name, "--text", "a great zorblax", "--runs", str(tmp_path), "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert out["label"] == "positive" and set(out["probabilities"]) == {"negative", "positive"}
    assert out["tokens"][1] == {"word": "great", "index": 7, "in_vocabulary": True}
    assert out["tokens"][2]["in_vocabulary"] is False
