"""``keras-workbench``: the command-line front end over the same core as the window.

Every command prints one clear line to stderr and exits non-zero on a user error; a traceback
is shown only with ``--debug``. Exit codes: 0 success, 1 user error, 2 bad arguments,
3 capability not available yet, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import workbench
from workbench.core.errors import NotAvailableYet, WorkbenchError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_AVAILABLE = 3


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False), flush=True)


def _capability(module: str, name: str) -> Callable[..., Any]:
    """Look up a core function; a capability that has not landed yet is reported as such."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("workbench"):
            raise NotAvailableYet("this command is not available yet in this version.") from None
        raise
    try:
        return getattr(mod, name)
    except AttributeError:
        raise NotAvailableYet("this command is not available yet in this version.") from None


def _load(path: str):
    from workbench.core.document import load_document

    return load_document(path)


# --------------------------------------------------------------------------- commands


def cmd_templates(args: argparse.Namespace) -> int:
    from workbench.core.design.templates import list_templates

    templates = list_templates()
    if args.json:
        _print_json([{"id": t.id, "name": t.name, "description": t.description, "source": t.source}
                     for t in templates])
    else:
        width = max(len(t.id) for t in templates)
        for t in templates:
            print(f"{t.id:<{width}}  {t.description}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from workbench.core.design.templates import load_template
    from workbench.core.document import save_document
    from workbench.core.sources import parse_source

    document = load_template(args.template)
    if args.data:
        parse_source(args.data)
        document.data.source = args.data
    out = Path(args.output)
    if out.exists() and not args.force:
        raise WorkbenchError(f"{out}: already exists; choose another name or pass --force to replace it.")
    save_document(document, out)
    print(f"Wrote {out} from template {args.template}.", file=sys.stderr)
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    document = _load(args.file)
    summarize = _capability("workbench.core.design.summary", "summarize")
    summary = summarize(document)
    if args.json:
        _print_json(summary.to_dict())
    else:
        print(summary.format_table())
    if summary.errors:
        print(f"error: {summary.errors[0].format()}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.core.storage import atomic_write_text

    document = _load(args.file)
    export_python = _capability("workbench.core.design.export", "export_python")
    code = export_python(document)
    atomic_write_text(args.python, code)
    print(f"Wrote {args.python}.", file=sys.stderr)
    return EXIT_OK


def cmd_datasets(args: argparse.Namespace) -> int:
    list_datasets = _capability("workbench.core.data.catalog", "list_datasets")
    cards = list_datasets()
    if args.json:
        _print_json([card.to_dict() for card in cards])
    else:
        for card in cards:
            print(card.format_line())
    return EXIT_OK


def cmd_data_show(args: argparse.Namespace) -> int:
    show_sample = _capability("workbench.core.data.samples", "show_sample")
    sample = show_sample(args.source, index=args.index, split=args.split)
    if args.json:
        _print_json(sample)
    else:
        for key, value in sample.items():
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_data_import(args: argparse.Namespace) -> int:
    import_dataset_file = _capability("workbench.core.data.catalog", "import_dataset_file")
    card = import_dataset_file(args.file)
    if args.json:
        _print_json(card.to_dict())
    else:
        print(card.format_line())
    return EXIT_OK


def cmd_import_model(args: argparse.Namespace) -> int:
    from workbench.core.design.importer import import_keras_model
    from workbench.core.document import ExperimentDocument, save_document

    out = Path(args.output)
    if out.exists() and not args.force:
        raise WorkbenchError(f"{out}: already exists; choose another name or pass --force to replace it.")
    document = ExperimentDocument(name=Path(args.model).stem, model=import_keras_model(args.model))
    if args.data:
        from workbench.core.sources import parse_source

        parse_source(args.data)
        document.data.source = args.data
    save_document(document, out)
    print(f"Wrote {out} with the {len(document.model.layers)} layers of {args.model}.", file=sys.stderr)
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    document = _load(args.file)
    train_command = _capability("workbench.core.training.commands", "train_command")
    return train_command(document, epochs=args.epochs, data=args.data, runs=args.runs,
                         as_json=args.json, emit=_print_json)


def cmd_runs(args: argparse.Namespace) -> int:
    runs_command = _capability("workbench.core.training.commands", "runs_command")
    return runs_command(runs=args.runs, as_json=args.json, emit=_print_json, rename=args.rename, note=args.note,
                        delete=args.delete)


def cmd_predict(args: argparse.Namespace) -> int:
    predict_command = _capability("workbench.core.training.commands", "predict_command")
    return predict_command(args.run, text=args.text, image=args.image, row=args.row, point=args.point,
                           runs=args.runs, as_json=args.json, emit=_print_json)


def cmd_generate(args: argparse.Namespace) -> int:
    generate_command = _capability("workbench.core.generation.commands", "generate_command")
    return generate_command(args.run, seed=args.seed, temperature=args.temperature, length=args.length,
                            random_seed=args.random_seed, runs=args.runs, as_json=args.json,
                            emit=_print_json)


def cmd_sweep(args: argparse.Namespace) -> int:
    document = _load(args.file)
    sweep_command = _capability("workbench.core.training.commands", "sweep_command")
    return sweep_command(document, grid=args.grid, epochs=args.epochs, runs=args.runs,
                         as_json=args.json, emit=_print_json)


def cmd_selftest(args: argparse.Namespace) -> int:
    from workbench.gui.selftest import run_selftest

    result = run_selftest(args)
    if args.json:
        _print_json(result)
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return EXIT_OK if result.get("ok", True) else EXIT_ERROR


def cmd_install_desktop(args: argparse.Namespace) -> int:
    install_desktop = _capability("workbench.core.desktop", "install_desktop")
    for line in install_desktop(prefix=args.prefix):
        print(line)
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from workbench.gui.app import run_app

    return run_app(args.file)


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-workbench",
        description="Build, train and play with Keras models. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"keras-workbench {workbench.__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show tracebacks for errors")
        p.set_defaults(handler=handler)
        return p

    def runs_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--runs", metavar="DIR", help="runs folder (default: the user data folder)")

    p = add("open", cmd_gui, "open the window, optionally with an experiment file")
    p.add_argument("file", nargs="?", help="experiment file to open")

    p = add("templates", cmd_templates, "list the model templates")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("new", cmd_new, "write a new experiment file from a template")
    p.add_argument("template", help="template id (see `keras-workbench templates`)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="experiment file to write")
    p.add_argument("--data", metavar="SOURCE", help="data source string, e.g. csv:PATH?target=col")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")

    p = add("summary", cmd_summary, "show layers, output shapes and parameter counts of an experiment")
    p.add_argument("file", help="experiment file")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("export", cmd_export, "export an experiment as a standalone Keras script")
    p.add_argument("file", help="experiment file")
    p.add_argument("--python", required=True, metavar="OUT.py", help="script to write")

    p = add("datasets", cmd_datasets, "list the dataset catalog and each source's status")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("data", lambda a: (p_data.print_help(), EXIT_USAGE)[1], "look at data samples")
    p_data = p
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    p = data_sub.add_parser("show", help="show one decoded sample", description="show one decoded sample")
    p.set_defaults(handler=cmd_data_show)
    p.add_argument("source", help="data source string, e.g. keras:imdb or idx:PATH")
    p.add_argument("--index", type=int, default=0, metavar="N", help="sample index (default 0)")
    p.add_argument("--split", choices=["train", "test"], default="train", help="which split (default train)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = data_sub.add_parser("import", help="check a Keras dataset file and copy it into the cache",
                            description="check a Keras dataset file (imdb.npz, mnist.npz, "
                                        "imdb_word_index.json, …) and copy it into the cache")
    p.set_defaults(handler=cmd_data_import)
    p.add_argument("file", help="the dataset file, as Keras downloads it")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("import-model", cmd_import_model,
            "write an experiment whose model is read from a .keras file (safe mode, no custom code)")
    p.add_argument("model", metavar="MODEL.keras", help="a Sequential or linear functional Keras model")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="experiment file to write")
    p.add_argument("--data", metavar="SOURCE", help="data source string")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")

    p = add("train", cmd_train, "train an experiment and record the run")
    p.add_argument("file", help="experiment file")
    p.add_argument("--epochs", type=int, metavar="N", help="override the number of epochs")
    p.add_argument("--data", metavar="SOURCE", help="override the data source")
    runs_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON line per epoch and a final line")

    p = add("runs", cmd_runs, "list training runs (or rename, note or delete one)")
    runs_option(p)
    change = p.add_mutually_exclusive_group()
    change.add_argument("--rename", nargs=2, metavar=("RUN", "NAME"), help="give run RUN a new display name")
    change.add_argument("--note", nargs=2, metavar=("RUN", "TEXT"), help="attach a note to run RUN ('' removes it)")
    change.add_argument("--delete", metavar="RUN", help="delete run RUN and its files")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("predict", cmd_predict, "predict with a finished run (one input: text, image, table row or point)")
    p.add_argument("run", metavar="RUN", help="run id or run folder")
    inputs = p.add_mutually_exclusive_group(required=True)
    inputs.add_argument("--text", help="text to classify")
    inputs.add_argument("--image", metavar="FILE", help="image file to classify (a digit photo is centred like MNIST)")
    inputs.add_argument("--row", metavar="JSON", help='table row as a JSON object, e.g. \'{"age": 22, "sex": "male"}\'')
    inputs.add_argument("--point", metavar="X,Y", help="2-D point of a synthetic run, e.g. 0.5,1.2 "
                        "(write --point=-0.5,1.2 when X is negative)")
    runs_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("generate", cmd_generate, "generate text with a character-level run")
    p.add_argument("run", metavar="RUN", help="run id or run folder")
    p.add_argument("--seed", required=True, metavar="TEXT", help="seed text")
    p.add_argument("--temperature", type=float, default=0.5, metavar="T", help="sampling temperature")
    p.add_argument("--length", type=int, default=200, metavar="N", help="characters to generate")
    p.add_argument("--random-seed", type=int, default=None, metavar="S", help="seed for reproducible sampling")
    runs_option(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("sweep", cmd_sweep, "run a hyperparameter grid")
    p.add_argument("file", help="experiment file")
    p.add_argument("--grid", required=True, metavar="SPEC",
                   help='e.g. "activation=relu,tanh;hidden_units=16,32"')
    p.add_argument("--epochs", type=int, metavar="N", help="override the number of epochs")
    runs_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON line per trial and a ranking")

    p = add("selftest", cmd_selftest, "open the real window offscreen, visit every panel, take screenshots")
    p.add_argument("--screenshots", metavar="DIR", help="folder for one PNG per panel")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--journey", choices=["train", "playground", "generate"], help="scripted user journey")
    p.add_argument("--template", help="template for --journey train")
    p.add_argument("--data", metavar="SOURCE", help="data source for --journey train")
    p.add_argument("--epochs", type=int, default=2, metavar="N", help="epochs for --journey train")
    p.add_argument("--run", metavar="RUN", help="run for --journey playground/generate")
    p.add_argument("--text", help="text for --journey playground")
    p.add_argument("--temperatures", default="0.2,1.0", help="temperatures for --journey generate")
    p.add_argument("--length", type=int, default=100, help="length for --journey generate")
    runs_option(p)

    p = add("install-desktop", cmd_install_desktop,
            "install a desktop entry, icon and experiment file type (Linux)")
    p.add_argument("--prefix", metavar="DIR", help="data folder to install into (default ~/.local/share)")
    return parser


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `keras-workbench FILE` opens that file: anything that is not a command or an option.
    first = next((a for a in argv if a != "--debug"), None)
    if first is None:
        argv = [a for a in argv if a == "--debug"] + ["open"]
    elif not first.startswith("-") and first not in _command_names(parser):
        argv.insert(argv.index(first), "open")
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        return int(args.handler(args) or 0)
    except NotAvailableYet as exc:
        print(f"keras-workbench {args.command}: {exc}", file=sys.stderr)
        return EXIT_NOT_AVAILABLE
    except WorkbenchError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (run again with --debug for details)",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
