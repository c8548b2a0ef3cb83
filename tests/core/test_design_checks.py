"""One test per design-check message: right text, right layer index, error vs warning."""

from __future__ import annotations

from workbench.core.design.summary import summarize
from workbench.core.document import CompileSpec, DataSpec, ExperimentDocument, LayerEntry, ModelSpec


def doc(shape, layers, loss="mse", source="synthetic:circles", options=None, **model_flags):
    return ExperimentDocument(
        model=ModelSpec(input_shape=shape, layers=[LayerEntry(t, dict(c or {})) for t, c in layers], **model_flags),
        compile=CompileSpec(optimizer="adam", loss=loss, metrics=[]),
        data=DataSpec(source=source, options=dict(options or {})))


def only_error(document, text, index):
    summary = summarize(document)
    assert not summary.ok
    matching = [issue for issue in summary.errors if text in issue.message]
    assert matching, [issue.format() for issue in summary.errors]
    assert matching[0].layer_index == index and matching[0].severity == "error"
    return matching[0]


def only_warning(document, text, index):
    summary = summarize(document)
    assert summary.ok, [issue.format() for issue in summary.errors]
    matching = [issue for issue in summary.warnings if text in issue.message]
    assert matching, [issue.format() for issue in summary.warnings]
    assert matching[0].layer_index == index and matching[0].severity == "warning"
    return matching[0]


DENSE1 = ("Dense", {"units": 1})
SIGMOID1 = ("Dense", {"units": 1, "activation": "sigmoid"})


# --------------------------------------------------------------------------- model-level


def test_no_layers():
    only_error(doc([4], []), "the model has no layers yet", None)


def test_missing_input_shape():
    issue = only_error(doc(None, [DENSE1]), "the model has no input shape", None)
    assert "[784]" in issue.message and issue.format().startswith("the model has no input shape")


def test_input_from_data_without_shape_is_a_warning():
    summary = summarize(doc(None, [DENSE1], input_from_data=True))
    assert summary.ok and "taken from the data" in summary.warnings[0].message
    assert summary.layers[0].output_shape is None


def test_input_layer_overrides_model_shape_with_warning():
    only_warning(doc([3], [("Input", {"shape": [5]}), DENSE1]), "replaces the model's input shape", 0)
    assert summarize(doc([3], [("Input", {"shape": [5]}), DENSE1])).layers[1].params == 6


# --------------------------------------------------------------------------- layer-level


def test_unknown_layer_type():
    only_error(doc([4], [("Transformer", {}), DENSE1]), '"Transformer" is not a layer the builder knows', 0)


def test_bad_setting_value():
    issue = only_error(doc([4], [("Dense", {"units": 0}), DENSE1]), "units must be at least 1, got 0", 0)
    assert issue.format() == "layer 1 (Dense): units must be at least 1, got 0."


def test_input_layer_not_first():
    only_error(doc([4], [DENSE1, ("Input", {"shape": [4]})]), "an Input layer can only be the first layer", 1)


def test_conv2d_after_dense():
    issue = only_error(doc([784], [("Dense", {"units": 32}), ("Conv2D", {"filters": 8})]),
                       "Conv2D expects an image (height × width × channels) but receives a flat vector (32,)", 1)
    assert "[28, 28, 1]" in issue.message


def test_lstm_on_flat_input():
    only_error(doc([100], [("LSTM", {"units": 8}), DENSE1]),
               "LSTM expects a sequence (steps × features) but receives a flat vector (100,)", 0)


def test_global_pooling_1d_on_flat_input():
    only_error(doc([10], [("GlobalMaxPooling1D", {}), DENSE1]), "GlobalMaxPooling1D expects a sequence", 0)


def test_flatten_on_flat_input_is_a_warning():
    only_warning(doc([10], [("Flatten", {}), DENSE1]), "Flatten does nothing here", 0)


def test_conv_window_larger_than_image_collapses():
    issue = only_error(doc([4, 4, 1], [("Conv2D", {"filters": 2, "kernel_size": [5, 5]}), ("Flatten", {}), DENSE1]),
                       "Conv2D would output 0 rows", 0)
    assert "padding 'same'" in issue.message


def test_pooling_shrinks_to_nothing():
    only_error(doc([3, 3, 1], [("MaxPooling2D", {}), ("MaxPooling2D", {}), ("Flatten", {}), DENSE1]),
               "MaxPooling2D would output 0 rows", 1)


def test_conv1d_sequence_too_short():
    only_error(doc([5], [("Embedding", {"input_dim": 10, "output_dim": 4}), ("Conv1D", {"kernel_size": 7}),
                         ("Flatten", {}), DENSE1]), "Conv1D would output -1 steps", 1)


def test_reshape_count_mismatch():
    only_error(doc([12], [("Reshape", {"target_shape": [5, 2]}), ("Flatten", {}), DENSE1]),
               "Reshape cannot turn (12,) (12 values) into (5, 2) (10 values)", 0)


def test_reshape_not_divisible():
    only_error(doc([12], [("Reshape", {"target_shape": [5, -1]}), ("Flatten", {}), DENSE1]),
               "12 is not divisible by 5", 0)


def test_reshape_two_unknowns():
    only_error(doc([12], [("Reshape", {"target_shape": [-1, -1]}), ("Flatten", {}), DENSE1]),
               "may contain -1 only once", 0)


def test_dense_needs_known_last_axis():
    only_error(doc([None], [("Embedding", {"input_dim": 10, "output_dim": 4}), ("Flatten", {}), DENSE1]),
               "Dense needs to know the size of the last axis", 2)


def test_embedding_not_first_is_a_warning():
    only_warning(doc([4], [("Dense", {"units": 3}), ("Embedding", {"input_dim": 10, "output_dim": 2}),
                           ("Flatten", {}), DENSE1]), "Embedding looks up whole-number word indices", 1)


def test_later_layers_unknown_after_an_error():
    summary = summarize(doc([784], [("Conv2D", {}), ("Dense", {"units": 3})]))
    assert summary.layers[0].error and summary.layers[1].output_shape is None and summary.layers[1].error is None
    assert len(summary.errors) == 1


# --------------------------------------------------------------------------- head / loss / labels


def test_output_per_position():
    only_error(doc([20], [("Embedding", {"input_dim": 100, "output_dim": 8}), SIGMOID1], loss="binary_crossentropy"),
               "the model ends with one output per step/position", 1)


def test_sigmoid_with_categorical_crossentropy():
    only_error(doc([4], [("Dense", {"units": 3, "activation": "sigmoid"})], loss="categorical_crossentropy",
                   source="csv:x.csv"), "a sigmoid head gives independent yes/no scores", 0)


def test_softmax_single_unit():
    only_error(doc([4], [("Dense", {"units": 1, "activation": "softmax"})], loss="binary_crossentropy"),
               "softmax over a single unit always outputs 1.0", 0)


def test_softmax_units_differ_from_classes_of_source():
    issue = only_error(doc([784], [("Dense", {"units": 8, "activation": "softmax"})],
                           loss="sparse_categorical_crossentropy", source="keras:mnist"),
                       "the head has 8 softmax units but the data has 10 classes; set units to 10", 0)
    assert issue.layer_index == 0


def test_softmax_units_differ_from_classes_option():
    only_error(doc([4], [("Dense", {"units": 16}), ("Dense", {"units": 4, "activation": "softmax"})],
                   loss="sparse_categorical_crossentropy", source="csv:iris.csv", options={"num_classes": 3}),
               "the head has 4 softmax units but the data has 3 classes", 1)


def test_output_from_data_skips_class_count():
    summary = summarize(doc([784], [("Dense", {"units": 8, "activation": "softmax"})],
                            loss="sparse_categorical_crossentropy", source="keras:mnist", output_from_data=True))
    assert summary.ok


def test_softmax_units_for_two_classes():
    only_error(doc([10], [("Dense", {"units": 3, "activation": "softmax"})],
                   loss="sparse_categorical_crossentropy", source="keras:imdb"),
               "the head has 3 softmax units but the data has 2 classes", 0)


def test_single_sigmoid_for_many_classes():
    only_error(doc([784], [SIGMOID1], loss="binary_crossentropy", source="keras:mnist"),
               "one sigmoid output can only separate two classes, but the data has 10", 0)


def test_categorical_loss_on_single_linear_unit():
    only_error(doc([4], [DENSE1], loss="sparse_categorical_crossentropy", source="csv:x.csv"),
               "sparse_categorical_crossentropy needs one output per class", 0)


def test_sparse_loss_with_one_hot_labels():
    only_error(doc([4], [("Dense", {"units": 3, "activation": "softmax"})], loss="sparse_categorical_crossentropy",
                   source="csv:x.csv", options={"label_format": "one_hot"}),
               "the labels are one-hot vectors, but sparse_categorical_crossentropy expects class numbers", 0)


def test_categorical_loss_with_sparse_labels():
    only_error(doc([4], [("Dense", {"units": 3, "activation": "softmax"})], loss="categorical_crossentropy",
                   source="csv:x.csv", options={"label_format": "sparse"}),
               "the labels are class numbers (0, 1, 2…), but categorical_crossentropy expects one-hot", 0)


def test_regression_loss_on_classifier_head_is_a_warning():
    only_warning(doc([4], [("Dense", {"units": 3, "activation": "softmax"})], loss="mse", source="csv:x.csv"),
                 "mse is a regression loss, but the softmax head outputs class probabilities", 0)


def test_classification_loss_on_regression_labels_is_a_warning():
    only_warning(doc([13], [SIGMOID1], loss="binary_crossentropy", source="keras:boston_housing"),
                 "the labels are numbers to predict (regression)", 0)


def test_binary_loss_on_softmax_head_is_a_warning():
    only_warning(doc([4], [("Dense", {"units": 3, "activation": "softmax"})], loss="binary_crossentropy",
                     source="csv:x.csv"), "binary_crossentropy with a softmax head", 0)


def test_linear_head_with_crossentropy_is_a_warning():
    only_warning(doc([4], [DENSE1], loss="binary_crossentropy"), "its outputs are not probabilities", 0)


def test_activation_layer_counts_as_the_head():
    only_error(doc([4], [("Dense", {"units": 3}), ("Activation", {"activation": "sigmoid"})],
                   loss="categorical_crossentropy", source="csv:x.csv"),
               "a sigmoid head gives independent yes/no scores", 1)


def test_issue_serialisation():
    summary = summarize(doc([784], [("Dense", {"units": 32}), ("Conv2D", {})]))
    data = summary.to_dict()
    assert data["errors"][0]["layer_index"] == 1 and data["errors"][0]["severity"] == "error"
    assert data["errors"][0]["text"].startswith("layer 2 (Conv2D): Conv2D expects an image")
    assert data["layers"][0]["output_shape"] == [None, 32] and data["layers"][1]["output_shape"] is None
    assert "error: layer 2 (Conv2D)" in summary.format_table()


def test_every_spelling_of_a_loss_gets_the_head_checks():
    for spelling in ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"):
        only_error(doc([4], [("Dense", {"units": 3, "activation": "sigmoid"})], loss=spelling),
                   f"a sigmoid head gives independent yes/no scores, but {spelling} expects", 0)
