"""Text classification plumbing shared by Day 2.7 (1-D convolutions) and Day 3.6 (RNNs).

The lesson code - the models - stays in the notebooks. Here: counting words the way
Keras' ``TextVectorization`` does (to choose the vocabulary size and the sequence length
from the training texts), building and adapting the vectoriser, turning a
``(text, label)`` pipeline into ``(token ids, label)``, the word windows that activate a
1-D convolution filter most, timing a ``fit`` and the headline of an article.

TensorFlow and Keras are imported inside the functions that need them.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

#: The characters ``TextVectorization(standardize="lower_and_strip_punctuation")`` deletes.
STRIP_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
#: Index 0 is padding, index 1 the out-of-vocabulary token ``[UNK]``.
RESERVED_TOKENS = 2


def tokenize(text: str) -> list[str]:
    """Lower-case, delete punctuation, split on whitespace - the vectoriser's default
    standardisation, in plain Python (ASCII letters behave identically)."""
    return re.sub(STRIP_PUNCTUATION, "", str(text).lower()).split()


def word_counts(texts: Iterable[str]) -> Counter:
    """How often each word occurs in ``texts``."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(tokenize(text))
    return counts


def choose_vocabulary_size(texts: Iterable[str], min_count: int = 2) -> int:
    """Number of words seen at least ``min_count`` times, plus the padding and ``[UNK]``
    entries: a ``max_tokens`` for ``TextVectorization`` that drops one-off words (typos,
    rare names) which a model cannot learn anything from."""
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")
    return sum(c >= min_count for c in word_counts(texts).values()) + RESERVED_TOKENS


def choose_sequence_length(texts: Sequence[str], quantile: float = 0.9) -> int:
    """The ``quantile`` of the texts' lengths in words (rounded up): longer texts get
    truncated, shorter ones padded with zeros."""
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile}")
    lengths = [len(tokenize(t)) for t in texts]
    if not lengths:
        raise ValueError("no texts to measure")
    return max(1, int(np.ceil(np.quantile(lengths, quantile))))


def make_vectorizer(train_texts, *, max_tokens: int | None = None, sequence_length: int | None = None,
                    min_count: int = 2, quantile: float = 0.9, output_mode: str = "int", verbose: bool = True):
    """A word-level ``keras.layers.TextVectorization`` adapted on ``train_texts`` only.

    ``max_tokens`` and ``sequence_length`` default to :func:`choose_vocabulary_size` and
    :func:`choose_sequence_length` of the training texts (``sequence_length`` only applies to
    ``output_mode="int"``). Adapt on the training set only: words that exist only in the
    test set must stay unknown to the model, as they would be for new texts.
    """
    import tensorflow as tf
    from keras import layers

    texts = [str(t) for t in train_texts]
    if max_tokens is None:
        max_tokens = choose_vocabulary_size(texts, min_count)
    kwargs = {}
    if output_mode == "int":
        kwargs["output_sequence_length"] = sequence_length or choose_sequence_length(texts, quantile)
    vectorizer = layers.TextVectorization(max_tokens=max_tokens, output_mode=output_mode, **kwargs)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(256))
    if verbose:
        extra = f", sequences of {kwargs['output_sequence_length']} tokens" if kwargs else ""
        print(f"TextVectorization adapted on {len(texts):,} training texts: vocabulary of "
              f"{vectorizer.vocabulary_size():,} entries{extra}")
    return vectorizer


def vectorize(dataset, vectorizer, *, cache: bool = True):
    """``(text, label)`` batches -> ``(vectorizer(text), label)`` batches. Vectorising in the
    pipeline (not inside the model) keeps the string ops out of the training step;
    ``cache`` stores the result after the first epoch (the vectoriser is fixed)."""
    import tensorflow as tf

    out = dataset.map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return (out.cache() if cache else out).prefetch(tf.data.AUTOTUNE)


def window_positions(n_positions: int, kernel_size: int, padding: str = "valid") -> np.ndarray:
    """Index of the first token each output position of a stride-1 ``Conv1D`` reads.
    ``valid``: position p reads tokens p .. p+k-1; ``same``: tokens p-(k-1)//2 ...;
    ``causal``: tokens p-k+1 .. p."""
    p = np.arange(n_positions)
    if padding == "valid":
        return p
    if padding == "same":
        return p - (kernel_size - 1) // 2
    if padding == "causal":
        return p - kernel_size + 1
    raise ValueError(f"unknown padding {padding!r}")


def top_windows(activations, token_ids, vocabulary: Sequence[str], filter_index: int, kernel_size: int, *,
                k: int = 5, padding: str = "valid", distinct: bool = True) -> list[tuple[float, str]]:
    """The ``k`` word windows that make one ``Conv1D`` filter fire most.

    ``activations``: the conv layer's output for a batch of texts, ``(n_texts, n_positions,
    n_filters)``; ``token_ids``: the vectorised texts ``(n_texts, sequence_length)``;
    ``vocabulary``: ``vectorizer.get_vocabulary()``. Returns ``(activation, "w1 w2 w3")``
    pairs, best first; with ``distinct`` each window text appears once. Windows that
    consist only of padding are skipped; padding inside a window shows as ``_``.
    """
    acts = np.asarray(activations)[..., filter_index]
    ids = np.asarray(token_ids)
    if acts.ndim != 2 or ids.ndim != 2 or acts.shape[0] != ids.shape[0]:
        raise ValueError(f"activations {np.shape(activations)} and token ids {ids.shape} do not match")
    starts = window_positions(acts.shape[1], kernel_size, padding)
    order = np.argsort(-acts, axis=None)
    found: list[tuple[float, str]] = []
    seen: set[str] = set()
    for flat in order:
        doc, pos = np.unravel_index(flat, acts.shape)
        idx = [starts[pos] + j for j in range(kernel_size)]
        window = [int(ids[doc, i]) if 0 <= i < ids.shape[1] else 0 for i in idx]
        if not any(window):
            continue
        text = " ".join(vocabulary[t] if t else "_" for t in window)
        if distinct and text in seen:
            continue
        seen.add(text)
        found.append((float(acts[doc, pos]), text))
        if len(found) == k:
            break
    return found


def timed_fit(model, train_ds, *, epochs: int, **kwargs):
    """``model.fit`` (``verbose=0`` unless given) and its wall time in seconds:
    ``(history, seconds)``."""
    kwargs.setdefault("verbose", 0)
    start = time.perf_counter()
    history = model.fit(train_ds, epochs=epochs, **kwargs)
    return history, time.perf_counter() - start


def headline(text: str) -> str:
    """The first non-empty line of an article (BBC News files start with the headline)."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""
