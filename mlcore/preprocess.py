"""Turn a user's image (a digit drawn on a canvas, or an uploaded PNG/JPEG) into model input.

A digit model here was trained on MNIST's conventions (or the 8×8 digits' equivalent), so a
drawing must look like a training sample before the model sees it, or the prediction means
little. :func:`to_model_input` reproduces MNIST's preprocessing:

* **Values.** The result is float32 in ``[0, pixel_max]`` (255 for MNIST, 16 for the 8×8
  digits), the raw scale of :class:`mlcore.datasets.Dataset` (the model rescales inside), with
  the brightest pixel exactly ``pixel_max``.
* **Polarity.** Ink is bright, background is 0: a white digit on black. Dark ink on light paper
  is inverted. The rule: the image is inverted when the median of its one-pixel border is
  brighter than half scale (the border is background in any sensible drawing).
* **Transparency.** An alpha channel is composited over a background that contrasts with the
  visible pixels: over black when their alpha-weighted mean luminance is at least half scale
  (white strokes on a transparent canvas), over white otherwise (dark ink on transparency).
* **Size.** The ink's bounding box is scaled, aspect ratio kept, so its longer side fills a box
  of :func:`box_fraction` × side pixels: 20 px in 28×28 like MNIST; the whole 8×8 frame for the
  8×8 digits, whose source bitmaps were size-normalised to fill their frame (a digit drawn
  smaller than the training digits is misread). A single dot is scaled like any other ink and
  becomes a filled block.
* **Centring.** For the 8×8 digits the box is centred in the frame (their sources were centred
  by box; measured on the bundled digits, this reproduces 89 % of them almost exactly against
  57 % for mass centring). For MNIST-style frames the ink is shifted by whole pixels (zero
  fill, nothing wraps around) so its centre of mass lands on :func:`frame_centre`,
  ``(H/2, W/2)`` in pixel-index coordinates (pixel ``(i, j)`` sits at ``(i, j)``): ``(14, 14)``
  for 28×28, which is where MNIST's digits have their centre of mass on average. The shift
  stops at the frame's edge, so ink is never cut off; only then can the centre of mass sit
  more than half a pixel from the centre.

Client side: numpy and Pillow only (Pillow comes with Streamlit).
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Fraction of the frame's side that the ink's longer side fills (MNIST: 20 px of 28).
BOX_FRACTION = 20 / 28
#: Frames smaller than this (the 8×8 digits) are filled by the ink's longer side.
SMALL_FRAME = 16


def box_fraction(input_shape: tuple[int, int]) -> float:
    """Share of the frame the ink's longer side fills: 20/28 (MNIST), 1 for small frames (8×8).

    >>> round(box_fraction((28, 28)) * 28), box_fraction((8, 8))
    (20, 1.0)
    """
    return 1.0 if max(input_shape) < SMALL_FRAME else BOX_FRACTION


#: Intensity (0–1, after polarity and background removal) below which a pixel counts as noise.
NOISE_FLOOR = 0.1
#: File formats :func:`image_from_bytes` decodes.
FORMATS = ("PNG", "JPEG")
#: Luminance weights of red, green and blue (ITU-R BT.601, as Pillow's "L" conversion).
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_HALF = 0.5
_CHANNELS = (2, 3, 4)  # gray + alpha, RGB, RGBA
_WITH_ALPHA = (2, 4)


class PreprocessError(ValueError):
    """An image cannot be turned into model input; the message says what to change."""


def image_from_bytes(data: bytes, *, max_pixels: int = 25_000_000) -> np.ndarray:
    """Decode a PNG or JPEG file into a uint8 array: (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA.

    The size in the file's header is checked before any pixel is decoded, so a small file that
    would expand to a huge image (a decompression bomb) is refused cheaply. A JPEG's EXIF
    orientation is applied (a phone photo comes out upright).

    Parameters
    ----------
    data:
        The file's bytes.
    max_pixels:
        Largest accepted width × height.

    Returns
    -------
    The pixels, uint8 0–255, with an alpha channel only when the file has transparency.

    Raises
    ------
    PreprocessError
        The bytes are empty, not a PNG/JPEG Pillow can read, damaged, or the image is too large.

    >>> buf = io.BytesIO()
    >>> Image.new("RGBA", (3, 2), (255, 255, 255, 0)).save(buf, format="PNG")
    >>> image_from_bytes(buf.getvalue()).shape
    (2, 3, 4)
    """
    if not data:
        raise PreprocessError("the file is empty: choose a PNG or JPEG image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise PreprocessError("the file is not an image Pillow can read (PNG or JPEG)") from exc
        raise PreprocessError(f"the image is too large: at most {max_pixels:,} pixels") from exc
    with img:
        width, height = img.size
        if width < 1 or height < 1:
            raise PreprocessError("the image has no pixels: choose another file")
        if width * height > max_pixels:
            raise PreprocessError(
                f"the image is too large ({width}×{height} pixels, at most {max_pixels:,}): scale it down"
            )
        try:
            img.load()
            img = ImageOps.exif_transpose(img)
            return _to_array(img)
        except (OSError, SyntaxError) as exc:
            raise PreprocessError("the image file is damaged or truncated: save it again") from exc


def _to_array(img: Image.Image) -> np.ndarray:
    """Pixels of a loaded image as uint8 (H, W), (H, W, 3) or (H, W, 4)."""
    mode = img.mode
    if mode.startswith("I"):  # 16- or 32-bit grayscale PNG
        wide = np.asarray(img).astype(np.float64)
        scale = 257.0 if wide.max(initial=0) > 255 else 1.0
        return np.clip(np.rint(wide / scale), 0, 255).astype(np.uint8)
    if mode in ("1", "L", "F"):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    if "A" in mode or "a" in mode or "transparency" in img.info:
        return np.asarray(img.convert("RGBA"), dtype=np.uint8)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def frame_centre(input_shape: tuple[int, int]) -> tuple[float, float]:
    """Where :func:`to_model_input` puts the centre of mass: ``(H/2, W/2)``, pixel-index coordinates.

    >>> frame_centre((28, 28))
    (14.0, 14.0)
    """
    return input_shape[0] / 2, input_shape[1] / 2


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted mean (row, col) of a 2-D image, in pixel-index coordinates.

    Pixel ``(i, j)`` sits at ``(i, j)``; intensities are the weights (they must be ≥ 0).

    Raises
    ------
    PreprocessError
        ``x`` is not 2-D, or has no positive intensity (the centre is undefined).

    >>> centre_of_mass(np.array([[0.0, 0.0], [1.0, 3.0]]))
    (1.0, 0.75)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise PreprocessError(f"expected a 2-D image, got shape {x.shape}")
    total = x.sum()
    if not total > 0:
        raise PreprocessError("the image has no ink: its centre of mass is undefined")
    row = float(x.sum(axis=1) @ np.arange(x.shape[0]) / total)
    col = float(x.sum(axis=0) @ np.arange(x.shape[1]) / total)
    return row, col


def to_model_input(image: np.ndarray, *, input_shape: tuple[int, int], pixel_max: float) -> np.ndarray:
    """Preprocess a user's image like the training data (see the module docstring).

    Steps: grayscale 0–1 (alpha composited), invert when the border is bright, remove the
    background level and faint noise, crop to the ink, resize (antialiased, aspect kept) into
    a :func:`box_fraction` box, shift the centre of mass to :func:`frame_centre`, and scale
    the brightest pixel to ``pixel_max``.

    Parameters
    ----------
    image:
        (H, W) gray, (H, W, 2) gray + alpha, (H, W, 3) RGB or (H, W, 4) RGBA. uint8 is 0–255,
        other unsigned integers are scaled by their maximum, bool is 0/1, floats are 0–1.
    input_shape:
        The model's (rows, cols), e.g. ``(28, 28)``.
    pixel_max:
        The training data's full-scale value (255 for MNIST, 16 for the 8×8 digits).

    Returns
    -------
    float32 array of shape ``input_shape``, values in ``[0, pixel_max]``, max ``pixel_max``.

    Raises
    ------
    PreprocessError
        The array's shape or values are unusable, or there is no ink ("draw a digit").

    >>> canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    >>> canvas[10:60, 200:220] = 255            # a white bar, top right, on transparency
    >>> x = to_model_input(canvas, input_shape=(28, 28), pixel_max=255)
    >>> x.shape, x.dtype, float(x.max())
    ((28, 28), dtype('float32'), 255.0)
    >>> centre_of_mass(x), int((x.max(axis=1) > 0).sum())  # within half a pixel of (14, 14)
    ((14.5, 14.5), 20)
    """
    rows, cols = _check_target(input_shape, pixel_max)
    gray = _grayscale(image)
    ink = _ink(gray)
    top, bottom = np.flatnonzero(ink.any(axis=1))[[0, -1]]
    left, right = np.flatnonzero(ink.any(axis=0))[[0, -1]]
    patch = _fit(ink[top : bottom + 1, left : right + 1], rows, cols)
    if not patch.max() > 0:
        raise PreprocessError("the drawing is empty: draw a digit")
    height, width = patch.shape
    if max(rows, cols) < SMALL_FRAME:  # the 8×8 digits: centred by their box, like their sources
        row0, col0 = (rows - height + 1) // 2, (cols - width + 1) // 2
    else:
        centre = frame_centre((rows, cols))
        com = centre_of_mass(patch)
        row0 = int(np.clip(np.floor(centre[0] - com[0] + _HALF), 0, rows - height))
        col0 = int(np.clip(np.floor(centre[1] - com[1] + _HALF), 0, cols - width))
    out = np.zeros((rows, cols), dtype=np.float32)
    out[row0 : row0 + height, col0 : col0 + width] = patch
    return out / out.max() * np.float32(pixel_max)  # x / max is exactly 1 at the maximum


def _check_target(input_shape: tuple[int, int], pixel_max: float) -> tuple[int, int]:
    shape = tuple(input_shape)
    if len(shape) != 2 or not all(isinstance(s, int | np.integer) and s >= 1 for s in shape):
        raise PreprocessError(f"input_shape must be two positive integers (rows, cols), got {input_shape!r}")
    if not (np.isfinite(pixel_max) and pixel_max > 0):
        raise PreprocessError(f"pixel_max must be a positive number, got {pixel_max!r}")
    return int(shape[0]), int(shape[1])


def _unit(a: np.ndarray) -> np.ndarray:
    """Values of ``a`` on a 0–1 scale, float32 (see :func:`to_model_input` for the dtypes)."""
    if a.dtype == np.bool_:
        return a.astype(np.float32)
    if np.issubdtype(a.dtype, np.unsignedinteger):
        return a.astype(np.float32) / np.float32(np.iinfo(a.dtype).max)
    if np.issubdtype(a.dtype, np.floating):
        if not np.isfinite(a).all():
            raise PreprocessError("the image has missing or infinite values: pass finite 0–1 floats")
        return np.clip(a, 0, 1).astype(np.float32)
    raise PreprocessError(f"unsupported pixel type {a.dtype}: pass uint8 0–255 or floats 0–1")


def _grayscale(image: np.ndarray) -> np.ndarray:
    """Intensity 0–1 (H, W); an alpha channel is composited over black or white (module docstring)."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.size == 0 or not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in _CHANNELS)):
        raise PreprocessError(
            f"expected an image of shape (H, W), (H, W, 3) or (H, W, 4), got {a.shape}: pass a picture"
        )
    a = _unit(a)
    if a.ndim == 2:
        return a
    has_alpha = a.shape[2] in _WITH_ALPHA
    colour = a[:, :, :-1] if has_alpha else a
    lum = colour[:, :, 0] if colour.shape[2] == 1 else colour @ LUMA
    if not has_alpha:
        return lum
    alpha = a[:, :, -1]
    visible = float(alpha.sum())
    if not visible > 0:
        raise PreprocessError("the drawing is empty (fully transparent): draw a digit")
    background = 0.0 if float((lum * alpha).sum()) / visible >= _HALF else 1.0
    return alpha * lum + (1 - alpha) * np.float32(background)


def _border(gray: np.ndarray) -> np.ndarray:
    """The outermost ring of pixels."""
    if min(gray.shape) <= 2:
        return gray.ravel()
    return np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])


def _ink(gray: np.ndarray) -> np.ndarray:
    """Bright ink on a zero background: inverted if needed, background level and noise removed."""
    if float(np.median(_border(gray))) > _HALF:
        gray = 1 - gray
    level = float(np.median(_border(gray)))  # ≤ 0.5 after the polarity step
    ink = np.clip((gray - level) / (1 - level), 0, 1).astype(np.float32)
    ink[ink < NOISE_FLOOR] = 0
    if not ink.any():
        raise PreprocessError("the drawing is empty: draw a digit")
    return ink


def _fit(crop: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Resize ``crop`` (aspect kept, antialiased) so it fits a :func:`box_fraction` box of the frame."""
    fraction = box_fraction((rows, cols))
    box_rows = max(1, round(fraction * rows))
    box_cols = max(1, round(fraction * cols))
    scale = min(box_rows / crop.shape[0], box_cols / crop.shape[1])
    height = min(box_rows, max(1, round(crop.shape[0] * scale)))
    width = min(box_cols, max(1, round(crop.shape[1] * scale)))
    if (height, width) == crop.shape:
        return crop
    resized = Image.fromarray(np.ascontiguousarray(crop, dtype=np.float32)).resize(
        (width, height), resample=Image.Resampling.BOX
    )
    return np.clip(np.asarray(resized, dtype=np.float32), 0, None)
