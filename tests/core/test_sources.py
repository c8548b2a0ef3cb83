import pytest

from workbench.core.errors import SourceError
from workbench.core.sources import KERAS_DATASETS, DataSource, parse_source


@pytest.mark.parametrize("name", KERAS_DATASETS)
def test_keras_sources(name):
    assert parse_source(f"keras:{name}") == DataSource("keras", name)


@pytest.mark.parametrize(
    ("text", "kind", "location", "options"),
    [
        ("csv:data/titanic.csv?target=Survived", "csv", "data/titanic.csv", {"target": "Survived"}),
        ("text-folder:/data/aclImdb", "text-folder", "/data/aclImdb", {}),
        ("image-folder:pics", "image-folder", "pics", {}),
        ("idx:/x/mnist", "idx", "/x/mnist", {}),
        ("corpus:nietzsche.txt", "corpus", "nietzsche.txt", {}),
        ("synthetic:spirals?n=600&noise=0.2", "synthetic", "spirals", {"n": "600", "noise": "0.2"}),
        ("  KERAS:MNIST ", "keras", "mnist", {}),
        ("csv:C:\\data\\my file.csv", "csv", "C:\\data\\my file.csv", {}),
    ],
)
def test_parsing(text, kind, location, options):
    source = parse_source(text)
    assert (source.kind, source.location, source.options) == (kind, location, options)


def test_string_form_round_trips():
    for text in ("keras:imdb", "csv:a.csv?target=y", "synthetic:xor?n=10&noise=0.1"):
        assert str(parse_source(text)) == text
        assert parse_source(str(parse_source(text))) == parse_source(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a data source is needed"),
        ("imdb", 'missing "KIND:"'),
        ("ftp:server/file", 'unknown data source kind "ftp"'),
        ("keras:imagenet", 'unknown Keras dataset "imagenet"; available: imdb, reuters'),
        ("synthetic:moons", 'unknown synthetic dataset "moons"'),
        ("csv:", '"csv:" needs a path after "csv:"'),
        ("csv:a.csv?target", 'option "target"'),
    ],
)
def test_errors_say_what_is_accepted(text, expected):
    with pytest.raises(SourceError) as info:
        parse_source(text)
    assert expected in str(info.value)
