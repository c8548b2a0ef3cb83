"""Data source strings, used alike by documents, the command line and the window.

Form: ``KIND:LOCATION`` with optional ``?key=value&key=value`` options, e.g.
``keras:imdb``, ``csv:titanic/train.csv?target=Survived``, ``synthetic:spirals?noise=0.2&n=600``.
Parsing checks the form and the names; whether a path exists is the loader's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

from workbench.core.errors import SourceError

KERAS_DATASETS = ("imdb", "reuters", "mnist", "fashion_mnist", "cifar10", "boston_housing")
SYNTHETIC_DATASETS = ("circles", "spirals", "xor", "gaussians")
PATH_KINDS = ("csv", "text-folder", "image-folder", "idx", "corpus")
KINDS = ("keras", "synthetic") + PATH_KINDS

ACCEPTED_FORMS = (
    "keras:NAME (" + ", ".join(KERAS_DATASETS) + "), "
    "synthetic:NAME (" + ", ".join(SYNTHETIC_DATASETS) + "), "
    "csv:PATH, text-folder:PATH, image-folder:PATH, idx:PATH, corpus:PATH"
)


@dataclass(frozen=True)
class DataSource:
    """A parsed source string. ``location`` is a dataset name or a path, per ``kind``."""

    kind: str
    location: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def is_path(self) -> bool:
        return self.kind in PATH_KINDS

    def __str__(self) -> str:
        text = f"{self.kind}:{self.location}"
        if self.options:
            text += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in self.options.items())
        return text

    def __hash__(self) -> int:
        return hash(str(self))


def parse_source(text: str) -> DataSource:
    """Parse a source string or raise :class:`SourceError` saying what is accepted."""
    if not isinstance(text, str) or not text.strip():
        raise SourceError(f"a data source is needed; use one of: {ACCEPTED_FORMS}.")
    text = text.strip()
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if not sep:
        raise SourceError(
            f'"{text}" is not a data source string (missing "KIND:"); use one of: {ACCEPTED_FORMS}.'
        )
    if kind not in KINDS:
        raise SourceError(f'unknown data source kind "{kind}" in "{text}"; use one of: {ACCEPTED_FORMS}.')
    location, _, query = rest.partition("?")
    location = location.strip()
    options: dict[str, str] = {}
    if query:
        for pair in query.split("&"):
            if not pair:
                continue
            if "=" not in pair:
                raise SourceError(f'option "{pair}" in "{text}" must be written key=value.')
            options.update(parse_qsl(pair, keep_blank_values=True))
    if not location:
        what = "a dataset name" if kind in ("keras", "synthetic") else "a path"
        raise SourceError(f'"{text}" needs {what} after "{kind}:".')
    if kind == "keras":
        location = location.lower()
        if location not in KERAS_DATASETS:
            raise SourceError(
                f'unknown Keras dataset "{location}"; available: {", ".join(KERAS_DATASETS)}.'
            )
    elif kind == "synthetic":
        location = location.lower()
        if location not in SYNTHETIC_DATASETS:
            raise SourceError(
                f'unknown synthetic dataset "{location}"; available: {", ".join(SYNTHETIC_DATASETS)}.'
            )
    return DataSource(kind=kind, location=location, options=options)
