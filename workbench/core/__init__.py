"""Qt-free core of Keras Workbench: documents, catalog, data, training, generation, storage.

Nothing in this package may import PySide6 or pyqtgraph, and nothing may import TensorFlow or
Keras at module level (use :func:`workbench.core.kerasenv.import_keras` inside functions).
"""
