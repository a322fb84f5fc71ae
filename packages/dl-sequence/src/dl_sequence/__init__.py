"""dl-sequence: chapter 6 of *Deep Learning with Python* (deep learning for text and
sequences), rebuilt on dl-layers.

Text to numbers (TextVectorization, the first edition's Tokenizer, one-hot, the hashing
trick, padding), word embeddings (Embedding, GloVe-format vectors, word2vec), recurrent
layers (SimpleRNN, LSTM, GRU, each one op with a hand-written backpropagation through time,
beside the readable step-by-step version), Bidirectional, 1D convnets and pooling, and
time-series windows with the common-sense baseline. Each module holds one idea and lists
its public names in ``__all__``; all of them are importable from here.
"""

from . import (
    bidirectional,
    conv1d,
    datasets,  # noqa: F401  (listed in __all__ below)
    embedding,
    gru,
    lstm,
    padding,
    pooling1d,
    recurrent,
    simple_rnn,
    text_vectorization,
    timeseries,
    tokenizer,
    word2vec,
    word_vectors,
)
from .bidirectional import *  # noqa: F403
from .conv1d import *  # noqa: F403
from .embedding import *  # noqa: F403
from .gru import *  # noqa: F403
from .lstm import *  # noqa: F403
from .padding import *  # noqa: F403
from .pooling1d import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .simple_rnn import *  # noqa: F403
from .text_vectorization import *  # noqa: F403
from .timeseries import *  # noqa: F403
from .tokenizer import *  # noqa: F403
from .word2vec import *  # noqa: F403
from .word_vectors import *  # noqa: F403

__all__ = sorted(
    {"datasets"}.union(*(m.__all__ for m in (bidirectional, conv1d, embedding, gru, lstm, padding, pooling1d,
                                              recurrent, simple_rnn, text_vectorization, timeseries, tokenizer,
                                              word2vec, word_vectors)))
)
