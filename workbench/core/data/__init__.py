"""Datasets: sources, safe loaders, preprocessing and batch feeding (Qt-free).

Entry points: :func:`workbench.core.data.prepare.prepare_data`,
:func:`workbench.core.data.catalog.list_datasets`, :func:`workbench.core.data.samples.show_sample`.
"""
