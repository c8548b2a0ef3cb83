"""Model designs: shape inference, checks, building Keras models, code export, templates."""
