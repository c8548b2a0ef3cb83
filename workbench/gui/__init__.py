"""Qt front end: thin panels over :mod:`workbench.core`. Never imports TensorFlow at import time."""
