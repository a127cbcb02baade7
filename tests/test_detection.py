"""course_utils.detection: scenes, IoU, NMS, AP/mAP, grid encoding, drawing."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import detection as det  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fake_digits(n=20, seed=0):
    """28x28 'digits': a filled rectangle of ink at a random place, label = index % 10."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28), dtype=np.uint8)
    for i in range(n):
        r0, c0 = rng.integers(2, 10, size=2)
        h, w = rng.integers(6, 16, size=2)
        x[i, r0:r0 + h, c0:c0 + w] = 255
    return x, np.arange(n) % 10


def random_boxes(rng, n, canvas=64.0):
    xy = rng.uniform(0, canvas * 0.8, size=(n, 2))
    wh = rng.uniform(2, canvas * 0.4, size=(n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


# --------------------------------------------------------------------------- IoU
def test_iou_identical_disjoint_and_hand_computed():
    a = np.array([0.0, 0.0, 10.0, 10.0])
    assert det.iou(a, a) == pytest.approx(1.0)
    assert det.iou(a, [20, 20, 30, 30]) == 0.0
    assert det.iou(a, [10, 0, 20, 10]) == 0.0  # touching edges share no area
    # [0,10]x[0,10] and [5,15]x[0,10]: intersection 5*10 = 50, union 100 + 100 - 50 = 150
    assert det.iou(a, [5, 0, 15, 10]) == pytest.approx(1 / 3)
    # [0,10]^2 and [2,4]x[2,8] inside it: 12 / 100
    assert det.iou(a, [2, 2, 4, 8]) == pytest.approx(0.12)
    # symmetric, and an empty box gives 0, not nan
    assert det.iou([5, 0, 15, 10], a) == pytest.approx(1 / 3)
    assert det.iou([3, 3, 3, 9], [3, 3, 3, 9]) == 0.0


def test_iou_broadcasts_to_pairs():
    rng = np.random.default_rng(1)
    a, b = random_boxes(rng, 5), random_boxes(rng, 7)
    m = det.iou(a[:, None], b[None])
    assert m.shape == (5, 7)
    assert m[3, 4] == pytest.approx(det.iou(a[3], b[4]))
    np.testing.assert_allclose(det.iou(a, a), 1.0)
    assert np.all((m >= 0) & (m <= 1))


# --------------------------------------------------------------------------- NMS
def test_nms_keeps_best_and_drops_duplicate():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [30, 30, 40, 40], [0, 0, 10, 9]], dtype=float)
    scores = np.array([0.8, 0.9, 0.5, 0.3])
    keep = det.non_max_suppression(boxes, scores, iou_threshold=0.5)
    # box 1 (0.9) wins, box 0 overlaps it with IoU 81/119 = 0.68 and goes, box 3 also overlaps box 1
    np.testing.assert_array_equal(keep, [1, 2])
    # a lenient threshold keeps everything, highest score first
    np.testing.assert_array_equal(det.non_max_suppression(boxes, scores, iou_threshold=0.99), [1, 0, 2, 3])
    np.testing.assert_array_equal(det.non_max_suppression(boxes, scores, 0.5, score_threshold=0.6), [1])
    np.testing.assert_array_equal(det.non_max_suppression(boxes, scores, 0.5, max_output_size=1), [1])
    assert det.non_max_suppression(np.zeros((0, 4)), np.zeros(0)).shape == (0,)


def test_nms_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(7)
    for trial, thr in enumerate([0.3, 0.5, 0.7]):
        boxes = random_boxes(rng, 60).astype(np.float32)
        scores = rng.uniform(size=60).astype(np.float32)
        ours = det.non_max_suppression(boxes, scores, iou_threshold=thr)
        # tf wants (y1, x1, y2, x2); IoU is the same whichever axis comes first
        theirs = tf.image.non_max_suppression(boxes[:, [1, 0, 3, 2]], scores, max_output_size=60,
                                              iou_threshold=thr).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=f"trial {trial}")
        assert 0 < len(ours) < 60


# --------------------------------------------------------------------------- AP / mAP
def test_ap_perfect_all_wrong_and_empty():
    truth = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([[5, 5, 15, 15]])]
    scores = [np.array([0.9, 0.8]), np.array([0.7])]
    assert det.average_precision(truth, scores, truth) == pytest.approx(1.0)
    wrong = [b + 100 for b in truth]
    assert det.average_precision(wrong, scores, truth) == 0.0
    assert det.average_precision([np.zeros((0, 4))] * 2, [np.zeros(0)] * 2, truth) == 0.0
    assert np.isnan(det.average_precision(truth, scores, [np.zeros((0, 4))] * 2))


def test_ap_hand_computed_with_duplicate_and_ranking():
    truth = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])]
    # ranked: TP (0.9), duplicate of the same object = FP (0.8), TP (0.7)
    preds = [np.array([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30]])]
    scores = [np.array([0.9, 0.8, 0.7])]
    recall, precision, _ = det.precision_recall_curve(preds, scores, truth)
    np.testing.assert_allclose(recall, [0.5, 0.5, 1.0])
    np.testing.assert_allclose(precision, [1.0, 0.5, 2 / 3])
    # envelope: precision 1 up to recall 0.5, then 2/3 up to recall 1
    assert det.average_precision(preds, scores, truth) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # the duplicate ranked last costs nothing: both objects are found before it
    assert det.average_precision(preds, [np.array([0.5, 0.9, 0.7])], truth) == pytest.approx(1.0)
    # a false positive ranked first: precision 0 then 1/2 at recall 0.5, the other object is missed
    miss = [np.array([[0, 0, 10, 10], [50, 50, 60, 60]])]
    assert det.average_precision(miss, [np.array([0.4, 0.9])], truth) == pytest.approx(0.5 * 0.5)


def test_ap_iou_threshold_is_inclusive_and_matters():
    truth = [np.array([[0, 0, 10, 10]])]
    half = [np.array([[0, 0, 10, 5]])]  # IoU exactly 0.5
    assert det.average_precision(half, [np.array([1.0])], truth, iou_threshold=0.5) == 1.0
    assert det.average_precision(half, [np.array([1.0])], truth, iou_threshold=0.75) == 0.0


def test_map_averages_over_classes_with_truth():
    tb = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]])]
    tc = [np.array([0, 1])]
    # class 0 found, class 1 box has the wrong class, an extra class-5 box is ignored
    pb = [np.array([[0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]])]
    pc = [np.array([0, 2, 5])]
    ps = [np.array([0.9, 0.8, 0.7])]
    m, per = det.mean_average_precision(pb, ps, pc, tb, tc, per_class=True)
    assert per == {0: 1.0, 1: 0.0}
    assert m == pytest.approx(0.5)
    assert det.mean_average_precision(tb, [np.array([0.9, 0.8])], tc, tb, tc) == pytest.approx(1.0)


def test_detection_counts_duplicates_wrong_class_and_misses():
    tb = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([[0, 0, 8, 8]])]
    tc = [np.array([1, 2]), np.array([3])]
    # image 0: a hit on class 1, its duplicate (FP), a right box with the wrong class (FP, and a miss)
    # image 1: a hit with IoU 64 / 100 = 0.64 -> TP at 0.5, FP (and a miss) at 0.7
    pb = [np.array([[0, 0, 10, 10], [1, 0, 10, 10], [20, 20, 30, 30]]), np.array([[0, 0, 10, 10]])]
    pc = [np.array([1, 1, 5]), np.array([3])]
    got = det.detection_counts(pb, pc, tb, tc)
    assert (got["tp"], got["fp"], got["fn"]) == (2, 2, 1)
    assert got["precision"] == pytest.approx(0.5) and got["recall"] == pytest.approx(2 / 3)
    strict = det.detection_counts(pb, pc, tb, tc, iou_threshold=0.7)
    assert (strict["tp"], strict["fp"], strict["fn"]) == (1, 3, 2)
    empty = det.detection_counts([np.zeros((0, 4))], [np.zeros(0)], [np.zeros((0, 4))], [np.zeros(0)])
    assert empty["precision"] == 1.0 and empty["recall"] == 1.0


# --------------------------------------------------------------------------- grid
def test_encode_grid_targets_layout():
    boxes = np.array([[10, 20, 20, 36]])  # centre (15, 28), w 10, h 16
    t = det.encode_grid_targets(boxes, [7], grid=4, num_classes=10, canvas=64)  # cells of 16 px
    assert t.shape == (4, 4, 15) and t.dtype == np.float32
    assert t[..., 0].sum() == 1 and t[1, 0, 0] == 1  # row 28 // 16 = 1, col 15 // 16 = 0
    np.testing.assert_allclose(t[1, 0, 1:5], [15 / 16, 28 / 16 - 1, 10 / 64, 16 / 64])
    assert t[1, 0, 5 + 7] == 1 and t[1, 0, 5:].sum() == 1
    assert np.count_nonzero(t) == 6


def test_encode_decode_round_trip():
    rng = np.random.default_rng(3)
    for _ in range(20):
        boxes = random_boxes(rng, 3)
        classes = rng.integers(0, 10, size=3)
        t = det.encode_grid_targets(boxes, classes, grid=8, num_classes=10, canvas=64)
        cells = {(int((b[1] + b[3]) / 2 // 8), int((b[0] + b[2]) / 2 // 8)) for b in boxes}
        got_boxes, got_scores, got_classes = det.decode_grid(t, canvas=64)
        if len(cells) == 3:  # no two centres share a cell: everything comes back
            assert len(got_boxes) == 3
            order = np.lexsort((boxes[:, 0], boxes[:, 1]))
            got = np.lexsort((got_boxes[:, 0], got_boxes[:, 1]))
            np.testing.assert_allclose(got_boxes[got], boxes[order], atol=1e-4)
            np.testing.assert_array_equal(got_classes[got], classes[order])
            np.testing.assert_allclose(got_scores, 1.0)
    batch = np.stack([t, np.zeros_like(t)])
    b, s, c = det.decode_grid(batch, canvas=64)
    assert len(b) == 2 and b[1].shape == (0, 4) and s[1].shape == (0,) and c[1].shape == (0,)


def test_encode_collision_keeps_larger_box():
    boxes = np.array([[0, 0, 6, 6], [1, 1, 5, 5]])
    t = det.encode_grid_targets(boxes, [3, 4], grid=4, num_classes=10, canvas=64)
    assert t[0, 0, 5 + 3] == 1 and t[0, 0, 5 + 4] == 0
    t = det.encode_grid_targets(boxes[::-1], [4, 3], grid=4, num_classes=10, canvas=64)
    assert t[0, 0, 5 + 3] == 1 and t[0, 0, 5 + 4] == 0


def test_decode_threshold_uses_objectness_times_class_probability():
    p = np.zeros((2, 2, 7))
    p[0, 1] = [0.9, 0.5, 0.5, 0.25, 0.25, 0.6, 0.4]  # score 0.54
    p[1, 0] = [0.9, 0.5, 0.5, 0.25, 0.25, 0.4, 0.3]  # score 0.36
    boxes, scores, classes = det.decode_grid(p, canvas=32, score_threshold=0.5)
    np.testing.assert_allclose(scores, [0.54], rtol=1e-6)
    np.testing.assert_array_equal(classes, [0])
    np.testing.assert_allclose(boxes, [[24 - 4, 8 - 4, 24 + 4, 8 + 4]])
    assert len(det.decode_grid(p, canvas=32, score_threshold=0.3)[0]) == 2


# --------------------------------------------------------------------------- scenes
def test_make_scenes_boxes_hold_the_ink():
    x, y = fake_digits()
    scenes = det.make_scenes(x, y, 12, canvas=48, max_objects=3, seed=5, min_center_gap=6)
    images, boxes, classes = scenes
    assert images.shape == (12, 48, 48, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert len(boxes) == len(classes) == 12
    counts = [len(b) for b in boxes]
    assert min(counts) >= 1 and max(counts) <= 3 and len(set(counts)) > 1
    for img, bx, cl in zip(images[..., 0], boxes, classes):
        assert bx.shape == (len(cl), 4) and set(cl.tolist()) <= set(range(10))
        inside = np.zeros(img.shape, dtype=bool)
        for x0, y0, x1, y1 in bx.astype(int):
            assert 0 <= x0 < x1 <= 48 and 0 <= y0 < y1 <= 48
            # tight: every edge row/column of the box carries ink
            patch = img[y0:y1, x0:x1]
            assert patch[0].max() > 0.2 and patch[-1].max() > 0.2
            assert patch[:, 0].max() > 0.2 and patch[:, -1].max() > 0.2
            inside[y0:y1, x0:x1] = True
        assert img[~inside].max(initial=0) <= 0.2  # no ink outside the boxes
        if len(bx) > 1:
            pair = det.iou(bx[:, None], bx[None])
            assert pair[~np.eye(len(bx), dtype=bool)].max() == 0.0
            c = (bx[:, :2] + bx[:, 2:]) / 2
            gap = np.abs(c[:, None] - c[None]).max(axis=-1)
            assert gap[~np.eye(len(bx), dtype=bool)].min() >= 6


def test_make_scenes_is_seeded_and_single_object_by_default():
    x, y = fake_digits()
    a = det.make_scenes(x, y, 5, canvas=40, seed=1)
    b = det.make_scenes(x, y, 5, canvas=40, seed=1)
    np.testing.assert_array_equal(a.images, b.images)
    assert all(len(bx) == 1 for bx in a.boxes)
    for got, want in zip(a.boxes + a.classes, b.boxes + b.classes):
        np.testing.assert_array_equal(got, want)
    c = det.make_scenes(x, y, 5, canvas=40, seed=2)
    assert not np.array_equal(a.images, c.images)
    with pytest.raises(ValueError, match="does not fit"):
        det.make_scenes(x, y, 1, canvas=30, scale=(1.0, 1.3))


def test_resize_bilinear_keeps_constant_and_size():
    out = det.resize_bilinear(np.full((28, 28), 0.5), 17, 40)
    assert out.shape == (17, 40)
    np.testing.assert_allclose(out, 0.5)


# --------------------------------------------------------------------------- drawing
def test_draw_boxes_adds_rectangles_and_labels():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((20, 20)))
    det.draw_boxes(ax, [[2, 3, 8, 9], [10, 10, 15, 19]], labels=["7", "1"], scores=[0.9, 0.5], color="red")
    assert len(ax.patches) == 2
    rect = ax.patches[0]
    assert rect.get_xy() == (1.5, 2.5) and rect.get_width() == 6 and rect.get_height() == 6
    assert [t.get_text() for t in ax.texts] == ["7 0.90", "1 0.50"]
