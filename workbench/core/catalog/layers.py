"""The layers the builder offers, one declarative :class:`LayerSpec` each.

Parameter names are Keras' own constructor arguments, so a layer's config passes straight to
its class; the few extras (``Embedding.pretrained_path``, ``Bidirectional.layer``/``units``/
``return_sequences``) are translated by ``workbench.core.design.build``. Every default equals
Keras' default, so a config that leaves a key out means the same to shape inference and to Keras.
The name lists below are checked against Keras by ``tests/core/test_catalog.py``.
"""

from __future__ import annotations

from workbench.core.catalog.specs import LayerSpec, ParamSpec

ACTIVATIONS = [
    "linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "swish", "silu",
    "softplus", "softsign", "leaky_relu", "relu6", "hard_sigmoid", "exponential", "mish", "log_softmax",
]
INITIALIZERS = [
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
    "random_normal", "random_uniform", "uniform", "truncated_normal", "orthogonal", "zeros", "ones",
]
REGULARIZERS = ["l1", "l2", "l1l2"]
PADDINGS = ["valid", "same"]
CONV1D_PADDINGS = ["valid", "same", "causal"]
RNN_TYPES = ["SimpleRNN", "LSTM", "GRU"]
MERGE_MODES = ["concat", "sum", "mul", "ave"]


def _activation(default: str = "linear", **extra) -> ParamSpec:
    return ParamSpec("activation", "choice", default, choices=ACTIVATIONS,
                     help="function applied to each output; 'linear' leaves values unchanged", **extra)


def _initializer(name: str, default: str) -> ParamSpec:
    return ParamSpec(name, "choice", default, choices=INITIALIZERS, advanced=True,
                     help="how the weights are set before training")


def _regularizer(name: str) -> ParamSpec:
    return ParamSpec(name, "choice", None, choices=REGULARIZERS, advanced=True,
                     help="penalty on large weights added to the loss (none by default)")


def _use_bias() -> ParamSpec:
    return ParamSpec("use_bias", "bool", True, advanced=True, help="add a learned offset to each output")


def _rnn_params(kind: str) -> list[ParamSpec]:
    params = [
        ParamSpec("units", "int", 32, minimum=1, maximum=100_000, required=True,
                  help="size of the hidden state (and of each output step)"),
        ParamSpec("activation", "choice", "tanh", choices=ACTIVATIONS, help="activation of the state update"),
        ParamSpec("return_sequences", "bool", False,
                  help="output every time step (needed before another recurrent layer) or only the last"),
        ParamSpec("dropout", "float", 0.0, minimum=0.0, maximum=0.99,
                  help="fraction of inputs dropped while training"),
        ParamSpec("recurrent_dropout", "float", 0.0, minimum=0.0, maximum=0.99, advanced=True,
                  help="fraction of the recurrent state dropped while training (slower on CPU)"),
        ParamSpec("go_backwards", "bool", False, advanced=True, help="read the sequence from the end"),
        _use_bias(),
    ]
    if kind in ("LSTM", "GRU"):
        params.insert(2, ParamSpec("recurrent_activation", "choice", "sigmoid", choices=ACTIVATIONS,
                                   advanced=True, help="activation of the gates"))
    return params


def _conv_params(rank: int) -> list[ParamSpec]:
    if rank == 1:
        size = {"kind": "int", "length": None}
        kernel, stride, dilation = 3, 1, 1
        paddings = CONV1D_PADDINGS
    else:
        size = {"kind": "tuple", "length": 2}
        kernel, stride, dilation = [3, 3], [1, 1], [1, 1]
        paddings = PADDINGS
    return [
        ParamSpec("filters", "int", 32, minimum=1, maximum=100_000, required=True,
                  help="number of patterns (output channels) the layer learns"),
        ParamSpec("kernel_size", default=kernel, minimum=1, maximum=10_000, required=True,
                  help="size of the window each pattern looks at", **size),
        ParamSpec("strides", default=stride, minimum=1, maximum=10_000, help="step between windows", **size),
        ParamSpec("padding", "choice", "valid", choices=paddings,
                  help="'valid' shrinks the output by the window; 'same' keeps its size"),
        _activation(),
        ParamSpec("dilation_rate", default=dilation, minimum=1, maximum=10_000, advanced=True,
                  help="spacing between the window's taps", **size),
        _use_bias(),
        _initializer("kernel_initializer", "glorot_uniform"),
        _regularizer("kernel_regularizer"),
    ]


def _pool_params(rank: int) -> list[ParamSpec]:
    if rank == 1:
        size = {"kind": "int", "length": None}
        pool = 2
    else:
        size = {"kind": "tuple", "length": 2}
        pool = [2, 2]
    return [
        ParamSpec("pool_size", default=pool, minimum=1, maximum=10_000, required=True,
                  help="size of the window summarised into one value", **size),
        ParamSpec("strides", default=None, minimum=1, maximum=10_000,
                  help="step between windows (empty: the pool size)", **size),
        ParamSpec("padding", "choice", "valid", choices=PADDINGS,
                  help="'valid' drops the incomplete edge; 'same' keeps it"),
    ]


_SPECS = [
    LayerSpec("Input", "Core", "Declares the shape of one sample (without the batch axis); always first.", [
        ParamSpec("shape", "tuple", [32], minimum=1, maximum=10_000_000, required=True,
                  help="sizes of one sample, e.g. [784] or [28, 28, 1]"),
    ]),
    LayerSpec("Dense", "Core", "Every input connects to every unit: the basic learned layer.", [
        ParamSpec("units", "int", 32, minimum=1, maximum=1_000_000, required=True,
                  help="number of outputs (neurons)"),
        _activation(),
        _use_bias(),
        _initializer("kernel_initializer", "glorot_uniform"),
        _initializer("bias_initializer", "zeros"),
        _regularizer("kernel_regularizer"),
    ]),
    LayerSpec("Activation", "Core", "Applies an activation function to its input; learns nothing.", [
        _activation("relu", required=True),
    ]),
    LayerSpec("Dropout", "Regularization",
              "Randomly zeroes a fraction of its inputs while training, to reduce overfitting.", [
                  ParamSpec("rate", "float", 0.5, minimum=0.0, maximum=0.99, required=True,
                            help="fraction of inputs set to zero at each training step"),
              ]),
    LayerSpec("Flatten", "Reshaping", "Unrolls a multi-dimensional sample into one long vector.", []),
    LayerSpec("Reshape", "Reshaping", "Rearranges a sample into a new shape with the same number of values.", [
        ParamSpec("target_shape", "tuple", [-1], minimum=-1, maximum=10_000_000, required=True,
                  help="new shape without the batch axis; one entry may be -1 (inferred)"),
    ]),
    LayerSpec("BatchNormalization", "Normalization",
              "Rescales each feature to zero mean and unit variance over the batch; steadies training.", [
                  ParamSpec("momentum", "float", 0.99, minimum=0.0, maximum=1.0,
                            help="how slowly the running averages follow new batches"),
                  ParamSpec("epsilon", "float", 0.001, minimum=0.0, maximum=1.0, advanced=True,
                            help="small number added to the variance to avoid dividing by zero"),
                  ParamSpec("center", "bool", True, advanced=True, help="learn an offset (beta)"),
                  ParamSpec("scale", "bool", True, advanced=True, help="learn a scale (gamma)"),
              ]),
    LayerSpec("LayerNormalization", "Normalization",
              "Rescales each sample's features to zero mean and unit variance.", [
                  ParamSpec("epsilon", "float", 0.001, minimum=0.0, maximum=1.0, advanced=True,
                            help="small number added to the variance to avoid dividing by zero"),
                  ParamSpec("center", "bool", True, advanced=True, help="learn an offset (beta)"),
                  ParamSpec("scale", "bool", True, advanced=True, help="learn a scale (gamma)"),
              ]),
    LayerSpec("Conv1D", "Convolution",
              "Slides learned filters along a sequence (steps × channels) to detect local patterns.",
              _conv_params(1)),
    LayerSpec("Conv2D", "Convolution",
              "Slides learned filters over an image (height × width × channels) to detect local patterns.",
              _conv_params(2)),
    LayerSpec("MaxPooling1D", "Pooling", "Keeps the largest value of each window along a sequence.",
              _pool_params(1)),
    LayerSpec("MaxPooling2D", "Pooling", "Keeps the largest value of each window of an image; halves its size "
              "by default.", _pool_params(2)),
    LayerSpec("AveragePooling2D", "Pooling", "Averages each window of an image; halves its size by default.",
              _pool_params(2)),
    LayerSpec("GlobalMaxPooling1D", "Pooling", "Keeps each channel's largest value over the whole sequence.", []),
    LayerSpec("GlobalAveragePooling1D", "Pooling", "Averages each channel over the whole sequence.", []),
    LayerSpec("GlobalAveragePooling2D", "Pooling", "Averages each channel over the whole image.", []),
    LayerSpec("Embedding", "Embedding",
              "Turns word indices into learned dense vectors; can start from pretrained GloVe vectors.", [
                  ParamSpec("input_dim", "int", 10000, minimum=1, maximum=10_000_000, required=True,
                            help="vocabulary size: largest word index + 1"),
                  ParamSpec("output_dim", "int", 32, minimum=1, maximum=100_000, required=True,
                            help="length of each word vector"),
                  ParamSpec("mask_zero", "bool", False, advanced=True,
                            help="treat index 0 as padding that later layers skip"),
                  _initializer("embeddings_initializer", "uniform"),
                  ParamSpec("pretrained_path", "path", None,
                            help="GloVe text file (word followed by its numbers per line) to start from"),
                  ParamSpec("trainable", "bool", True,
                            help="keep learning the vectors; turn off to freeze pretrained vectors"),
              ]),
    LayerSpec("SimpleRNN", "Recurrent", "Reads a sequence step by step, keeping a hidden state.",
              _rnn_params("SimpleRNN")),
    LayerSpec("LSTM", "Recurrent",
              "A recurrent layer with gates that remember long-range context (Long Short-Term Memory).",
              _rnn_params("LSTM")),
    LayerSpec("GRU", "Recurrent", "A lighter gated recurrent layer (Gated Recurrent Unit).", _rnn_params("GRU")),
    LayerSpec("Bidirectional", "Recurrent",
              "Runs a recurrent layer forwards and backwards over the sequence and merges both.", [
                  ParamSpec("layer", "choice", "LSTM", choices=RNN_TYPES, required=True,
                            help="the recurrent layer run in both directions"),
                  ParamSpec("units", "int", 32, minimum=1, maximum=100_000, required=True,
                            help="size of each direction's hidden state"),
                  ParamSpec("return_sequences", "bool", False,
                            help="output every time step or only the last"),
                  ParamSpec("merge_mode", "choice", "concat", choices=MERGE_MODES,
                            help="how both directions are combined ('concat' doubles the size)"),
              ]),
    LayerSpec("Rescaling", "Preprocessing", "Multiplies inputs by a scale and adds an offset, e.g. pixels "
              "0–255 to 0–1.", [
                  ParamSpec("scale", "float", 1.0 / 255.0, required=True,
                            help="factor applied to every input value"),
                  ParamSpec("offset", "float", 0.0, help="value added after scaling"),
              ]),
]

CATALOG: dict[str, LayerSpec] = {spec.type: spec for spec in _SPECS}

CATEGORY_ORDER = ["Core", "Convolution", "Pooling", "Recurrent", "Embedding", "Normalization",
                  "Regularization", "Reshaping", "Preprocessing"]
