"""The dataset catalog: every built-in source with its status, and importing Keras files."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from workbench.core.data import keras_files
from workbench.core.data.synthetic import DESCRIPTIONS as SYNTHETIC_DESCRIPTIONS
from workbench.core.errors import DataError, WorkbenchError
from workbench.core.sources import parse_source

STATUSES = ("ready", "needs download", "imported", "error", "offline")
_KIND_OF_SOURCE = {"csv": "table", "text-folder": "text", "image-folder": "image", "idx": "image",
                   "corpus": "corpus", "synthetic": "points"}

_KERAS = {
    "imdb": ("IMDB movie reviews", "text",
             "50,000 reviews labelled positive/negative, as word indices (Keras imdb.npz)."),
    "reuters": ("Reuters newswires", "text", "11,228 newswires in 46 topics, as word indices (reuters.npz)."),
    "mnist": ("MNIST digits", "image", "70,000 handwritten digits, 28 x 28 grayscale (mnist.npz)."),
    "fashion_mnist": ("Fashion-MNIST", "image", "70,000 clothing images in 10 classes, 28 x 28 grayscale."),
    "cifar10": ("CIFAR-10", "image", "60,000 colour photos in 10 classes, 32 x 32 (cifar-10-python.tar.gz)."),
    "boston_housing": ("Boston housing", "table", "506 suburbs, 13 features, median price to predict."),
}


@dataclass
class DatasetCard:
    """One catalog entry: a source string and whether it can be used now."""

    source: str
    title: str
    description: str
    kind: str
    status: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format_line(self) -> str:
        line = f"{self.source:<24} {self.status:<15} {self.title}"
        return f"{line} — {self.detail}" if self.detail else line

    @property
    def usable(self) -> bool:
        return self.status in ("ready", "imported")


def keras_card(name: str) -> DatasetCard:
    title, kind, description = _KERAS[name]
    try:
        status, detail = keras_files.dataset_status(name)
    except (OSError, DataError) as exc:
        status, detail = "error", str(exc)
    return DatasetCard(f"keras:{name}", title, description, kind, status, detail)


def synthetic_card(name: str) -> DatasetCard:
    return DatasetCard(f"synthetic:{name}", f"Synthetic {name}", SYNTHETIC_DESCRIPTIONS[name], "points", "ready",
                       "generated on the fly; options n, noise, seed")


def list_datasets() -> list[DatasetCard]:
    """Built-in sources: synthetic sets (always ready) then Keras datasets with their cache status."""
    return ([synthetic_card(n) for n in SYNTHETIC_DESCRIPTIONS]
            + [keras_card(n) for n in _KERAS])


def import_dataset_file(path: str | Path) -> DatasetCard:
    """Check a Keras dataset file (name, checksum, structure) and copy it into our cache."""
    name = keras_files.import_file(path)
    return keras_card(name)


def download_dataset(name: str, progress=None, should_stop=None) -> DatasetCard:
    """Download ``keras:NAME`` (cancellable via ``should_stop``); offline gives a DataError saying
    to use Import. Accepts "imdb" or "keras:imdb"."""
    name = name.removeprefix("keras:")
    keras_files.download_dataset(name, progress, should_stop)
    return keras_card(name)


def kind_of_source(text: str) -> str | None:
    """The kind of data a source string gives, known before loading it (None if unparsable)."""
    try:
        source = parse_source(text)
    except WorkbenchError:
        return None
    if source.kind == "keras":
        entry = _KERAS.get(source.location)
        return entry[1] if entry else None
    return _KIND_OF_SOURCE.get(source.kind)


def same_dataset(a: str, b: str) -> bool:
    """Same kind and location, whatever the options (the catalog lists datasets, not option sets)."""
    try:
        pa, pb = parse_source(a), parse_source(b)
    except WorkbenchError:
        return False
    return (pa.kind, pa.location) == (pb.kind, pb.location)


def same_source(a: str, b: str) -> bool:
    """Same source string once normalized (options included)."""
    try:
        return str(parse_source(a)) == str(parse_source(b))
    except WorkbenchError:
        return a.strip() == b.strip()
