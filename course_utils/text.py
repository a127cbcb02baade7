"""Text generation helpers for the Day 3 language-model notebook.

* :func:`softmax_with_temperature` and :func:`sample_logits` - the temperature
  sampler (``logits / T`` then a categorical draw; ``T -> 0`` is the argmax).
* :class:`TemperatureSampler` - generates text from a character-level model
  one character at a time. It works headless (``gen.sample(0.5)``) and, shown
  in a notebook, as a widget: a temperature slider, a seed-text box, a
  Generate button and an output area.

TensorFlow is imported inside the functions, like the rest of ``course_utils``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .widgets import ShowsErrors

#: Below this temperature the sampler returns the argmax (dividing by ~0 would overflow).
GREEDY_BELOW = 1e-3


def _check_temperature(temperature) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a number, got {temperature!r}") from None
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
    return t


def softmax_with_temperature(logits, temperature: float) -> np.ndarray:
    """The probabilities ``softmax(logits / T)`` along the last axis, in NumPy.

    ``T = 1`` is the model's own distribution, ``T < 1`` sharpens it, ``T > 1``
    flattens it, and ``T = 0`` puts all the mass on the argmax (ties: the first).
    """
    t = _check_temperature(temperature)
    z = np.asarray(logits, dtype=np.float64)
    if z.size == 0:
        raise ValueError("logits are empty")
    if t < GREEDY_BELOW:
        out = np.zeros_like(z)
        np.put_along_axis(out, np.argmax(z, axis=-1)[..., None], 1.0, axis=-1)
        return out
    z = z / t
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample_logits(logits, temperature: float = 1.0, seed: int | None = None) -> np.ndarray:
    """Draw one id per row of ``logits`` (shape ``(batch, n_classes)``) at ``temperature``.

    The draw is ``tf.random.categorical(logits / T, 1)``; with an integer ``seed`` it is
    ``tf.random.stateless_categorical`` so the same seed always gives the same ids.
    ``T`` below :data:`GREEDY_BELOW` returns the argmax. Returns an int array ``(batch,)``.
    """
    import tensorflow as tf

    t = _check_temperature(temperature)
    z = tf.convert_to_tensor(logits, dtype=tf.float32)
    if z.shape.rank != 2 or z.shape[-1] == 0:
        raise ValueError(f"logits must have shape (batch, n_classes), got {tuple(z.shape)}")
    if t < GREEDY_BELOW:
        return tf.argmax(z, axis=-1).numpy().astype(np.int64)
    if seed is None:
        ids = tf.random.categorical(z / t, num_samples=1)
    else:
        ids = tf.random.stateless_categorical(z / t, num_samples=1, seed=[int(seed), 0])
    return ids[:, 0].numpy().astype(np.int64)


class TemperatureSampler(ShowsErrors):
    """Generate text from a character-level language model at a chosen temperature.

    ``model`` maps a batch of id sequences ``(1, n)`` to next-character logits
    ``(1, n, vocab)`` (a stateless Keras RNN with ``return_sequences=True``);
    ``vocabulary`` lists the characters by id (``TextVectorization.get_vocabulary()``:
    ids 0 and 1 are padding ``''`` and ``'[UNK]'``, which are never sampled).
    Only the last ``window`` characters are fed at each step. ``lower=True`` lower-cases
    the seed text, as the vectoriser did. ``compile=True`` runs the model in a
    ``tf.function`` (one trace, then ~100x faster per character than eager calls on a CPU).
    Headless: ``gen.sample(0.5)``; in a notebook, leave ``gen`` as a cell's last line to get
    the widget.
    """

    def __init__(self, model, vocabulary: Sequence[str], *, seed_text: str = "the ", length: int = 200,
                 temperature: float = 0.5, window: int = 100, lower: bool = True, seed: int | None = 0,
                 compile: bool = True):
        self.model = model
        self.compile = bool(compile)
        self._predict = None
        self.vocabulary = [str(v) for v in vocabulary]
        if len(self.vocabulary) < 3:
            raise ValueError("the vocabulary needs at least one character besides '' and '[UNK]'")
        self.char_to_id = {c: i for i, c in enumerate(self.vocabulary) if len(c) == 1}
        self.banned = [i for i, c in enumerate(self.vocabulary) if len(c) != 1]
        self.seed_text = seed_text
        self.length = int(length)
        self.temperature = _check_temperature(temperature)
        self.window = int(window)
        self.lower = bool(lower)
        self.seed = seed
        self.last_text: str | None = None
        self._ui = None
        self.status = _Status()

    # ---- the core, usable without a browser
    def encode(self, text: str) -> list[int]:
        """Ids of ``text``'s characters; a ValueError names the characters the model never saw."""
        if not isinstance(text, str) or text == "":
            raise ValueError("the seed text is empty: type a few characters to start from")
        if self.lower:
            text = text.lower()
        unknown = sorted({c for c in text if c not in self.char_to_id})
        if unknown:
            raise ValueError(f"the seed text has characters the model never saw: {''.join(unknown)!r}")
        return [self.char_to_id[c] for c in text]

    def next_logits(self, ids: Sequence[int]) -> np.ndarray:
        """The model's logits for the character after ``ids`` (padding and [UNK] masked out)."""
        import tensorflow as tf

        x = tf.constant([list(ids)[-self.window:]], dtype=tf.int32)
        if not self.compile:
            logits = np.array(self.model(x, training=False)[0, -1], dtype=np.float32)
        else:
            if self._predict is None:
                model = self.model
                self._predict = tf.function(lambda x: model(x, training=False)[:, -1, :],
                                            input_signature=[tf.TensorSpec((1, None), tf.int32)])
            logits = np.array(self._predict(x)[0], dtype=np.float32)
        logits[self.banned] = -1e9
        return logits

    def sample(self, temperature: float | None = None, seed_text: str | None = None, length: int | None = None,
               seed: int | None = None) -> str:
        """Seed text followed by ``length`` generated characters at ``temperature``.

        With an integer ``seed`` (default: the one given at construction) the text is
        reproducible; ``seed=None`` at construction draws a fresh text every call.
        """
        t = self.temperature if temperature is None else _check_temperature(temperature)
        text = self.seed_text if seed_text is None else seed_text
        n = self.length if length is None else int(length)
        if n < 0:
            raise ValueError(f"length must be >= 0, got {length!r}")
        seed = self.seed if seed is None else seed
        ids = self.encode(text)
        out = []
        for step in range(n):
            step_seed = None if seed is None else int(seed) * 100_003 + step
            next_id = int(sample_logits(self.next_logits(ids)[None, :], t, seed=step_seed)[0])
            ids.append(next_id)
            out.append(self.vocabulary[next_id])
        self.last_text = (text.lower() if self.lower else text) + "".join(out)
        return self.last_text

    # ---- the widget
    def _build_ui(self):
        import ipywidgets as w

        self.controls = {
            "temperature": w.FloatSlider(value=self.temperature, min=0.0, max=2.0, step=0.05,
                                         description="temperature", readout_format=".2f",
                                         style={"description_width": "90px"}, layout=w.Layout(width="380px")),
            "seed_text": w.Text(value=self.seed_text, description="seed text",
                                style={"description_width": "90px"}, layout=w.Layout(width="380px")),
            "length": w.IntSlider(value=self.length, min=20, max=600, step=20, description="characters",
                                  style={"description_width": "90px"}, layout=w.Layout(width="380px")),
            "generate": w.Button(description="Generate", button_style="primary", icon="play"),
        }
        old = self.status
        self.status = w.HTML(value=old.value)
        self.out = w.Textarea(value="", layout=w.Layout(width="640px", height="160px"), disabled=True)
        self.controls["generate"].on_click(lambda _: self._safely(self.generate_from_controls))
        c = self.controls
        self._ui = w.VBox([c["temperature"], c["seed_text"], c["length"], c["generate"], self.status, self.out])
        return self._ui

    def generate_from_controls(self) -> str:
        """What the Generate button does: read the controls, sample, show the text.

        Each click draws a new text (the seed advances), so the same temperature can be
        compared over several samples.
        """
        if self._ui is None:
            self._build_ui()
        c = self.controls
        seed = None if self.seed is None else int(self.seed) + getattr(self, "_clicks", 0)
        self._clicks = getattr(self, "_clicks", 0) + 1
        text = self.sample(c["temperature"].value, c["seed_text"].value, c["length"].value, seed=seed)
        self.out.value = text
        self.status.value = f"T = {c['temperature'].value:.2f}: {c['length'].value} characters generated"
        return text

    def _ipython_display_(self):
        from IPython.display import display

        display(self._ui if self._ui is not None else self._build_ui())

    def __repr__(self) -> str:
        return (f"TemperatureSampler(vocabulary of {len(self.vocabulary)}, T={self.temperature:g}, "
                f"length={self.length}, window={self.window})")


class _Status:
    """Stands in for the widget's HTML status line until the widget is built."""

    value = ""
