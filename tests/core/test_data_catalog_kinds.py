"""What the catalog knows about a source string before loading it."""

from __future__ import annotations

from workbench.core.data.catalog import kind_of_source, list_datasets, same_dataset, same_source


def test_kind_of_every_listed_dataset_matches_its_card():
    for card in list_datasets():
        assert kind_of_source(card.source) == card.kind, card.source


def test_kinds_of_user_sources_and_unknowns():
    assert kind_of_source("csv:/x/t.csv?target=y") == "table"
    assert kind_of_source("text-folder:/reviews") == "text"
    assert kind_of_source("corpus:/n.txt") == "corpus"
    assert kind_of_source("keras:nothing") is None and kind_of_source("no source") is None


def test_same_dataset_ignores_options_same_source_does_not():
    assert same_dataset("synthetic:circles?n=10", "synthetic:circles")
    assert not same_source("synthetic:circles?n=10", "synthetic:circles")
    assert same_source(" synthetic:circles?n=10", "synthetic:circles?n=10")
