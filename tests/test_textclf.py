import numpy as np
import pytest

from course_utils import textclf

TEXTS = ["The cat sat on the mat.", "The dog ate the cat's dinner!", "A bird, a cat and a dog."]


def test_tokenize_lowercases_and_strips_punctuation_like_keras():
    assert textclf.tokenize("The cat's mat, (again)!") == ["the", "cats", "mat", "again"]


def test_tokenize_matches_textvectorization_on_ascii_text():
    from keras import layers

    vec = layers.TextVectorization(output_mode="int")
    vec.adapt(TEXTS)
    vocab = vec.get_vocabulary()
    for text in TEXTS:
        ids = np.asarray(vec([text]))[0]
        assert [vocab[i] for i in ids if i] == textclf.tokenize(text)


def test_vocabulary_size_counts_repeated_words_plus_reserved():
    # words seen twice or more: the (4), cat (2), a (4), dog (2) -> 4 + padding + [UNK]
    assert textclf.choose_vocabulary_size(TEXTS, min_count=2) == 6
    n_distinct = len(textclf.word_counts(TEXTS))
    assert textclf.choose_vocabulary_size(TEXTS, min_count=1) == n_distinct + 2
    with pytest.raises(ValueError):
        textclf.choose_vocabulary_size(TEXTS, min_count=0)


def test_sequence_length_is_a_rounded_up_quantile():
    texts = ["a " * n for n in (1, 2, 3, 4, 10)]
    assert textclf.choose_sequence_length(texts, 1.0) == 10
    assert textclf.choose_sequence_length(texts, 0.5) == 3
    assert textclf.choose_sequence_length(texts, 0.9) == int(np.ceil(np.quantile([1, 2, 3, 4, 10], 0.9)))
    with pytest.raises(ValueError):
        textclf.choose_sequence_length(texts, 0)


def test_make_vectorizer_uses_the_chosen_sizes(capsys):
    vec = textclf.make_vectorizer(TEXTS, min_count=2, quantile=1.0)
    assert vec.vocabulary_size() == 6
    assert np.asarray(vec(["the cat"])).shape == (1, 7)  # the longest text has 7 words
    assert "vocabulary of 6 entries, sequences of 7 tokens" in capsys.readouterr().out
    tfidf = textclf.make_vectorizer(TEXTS, output_mode="tf_idf", verbose=False)
    assert np.asarray(tfidf(["the cat"])).shape == (1, 6)


def test_vectorize_maps_text_batches_to_ids():
    import tensorflow as tf

    vec = textclf.make_vectorizer(TEXTS, min_count=1, sequence_length=4, verbose=False)
    ds = tf.data.Dataset.from_tensor_slices((TEXTS, [0, 1, 2])).batch(2)
    batches = list(textclf.vectorize(ds, vec))
    assert [tuple(x.shape) for x, _ in batches] == [(2, 4), (1, 4)]
    assert batches[0][0].dtype == tf.int64 and list(batches[1][1].numpy()) == [2]


def test_window_positions_for_each_padding():
    np.testing.assert_array_equal(textclf.window_positions(4, 3, "valid"), [0, 1, 2, 3])
    np.testing.assert_array_equal(textclf.window_positions(4, 3, "same"), [-1, 0, 1, 2])
    np.testing.assert_array_equal(textclf.window_positions(4, 3, "causal"), [-2, -1, 0, 1])
    with pytest.raises(ValueError):
        textclf.window_positions(4, 3, "full")


def test_top_windows_reads_the_tokens_under_the_best_positions():
    vocab = ["", "[UNK]", "a", "b", "c", "d"]
    ids = np.array([[2, 3, 4, 5, 0, 0], [5, 4, 3, 2, 0, 0]])
    acts = np.zeros((2, 5, 2))  # valid conv, kernel 2 over 6 tokens -> 5 positions, 2 filters
    acts[0, 1, 0] = 3.0  # doc 0 tokens 1-2: "b c"
    acts[1, 0, 0] = 2.0  # doc 1 tokens 0-1: "d c"
    acts[1, 3, 0] = 1.0  # doc 1 tokens 3-4: "a _"
    acts[0, 4, 0] = 5.0  # doc 0 tokens 4-5: padding only, skipped
    acts[0, 0, 1] = 9.0  # other filter
    top = textclf.top_windows(acts, ids, vocab, filter_index=0, kernel_size=2, k=3)
    assert top == [(3.0, "b c"), (2.0, "d c"), (1.0, "a _")]
    same = textclf.top_windows(acts, ids[:, :5], vocab, 0, kernel_size=3, k=2, padding="same")
    assert same == [(5.0, "d _ _"), (3.0, "a b c")]  # position 4 reads tokens 3, 4 and 5 (beyond the end)
    with pytest.raises(ValueError):
        textclf.top_windows(acts[0], ids, vocab, 0, 2)


def test_top_windows_distinct_drops_repeats():
    vocab = ["", "[UNK]", "x", "y"]
    ids = np.array([[2, 3, 2, 3]])
    acts = np.array([[[3.0], [1.0], [2.0]]])  # "x y", "y x", "x y"
    assert textclf.top_windows(acts, ids, vocab, 0, 2, k=3) == [(3.0, "x y"), (1.0, "y x")]
    assert len(textclf.top_windows(acts, ids, vocab, 0, 2, k=3, distinct=False)) == 3


def test_timed_fit_returns_history_and_seconds():
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    ds = tf.data.Dataset.from_tensor_slices((np.ones((4, 2), "float32"), np.ones(4, "float32"))).batch(2)
    history, seconds = textclf.timed_fit(model, ds, epochs=2)
    assert len(history.history["loss"]) == 2 and seconds > 0


def test_headline_is_the_first_non_empty_line():
    assert textclf.headline("\n  Big news \n\nBody text.") == "Big news"
    assert textclf.headline("") == ""
