"""Keras Workbench: build, train and play with Keras models in a desktop app."""

import os

__version__ = "0.1.0"

# Keras reads the backend once, at its first import, and a user's ~/.keras/keras.json would
# otherwise win. The workbench is written for TensorFlow; WORKBENCH_KERAS_BACKEND lets the
# benchmarks try another backend on purpose.
os.environ["KERAS_BACKEND"] = os.environ.get("WORKBENCH_KERAS_BACKEND", "tensorflow")
# TensorFlow's C++ start-up chatter would land in the user's terminal for every command.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
