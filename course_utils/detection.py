"""Localisation and detection plumbing: synthetic scenes, IoU, NMS, mAP, grid targets, drawing.

The lesson (box regression, the grid detector and its loss) stays in the notebook
``day2/06_detection``; this module holds the bookkeeping around it, in NumPy only
(no TensorFlow import), so it is quick to test.

Conventions used everywhere in this module
------------------------------------------
* A box is ``(x_min, y_min, x_max, y_max)`` in **pixels**, as float32. Pixel
  ``(row r, column c)`` covers the square ``[c, c + 1) x [r, r + 1)``, so a box
  that covers columns 3..7 inclusive has ``x_min = 3`` and ``x_max = 8``; its
  width is ``x_max - x_min = 5``. Divide by the canvas size to normalise.
* Box arrays have shape ``(..., 4)``; a scene's boxes are ``(k, 4)``, its classes ``(k,)``.
* Per-image results (ground truth or predictions) are Python lists with one
  array per image, because images hold different numbers of objects.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, Sequence

import numpy as np

__all__ = [
    "Scenes",
    "average_precision",
    "decode_grid",
    "detection_counts",
    "draw_boxes",
    "encode_grid_targets",
    "iou",
    "make_scenes",
    "mean_average_precision",
    "non_max_suppression",
    "precision_recall_curve",
]


# --------------------------------------------------------------------------- scenes
class Scenes(NamedTuple):
    """Synthetic scenes: ``images`` (n, H, W, 1) float32 in [0, 1]; ``boxes`` a list of
    (k_i, 4) float32 pixel boxes; ``classes`` a list of (k_i,) int64 digit labels."""

    images: np.ndarray
    boxes: list
    classes: list


@lru_cache(maxsize=256)
def _resize_matrix(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) matrix of bilinear weights mapping n_in samples to n_out (pixel centres aligned)."""
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    src = np.clip(src, 0, n_in - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = src - lo
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.arange(n_out), lo), 1 - frac)
    np.add.at(m, (np.arange(n_out), hi), frac)
    m.setflags(write=False)  # cached: shared between calls
    return m


def resize_bilinear(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of a 2-D array (two small matrix products)."""
    image = np.asarray(image, dtype=np.float32)
    return _resize_matrix(height, image.shape[0]) @ image @ _resize_matrix(width, image.shape[1]).T


def _ink_box(patch: np.ndarray, threshold: float) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(patch.max(axis=1) > threshold)
    cols = np.flatnonzero(patch.max(axis=0) > threshold)
    if rows.size == 0 or cols.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _iou_scalar(a, b) -> float:
    """IoU of two boxes given as plain tuples (the fast path for scene placement)."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _centre_gap(a, b) -> float:
    """Chebyshev distance between two box centres: max(|dx|, |dy|)."""
    return max(abs(a[0] + a[2] - b[0] - b[2]), abs(a[1] + a[3] - b[1] - b[3])) / 2


def make_scenes(images: np.ndarray, labels: np.ndarray, n: int, *, canvas: int = 64,
                max_objects: int = 1, min_objects: int | None = None,
                scale: tuple[float, float] = (0.7, 1.3), max_iou: float = 0.0,
                min_center_gap: float = 0.0, ink_threshold: float = 0.2, seed: int = 0,
                max_tries: int = 50) -> Scenes:
    """Paste digits on an empty canvas and return the images with their true boxes.

    ``images`` are source digits (N, h, w), uint8 or floats in [0, 1]; ``labels`` their classes.
    Each scene holds between ``min_objects`` (default: ``max_objects`` when it is 1, else 1)
    and ``max_objects`` digits, each resized by a factor drawn uniformly from ``scale``
    (1.0 = the source size) and placed at a random position fully inside the canvas.
    A digit's box is the tight box around its ink (pixels above ``ink_threshold`` after
    resizing), in pixels, ``(x_min, y_min, x_max, y_max)`` with exclusive max (see the
    module docstring). Overlapping pixels take the maximum of the two digits.

    Placement is redrawn (up to 20 positions per digit, ``max_tries`` digits) until the new box has IoU <= ``max_iou`` with every box already
    in the scene (0.0: boxes never overlap) and its centre is at least ``min_center_gap``
    pixels away, in x or in y, from every other centre (``canvas / grid`` guarantees that
    no two objects fall in the same grid cell). Seeded: same arguments, same scenes.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).astype(np.int64).ravel()
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"make_scenes expects source digits of shape (N, h, w), got {images.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    src = images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)
    lo_obj = (max_objects if max_objects == 1 else 1) if min_objects is None else min_objects
    if not 1 <= lo_obj <= max_objects:
        raise ValueError(f"need 1 <= min_objects <= max_objects, got {lo_obj} and {max_objects}")
    h0, w0 = src.shape[1:]
    if int(round(max(h0, w0) * scale[1])) > canvas:
        raise ValueError(f"a digit scaled by {scale[1]} does not fit on a {canvas}x{canvas} canvas")

    rng = np.random.default_rng(seed)
    out = np.zeros((n, canvas, canvas, 1), dtype=np.float32)
    all_boxes, all_classes = [], []
    for i in range(n):
        k = int(rng.integers(lo_obj, max_objects + 1))
        boxes: list[tuple[float, float, float, float]] = []
        classes: list[int] = []
        for _ in range(k):
            placed = False
            for _attempt in range(max_tries):  # a new digit, then up to 20 positions for it
                j = int(rng.integers(len(src)))
                f = rng.uniform(*scale)
                ph, pw = max(1, int(round(h0 * f))), max(1, int(round(w0 * f)))
                patch = np.clip(resize_bilinear(src[j], ph, pw), 0.0, 1.0).astype(np.float32)
                ink = _ink_box(patch, ink_threshold)
                if ink is None:
                    continue
                for _position in range(20):
                    y0 = int(rng.integers(0, canvas - ph + 1))
                    x0 = int(rng.integers(0, canvas - pw + 1))
                    box = (x0 + ink[0], y0 + ink[1], x0 + ink[2], y0 + ink[3])
                    if not any(_iou_scalar(box, other) > max_iou or _centre_gap(box, other) < min_center_gap
                               for other in boxes):
                        placed = True
                        break
                if placed:
                    break
            if not placed:
                break  # a crowded scene keeps the digits placed so far
            region = out[i, y0:y0 + ph, x0:x0 + pw, 0]
            np.maximum(region, patch, out=region)
            boxes.append(box)
            classes.append(int(labels[j]))
        if not boxes:
            raise RuntimeError("make_scenes could not place a single digit: check ink_threshold and scale")
        all_boxes.append(np.array(boxes, dtype=np.float32).reshape(-1, 4))
        all_classes.append(np.array(classes, dtype=np.int64))
    return Scenes(out, all_boxes, all_classes)


# --------------------------------------------------------------------------- IoU
def iou(box_a, box_b) -> np.ndarray:
    """Intersection over union of boxes ``(x_min, y_min, x_max, y_max)``, broadcast over the
    leading axes: (4,) with (4,) gives a scalar, (N, 4) with (N, 4) gives (N,), and
    ``iou(a[:, None], b[None])`` gives the (N, M) matrix of every pair. Empty boxes give 0."""
    a = np.asarray(box_a, dtype=np.float64)
    b = np.asarray(box_b, dtype=np.float64)
    ix = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    iy = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = ix * iy
    area_a = np.clip(a[..., 2] - a[..., 0], 0, None) * np.clip(a[..., 3] - a[..., 1], 0, None)
    area_b = np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


# --------------------------------------------------------------------------- NMS
def non_max_suppression(boxes, scores, iou_threshold: float = 0.5, *, score_threshold: float = -np.inf,
                        max_output_size: int | None = None) -> np.ndarray:
    """Greedy non-max suppression. Returns the indices of the kept boxes, highest score first.

    Repeatedly keep the highest-scoring remaining box and drop every remaining box whose
    IoU with it is strictly greater than ``iou_threshold`` (the rule of
    ``tf.image.non_max_suppression``). Boxes scoring at or below ``score_threshold`` are
    never kept. Class-agnostic: call it once per class for per-class NMS.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if len(boxes) != len(scores):
        raise ValueError(f"{len(boxes)} boxes but {len(scores)} scores")
    order = np.argsort(-scores, kind="stable")
    order = order[scores[order] > score_threshold]
    keep: list[int] = []
    limit = len(order) if max_output_size is None else max_output_size
    while order.size and len(keep) < limit:
        best = order[0]
        keep.append(int(best))
        rest = order[1:]
        order = rest[iou(boxes[best][None], boxes[rest]) <= iou_threshold]
    return np.array(keep, dtype=np.int64)


# --------------------------------------------------------------------------- AP / mAP
def _match(pred_boxes, pred_scores, true_boxes, iou_threshold):
    """VOC matching for one class. Returns (scores sorted descending, true-positive flags, n_true)."""
    if len(pred_boxes) != len(true_boxes) or len(pred_scores) != len(true_boxes):
        raise ValueError("pred_boxes, pred_scores and true_boxes need one entry per image")
    entries = []  # (score, image, box)
    for img, (pb, ps) in enumerate(zip(pred_boxes, pred_scores)):
        pb = np.asarray(pb, dtype=np.float64).reshape(-1, 4)
        ps = np.asarray(ps, dtype=np.float64).ravel()
        entries.extend((float(s), img, b) for s, b in zip(ps, pb))
    truths = [np.asarray(t, dtype=np.float64).reshape(-1, 4) for t in true_boxes]
    n_true = sum(len(t) for t in truths)
    entries.sort(key=lambda e: -e[0])  # stable: ties keep image order
    used = [np.zeros(len(t), dtype=bool) for t in truths]
    tp = np.zeros(len(entries), dtype=bool)
    for k, (_, img, box) in enumerate(entries):
        t = truths[img]
        if len(t) == 0:
            continue
        overlaps = iou(box[None], t)
        best = int(np.argmax(overlaps))
        if overlaps[best] >= iou_threshold and not used[img][best]:
            tp[k] = True
            used[img][best] = True
    scores = np.array([e[0] for e in entries])
    return scores, tp, n_true


def precision_recall_curve(pred_boxes, pred_scores, true_boxes, iou_threshold: float = 0.5):
    """Recall and precision after each detection, detections ranked by score (one class).

    Arguments are per-image lists (see :func:`average_precision`). Returns
    ``(recall, precision, scores)`` arrays, one entry per detection.
    """
    scores, tp, n_true = _match(pred_boxes, pred_scores, true_boxes, iou_threshold)
    ctp = np.cumsum(tp)
    cfp = np.cumsum(~tp)
    recall = ctp / max(n_true, 1)
    precision = ctp / np.maximum(ctp + cfp, 1)
    return recall, precision, scores


def average_precision(pred_boxes, pred_scores, true_boxes, iou_threshold: float = 0.5) -> float:
    """Average precision of one class, PASCAL VOC style (2010+ "all points" interpolation).

    ``pred_boxes[i]`` (k, 4) and ``pred_scores[i]`` (k,) are the detections of this class in
    image i; ``true_boxes[i]`` (m, 4) its ground truth. Detections are taken in order of
    decreasing score over the whole data set; one is a true positive when its best-IoU
    ground-truth box in the same image has IoU >= ``iou_threshold`` and was not matched by a
    higher-scoring detection (a duplicate counts as a false positive). AP is the area under
    the precision-recall curve after replacing each precision by the highest precision at
    any recall at least as large (the monotone "envelope"):
    ``AP = sum_k (r_k - r_{k-1}) * max_{j >= k} p_j``. Returns nan when there is no ground truth.
    """
    recall, precision, _ = precision_recall_curve(pred_boxes, pred_scores, true_boxes, iou_threshold)
    n_true = sum(len(np.asarray(t).reshape(-1, 4)) for t in true_boxes)
    if n_true == 0:
        return float("nan")
    if recall.size == 0:
        return 0.0
    r = np.concatenate([[0.0], recall])
    p = np.concatenate([[0.0], precision])
    envelope = np.maximum.accumulate(p[::-1])[::-1]
    return float(np.sum((r[1:] - r[:-1]) * envelope[1:]))


def mean_average_precision(pred_boxes, pred_scores, pred_classes, true_boxes, true_classes, *,
                           iou_threshold: float = 0.5, num_classes: int | None = None,
                           per_class: bool = False):
    """mAP: :func:`average_precision` per class, averaged over the classes that have ground
    truth (a prediction of a class absent from the ground truth is ignored, as in VOC).

    All arguments are per-image lists: ``pred_boxes[i]`` (k, 4), ``pred_scores[i]`` (k,),
    ``pred_classes[i]`` (k,), ``true_boxes[i]`` (m, 4), ``true_classes[i]`` (m,).
    With ``per_class=True`` returns ``(mAP, {class: AP})``.
    """
    n = len(true_boxes)
    if not (len(pred_boxes) == len(pred_scores) == len(pred_classes) == len(true_classes) == n):
        raise ValueError("every argument needs one entry per image")
    pb = [np.asarray(b, dtype=np.float64).reshape(-1, 4) for b in pred_boxes]
    ps = [np.asarray(s, dtype=np.float64).ravel() for s in pred_scores]
    pc = [np.asarray(c).astype(np.int64).ravel() for c in pred_classes]
    tb = [np.asarray(b, dtype=np.float64).reshape(-1, 4) for b in true_boxes]
    tc = [np.asarray(c).astype(np.int64).ravel() for c in true_classes]
    present = sorted(set(np.concatenate(tc).tolist())) if n else []
    if num_classes is not None:
        present = [c for c in present if c < num_classes]
    aps = {}
    for c in present:
        aps[c] = average_precision([b[k == c] for b, k in zip(pb, pc)], [s[k == c] for s, k in zip(ps, pc)],
                                   [b[k == c] for b, k in zip(tb, tc)], iou_threshold)
    m = float(np.mean(list(aps.values()))) if aps else float("nan")
    return (m, aps) if per_class else m


def detection_counts(pred_boxes, pred_classes, true_boxes, true_classes, *, iou_threshold: float = 0.5) -> dict:
    """Score a fixed set of detections (no ranking): each true box can be matched once by a
    detection of its class with IoU >= ``iou_threshold`` (higher IoU first within an image).
    Returns ``{"tp", "fp", "fn", "precision", "recall"}``; precision is 1 and recall 1 when
    there is nothing to predict / nothing predicted respectively, never nan."""
    tp = fp = fn = 0
    for pb, pc, tb, tc in zip(pred_boxes, pred_classes, true_boxes, true_classes):
        pb = np.asarray(pb, dtype=np.float64).reshape(-1, 4)
        pc = np.asarray(pc).astype(np.int64).ravel()
        tb = np.asarray(tb, dtype=np.float64).reshape(-1, 4)
        tc = np.asarray(tc).astype(np.int64).ravel()
        ok = iou(pb[:, None], tb[None]) * (pc[:, None] == tc[None])  # (k, m), 0 across classes
        matched = 0
        while ok.size and ok.max() >= iou_threshold:
            i, j = np.unravel_index(np.argmax(ok), ok.shape)
            ok[i, :] = 0.0
            ok[:, j] = 0.0
            matched += 1
        tp += matched
        fp += len(pb) - matched
        fn += len(tb) - matched
    return {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0}


# --------------------------------------------------------------------------- grid targets
def encode_grid_targets(boxes, classes, *, grid: int, num_classes: int, canvas: int) -> np.ndarray:
    """YOLO-style targets for one image: an array (grid, grid, 5 + num_classes), float32.

    The object whose box centre lies in cell (row, col) is that cell's responsibility.
    Channels of a cell: ``[objectness, tx, ty, tw, th, one-hot class...]`` where
    ``tx, ty`` in [0, 1) are the centre's offset inside the cell (in cell units),
    ``tw, th`` the box width and height divided by the canvas size. Cells without an object
    are all zeros. When two centres fall in one cell, the larger box keeps it.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    classes = np.asarray(classes).astype(np.int64).ravel()
    cell = canvas / grid
    target = np.zeros((grid, grid, 5 + num_classes), dtype=np.float32)
    area_kept = np.zeros((grid, grid))
    for box, c in zip(boxes, classes):
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        col = min(int(cx // cell), grid - 1)
        row = min(int(cy // cell), grid - 1)
        area = (box[2] - box[0]) * (box[3] - box[1])
        if area <= area_kept[row, col]:
            continue
        area_kept[row, col] = area
        target[row, col, :] = 0.0
        target[row, col, 0] = 1.0
        target[row, col, 1:5] = (cx / cell - col, cy / cell - row,
                                 (box[2] - box[0]) / canvas, (box[3] - box[1]) / canvas)
        target[row, col, 5 + c] = 1.0
    return target


def decode_grid(preds, *, canvas: int, score_threshold: float = 0.5):
    """Turn grid outputs back into boxes: the inverse of :func:`encode_grid_targets`.

    ``preds`` is (grid, grid, 5 + C) for one image or (n, grid, grid, 5 + C) for a batch,
    with activations already applied (objectness and class scores as probabilities,
    offsets in [0, 1]). A cell becomes a detection when ``objectness * max class
    probability`` exceeds ``score_threshold``; that product is its score.
    Returns ``(boxes, scores, classes)`` for one image, or three per-image lists for a batch.
    No NMS is applied here.
    """
    preds = np.asarray(preds, dtype=np.float64)
    if preds.ndim == 4:
        decoded = [decode_grid(p, canvas=canvas, score_threshold=score_threshold) for p in preds]
        return [d[0] for d in decoded], [d[1] for d in decoded], [d[2] for d in decoded]
    if preds.ndim != 3 or preds.shape[0] != preds.shape[1] or preds.shape[2] < 6:
        raise ValueError(f"decode_grid expects (grid, grid, 5 + C) predictions, got {preds.shape}")
    grid = preds.shape[0]
    cell = canvas / grid
    class_prob = preds[..., 5:]
    cls = class_prob.argmax(axis=-1)
    score = preds[..., 0] * class_prob.max(axis=-1)
    rows, cols = np.nonzero(score > score_threshold)
    tx, ty, tw, th = (preds[rows, cols, k] for k in range(1, 5))
    cx, cy = (cols + tx) * cell, (rows + ty) * cell
    w, h = tw * canvas, th * canvas
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1).astype(np.float32).reshape(-1, 4)
    return boxes, score[rows, cols].astype(np.float32), cls[rows, cols].astype(np.int64)


# --------------------------------------------------------------------------- drawing
def draw_boxes(ax, boxes, labels: Sequence | None = None, color="C1", *, scores=None, linewidth: float = 1.5,
               linestyle: str = "-", fontsize: float = 8):
    """Draw pixel boxes on an axis that shows the image with ``imshow`` (pixel centres at
    integer coordinates, so box edges are shifted by -0.5). ``labels`` (one per box) and
    ``scores`` are written above each box. Returns the axis."""
    from matplotlib.patches import Rectangle

    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=color,
                               linewidth=linewidth, linestyle=linestyle))
        text = []
        if labels is not None:
            text.append(str(labels[k]))
        if scores is not None:
            text.append(f"{float(scores[k]):.2f}")
        if text:
            ax.text(x0 - 0.5, y0 - 1.0, " ".join(text), color=color, fontsize=fontsize, va="bottom", ha="left",
                    clip_on=True)
    return ax
