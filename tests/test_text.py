"""The temperature sampler and the text-generation widget of notebook 3.4."""
import numpy as np
import pytest

from course_utils import text

VOCAB = ["", "[UNK]", " ", "a", "b", "c"]


class BigramModel:
    """A fake language model: the logits for the next id depend only on the last id.

    After id k the favourite is k + 1 (cycling through a, b, c), so greedy decoding from
    "a" gives "bcabca..."; it also counts the calls and keeps the last input.
    """

    def __init__(self):
        self.calls = 0
        self.last_input = None

    def __call__(self, x, training=False):
        x = np.asarray(x)
        self.calls += 1
        self.last_input = x
        logits = np.zeros((x.shape[0], x.shape[1], len(VOCAB)), dtype=np.float32)
        for b in range(x.shape[0]):
            for t in range(x.shape[1]):
                k = int(x[b, t])
                favourite = 3 + (k - 3 + 1) % 3 if k >= 3 else 3
                logits[b, t, favourite] = 3.0
                logits[b, t, 0] = 10.0  # padding is the model's top choice: it must be masked out
                logits[b, t, 1] = 9.0  # [UNK] too
        return logits


def entropy(p):
    p = np.asarray(p, dtype=float)
    return float(-(p[p > 0] * np.log(p[p > 0])).sum())


LOGITS = np.array([2.0, 1.0, 0.5, -1.0, 0.0])


def test_temperature_one_is_the_plain_softmax():
    p = text.softmax_with_temperature(LOGITS, 1.0)
    expected = np.exp(LOGITS) / np.exp(LOGITS).sum()
    np.testing.assert_allclose(p, expected, rtol=1e-12)


def test_temperature_zero_is_one_hot_on_the_argmax():
    np.testing.assert_array_equal(text.softmax_with_temperature(LOGITS, 0.0), [1, 0, 0, 0, 0])
    np.testing.assert_array_equal(text.softmax_with_temperature([[0, 3, 1], [5, 1, 1]], 0),
                                  [[0, 1, 0], [1, 0, 0]])


def test_lower_temperature_sharpens_higher_flattens():
    temps = [0.1, 0.5, 1.0, 2.0, 10.0]
    ents = [entropy(text.softmax_with_temperature(LOGITS, t)) for t in temps]
    assert all(a < b for a, b in zip(ents, ents[1:]))
    assert ents[-1] < np.log(len(LOGITS)) and abs(ents[-1] - np.log(len(LOGITS))) < 0.05
    top = [text.softmax_with_temperature(LOGITS, t)[0] for t in temps]
    assert all(a > b for a, b in zip(top, top[1:]))


def test_large_logits_do_not_overflow():
    p = text.softmax_with_temperature([1000.0, 999.0], 0.01)
    assert np.all(np.isfinite(p)) and p[0] > 0.999


def test_sample_near_zero_temperature_is_the_argmax():
    logits = np.array([[0.1, 2.0, 0.3], [5.0, 4.9, -1.0]])
    for t in (0.0, 1e-4):
        np.testing.assert_array_equal(text.sample_logits(logits, t), [1, 0])
    assert list(text.sample_logits(logits, 0.01, seed=3)) == [1, 0]


def test_seeded_samples_are_reproducible_and_seeds_differ():
    logits = np.zeros((1, 50))
    draws = [int(text.sample_logits(logits, 1.0, seed=s)[0]) for s in range(20)]
    again = [int(text.sample_logits(logits, 1.0, seed=s)[0]) for s in range(20)]
    assert draws == again
    assert len(set(draws)) > 5


def test_sample_frequencies_follow_the_tempered_softmax():
    logits = np.log(np.array([[0.6, 0.3, 0.1]]))
    for t in (0.5, 1.0, 2.0):
        ids = text.sample_logits(np.repeat(logits, 3000, axis=0), t, seed=11)  # 3000 rows, one draw each
        freq = np.bincount(ids, minlength=3) / len(ids)
        np.testing.assert_allclose(freq, text.softmax_with_temperature(logits[0], t), atol=0.05)


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf"), "hot", None])
def test_bad_temperatures_are_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="temperature"):
        text.softmax_with_temperature(LOGITS, bad)
    with pytest.raises(ValueError, match="temperature"):
        text.sample_logits(LOGITS[None, :], bad)


def test_bad_logit_shapes_are_refused():
    with pytest.raises(ValueError, match="shape"):
        text.sample_logits(LOGITS, 1.0)
    with pytest.raises(ValueError, match="empty"):
        text.softmax_with_temperature([], 1.0)


def test_sampler_greedy_follows_the_model_and_never_emits_padding_or_unk():
    model = BigramModel()
    gen = text.TemperatureSampler(model, VOCAB, compile=False, seed_text="A", length=7, temperature=0.0)
    assert gen.sample() == "abcabcab"
    assert model.calls == 7
    for s in range(5):
        out = gen.sample(temperature=1.5, seed=s)
        assert out.startswith("a") and len(out) == 8 and set(out) <= set(" abc")


def test_sampler_window_limits_the_context():
    model = BigramModel()
    gen = text.TemperatureSampler(model, VOCAB, compile=False, seed_text="abcabcabc", length=1, window=4, temperature=0)
    gen.sample()
    assert model.last_input.shape == (1, 4)


def test_sampler_seed_reproducible():
    gen = text.TemperatureSampler(BigramModel(), VOCAB, compile=False, seed_text="a b", length=30, temperature=1.0, seed=7)
    assert gen.sample() == gen.sample()
    assert gen.sample(seed=1) != gen.sample(seed=2) or gen.sample(seed=3) != gen.sample(seed=4)


def test_sampler_bad_inputs_have_plain_messages():
    gen = text.TemperatureSampler(BigramModel(), VOCAB, compile=False, length=3)
    with pytest.raises(ValueError, match="empty"):
        gen.sample(seed_text="")
    with pytest.raises(ValueError, match="never saw: 'xz'"):
        gen.sample(seed_text="zax")
    with pytest.raises(ValueError, match="temperature"):
        gen.sample(temperature=-1)
    with pytest.raises(ValueError, match="length"):
        gen.sample(length=-2)
    with pytest.raises(ValueError, match="vocabulary"):
        text.TemperatureSampler(BigramModel(), ["", "[UNK]"], compile=False)


def test_widget_generates_and_shows_errors_in_the_status_line():
    pytest.importorskip("ipywidgets")
    gen = text.TemperatureSampler(BigramModel(), VOCAB, compile=False, seed_text="a", length=20, temperature=0.0)
    gen._build_ui()
    gen.controls["length"].value = 40
    gen._safely(gen.generate_from_controls)
    assert gen.last_error is None and gen.out.value == ("abc" * 20)[:41]
    assert "40 characters" in gen.status.value
    gen.controls["seed_text"].value = "q"
    gen.controls["generate"].click()
    assert gen.last_error.startswith("ValueError") and "never saw" in gen.status.value
    assert "TemperatureSampler(vocabulary of 6" in repr(gen)


def test_compiled_keras_model_gives_the_same_text_as_eager():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(len(VOCAB), 4),
                              keras.layers.GRU(8, return_sequences=True), keras.layers.Dense(len(VOCAB))])
    fast = text.TemperatureSampler(model, VOCAB, seed_text="ab", length=12, temperature=1.0, seed=3, window=5)
    slow = text.TemperatureSampler(model, VOCAB, seed_text="ab", length=12, temperature=1.0, seed=3, window=5,
                                   compile=False)
    assert fast.sample() == slow.sample()
