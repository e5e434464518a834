"""Preprocessing a user's drawing or upload into MNIST-like model input.

Case tables for encodings (canvas RGBA, paper RGB, grayscale, files), hypothesis properties on
random rectangles and strokes in a 280×280 canvas, and a realism check on real MNIST digits.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from mlcore.preprocess import (
    PreprocessError,
    box_fraction,
    centre_of_mass,
    frame_centre,
    image_from_bytes,
    to_model_input,
)

CANVAS = 280
MNIST = {"input_shape": (28, 28), "pixel_max": 255.0}
DIGITS = {"input_shape": (8, 8), "pixel_max": 16.0}


def seven() -> np.ndarray:
    """A bold "7" drawn off-centre: (280, 280) uint8 ink mask, 255 on the strokes, 0 elsewhere."""
    img = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(img).line([(40, 50), (170, 50), (90, 230)], fill=255, width=18, joint="curve")
    return np.asarray(img)


def white_on_transparent(ink: np.ndarray) -> np.ndarray:
    """A web canvas: transparent black background, white strokes whose alpha is the ink."""
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., :3] = 255
    rgba[..., 3] = ink
    return rgba


def white_on_black_rgba(ink: np.ndarray) -> np.ndarray:
    rgba = np.full((*ink.shape, 4), 255, dtype=np.uint8)
    rgba[..., :3] = ink[..., None]
    return rgba


def dark_on_transparent(ink: np.ndarray) -> np.ndarray:
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., :3] = 20  # near-black ink
    rgba[..., 3] = ink
    return rgba


def black_on_white_rgb(ink: np.ndarray) -> np.ndarray:
    return np.repeat((255 - ink)[..., None], 3, axis=2)


def blue_on_white_rgb(ink: np.ndarray) -> np.ndarray:
    rgb = np.full((*ink.shape, 3), 255, dtype=np.uint8)
    rgb[ink > 0] = (0, 0, 160)
    return rgb


def grey_paper(ink: np.ndarray) -> np.ndarray:
    """Black ink on light grey paper (background 200 of 255), 2-D."""
    return np.where(ink > 0, 0, 200).astype(np.uint8)


ENCODINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "canvas RGBA white on transparent": white_on_transparent,
    "RGBA white on opaque black": white_on_black_rgba,
    "RGBA dark ink on transparent": dark_on_transparent,
    "RGB black on white": black_on_white_rgb,
    "RGB blue ink on white": blue_on_white_rgb,
    "RGB white on black": lambda ink: np.repeat(ink[..., None], 3, axis=2),
    "gray 2-D black on white": lambda ink: 255 - ink,
    "gray 2-D white on black": lambda ink: ink,
    "gray (H, W, 1)": lambda ink: ink[..., None],
    "gray + alpha (H, W, 2)": lambda ink: np.stack([np.full_like(ink, 255), ink], axis=2),
    "float 0-1 white on black": lambda ink: ink.astype(np.float64) / 255,
    "bool mask": lambda ink: ink > 0,
    "grey paper": grey_paper,
}


def assert_centred(x: np.ndarray, *, tolerance: float = 0.5 + 1e-6) -> None:
    """Centre of mass within half a pixel of frame_centre on each axis (whole-pixel shifts)."""
    row, col = centre_of_mass(x)
    want_row, want_col = frame_centre(x.shape)
    assert abs(row - want_row) <= tolerance
    assert abs(col - want_col) <= tolerance


def assert_box_centred(x: np.ndarray) -> None:
    """The ink's bounding box sits in the middle of the frame (margins differ by at most 1 px)."""
    for axis in (1, 0):
        used = np.flatnonzero(x.any(axis=axis))
        before, after = int(used[0]), x.shape[1 - axis] - 1 - int(used[-1])
        assert abs(before - after) <= 1, (before, after)


def assert_target_centring(x: np.ndarray, target: dict) -> None:
    """Mass-centred for MNIST-style frames, box-centred for the 8×8 digits."""
    if target is DIGITS:
        assert_box_centred(x)
    else:
        assert_centred(x)


def ink_extent(x: np.ndarray) -> tuple[int, int]:
    """(rows, cols) of the bounding box of the nonzero pixels."""
    return int(x.any(axis=1).sum()), int(x.any(axis=0).sum())


# ---------------------------------------------------------------- case tables


@pytest.mark.parametrize("encode", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_every_encoding_of_the_same_drawing_gives_the_same_input(
    encode: Callable[[np.ndarray], np.ndarray],
) -> None:
    ink = seven()
    reference = to_model_input(white_on_transparent(ink), **MNIST)
    x = to_model_input(encode(ink), **MNIST)
    assert x.shape == (28, 28)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, reference, atol=1.0)


def test_canvas_drawing_is_a_white_digit_on_black_in_a_20_px_box() -> None:
    x = to_model_input(white_on_transparent(seven()), **MNIST)
    assert float(x.max()) == 255.0
    assert float(x.min()) == 0.0
    assert max(ink_extent(x)) == 20
    assert_centred(x)


def test_small_drawing_in_a_corner_ends_centred_and_scaled_up() -> None:
    ink = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    ink[240:280, 0:25] = 255  # a 40×25 blob touching the bottom-left corner
    ink[240:250, 25:30] = 255
    x = to_model_input(black_on_white_rgb(ink), **MNIST)
    assert ink_extent(x)[0] == 20
    assert_centred(x)


def test_8x8_target_fills_the_frame_centred_with_pixel_max_16() -> None:
    """The 8×8 digits' sources were size-normalised to fill their frame and centred by box."""
    x = to_model_input(white_on_transparent(seven()), **DIGITS)
    assert x.shape == (8, 8)
    assert float(x.max()) == 16.0
    assert 0.0 <= float(x.min())
    assert max(ink_extent(x)) == 8
    assert_box_centred(x)


def test_non_square_target() -> None:
    x = to_model_input(white_on_transparent(seven()), input_shape=(28, 14), pixel_max=1.0)
    assert x.shape == (28, 14)
    assert ink_extent(x)[1] <= 10
    assert float(x.max()) == 1.0


def test_single_ink_pixel_becomes_a_centred_block() -> None:
    """A tap on the canvas is scaled like any ink: a one-pixel dot fills the 20 px box."""
    ink = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    ink[3, 250] = 255
    x = to_model_input(white_on_transparent(ink), **MNIST)
    assert ink_extent(x) == (20, 20)
    assert float(x.max()) == float(x[x > 0].min()) == 255.0
    assert_centred(x)


def test_faint_noise_is_dropped() -> None:
    rng = np.random.default_rng(0)
    noisy = (255 - seven()).astype(np.int64) - rng.integers(0, 20, (CANVAS, CANVAS))  # paper speckle
    x = to_model_input(np.clip(noisy, 0, 255).astype(np.uint8), **MNIST)
    reference = to_model_input(white_on_transparent(seven()), **MNIST)
    assert np.corrcoef(x.ravel(), reference.ravel())[0, 1] > 0.99
    assert x[:3].max() == 0


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8), "transparent"),
        (np.full((CANVAS, CANVAS, 4), (255, 255, 255, 0), dtype=np.uint8), "transparent"),
        (np.zeros((CANVAS, CANVAS), dtype=np.uint8), "empty"),
        (np.full((CANVAS, CANVAS, 3), 255, dtype=np.uint8), "empty"),
        (np.full((CANVAS, CANVAS), 12, dtype=np.uint8), "empty"),
        (np.full((CANVAS, CANVAS, 4), (255, 255, 255, 10), dtype=np.uint8), "empty"),
        (np.zeros((1, 1), dtype=np.uint8), "empty"),
    ],
    ids=[
        "blank canvas",
        "transparent white",
        "black",
        "white paper",
        "faint grey",
        "faint strokes",
        "1x1 black",
    ],
)
def test_empty_image_raises(image: np.ndarray, message: str) -> None:
    with pytest.raises(PreprocessError, match=message) as info:
        to_model_input(image, **MNIST)
    assert "draw a digit" in str(info.value)


@pytest.mark.parametrize(
    ("image", "kwargs", "message"),
    [
        (np.zeros((28, 28, 5), dtype=np.uint8), MNIST, "shape"),
        (np.zeros((2, 28, 28, 3), dtype=np.uint8), MNIST, "shape"),
        (np.zeros((0, 28), dtype=np.uint8), MNIST, "shape"),
        (np.zeros((28, 28), dtype=np.int16), MNIST, "pixel type"),
        (np.full((28, 28), np.nan), MNIST, "finite"),
        (seven(), {"input_shape": (28,), "pixel_max": 255.0}, "input_shape"),
        (seven(), {"input_shape": (28, 0), "pixel_max": 255.0}, "input_shape"),
        (seven(), {"input_shape": (28, 28), "pixel_max": 0.0}, "pixel_max"),
    ],
)
def test_unusable_arguments_raise(image: np.ndarray, kwargs: dict, message: str) -> None:
    with pytest.raises(PreprocessError, match=message):
        to_model_input(image, **kwargs)


def test_centre_of_mass_of_an_empty_image_raises() -> None:
    with pytest.raises(PreprocessError, match="no ink"):
        centre_of_mass(np.zeros((3, 3)))


# ---------------------------------------------------------------- files


def encoded(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def test_png_canvas_round_trip_keeps_alpha() -> None:
    rgba = white_on_transparent(seven())
    decoded = image_from_bytes(encoded(Image.fromarray(rgba), "PNG"))
    assert decoded.dtype == np.uint8
    np.testing.assert_array_equal(decoded, rgba)


@pytest.mark.parametrize(
    ("img", "fmt", "shape"),
    [
        (Image.new("L", (5, 4), 9), "PNG", (4, 5)),
        (Image.new("1", (5, 4), 1), "PNG", (4, 5)),
        (Image.new("RGB", (5, 4), (1, 2, 3)), "PNG", (4, 5, 3)),
        (Image.new("LA", (5, 4), (9, 100)), "PNG", (4, 5, 4)),
        (Image.new("RGB", (5, 4), (200, 10, 10)), "JPEG", (4, 5, 3)),
        (Image.new("CMYK", (5, 4)), "JPEG", (4, 5, 3)),
    ],
    ids=["gray", "bilevel", "rgb", "gray+alpha", "jpeg", "cmyk jpeg"],
)
def test_modes_decode_to_gray_rgb_or_rgba(img: Image.Image, fmt: str, shape: tuple[int, ...]) -> None:
    decoded = image_from_bytes(encoded(img, fmt))
    assert decoded.shape == shape
    assert decoded.dtype == np.uint8


def test_palette_with_transparency_decodes_to_rgba() -> None:
    img = Image.new("P", (4, 4), 0)
    img.putpalette([0, 0, 0, 255, 255, 255])
    img.putpixel((1, 1), 1)
    decoded = image_from_bytes(encoded(img, "PNG", transparency=0))
    assert decoded.shape == (4, 4, 4)
    assert decoded[1, 1].tolist() == [255, 255, 255, 255]
    assert decoded[0, 0, 3] == 0


def test_16_bit_png_scales_to_8_bit() -> None:
    img = Image.fromarray(np.array([[0, 65535], [257 * 100, 0]], dtype=np.uint16))
    decoded = image_from_bytes(encoded(img, "PNG"))
    assert decoded.tolist() == [[0, 255], [100, 0]]


def test_jpeg_of_paper_drawing_matches_the_canvas_drawing() -> None:
    data = encoded(Image.fromarray(black_on_white_rgb(seven())), "JPEG", quality=75)
    x = to_model_input(image_from_bytes(data), **MNIST)
    reference = to_model_input(white_on_transparent(seven()), **MNIST)
    assert np.corrcoef(x.ravel(), reference.ravel())[0, 1] > 0.98


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"not an image at all, just text", "not an image Pillow can read"),
        (encoded(Image.new("RGB", (4, 4)), "BMP"), r"\(PNG or JPEG\)"),
        (encoded(Image.new("RGB", (4, 4)), "GIF"), r"\(PNG or JPEG\)"),
        (encoded(Image.new("RGB", (64, 64), (9, 9, 9)), "PNG")[:80], "damaged or truncated"),
    ],
    ids=["empty", "text", "bmp", "gif", "truncated png"],
)
def test_unreadable_bytes_raise(data: bytes, message: str) -> None:
    with pytest.raises(PreprocessError, match=message):
        image_from_bytes(data)


def test_oversized_image_is_refused_before_decoding() -> None:
    data = encoded(Image.new("L", (100, 60)), "PNG")
    with pytest.raises(PreprocessError, match=r"too large \(100×60 pixels"):
        image_from_bytes(data, max_pixels=5_000)
    assert image_from_bytes(data, max_pixels=6_000).shape == (60, 100)


def test_decompression_bomb_is_refused_by_default() -> None:
    """A few kilobytes of PNG that would decode to 30 million pixels."""
    data = encoded(Image.new("1", (6_000, 5_000)), "PNG")
    assert len(data) < 100_000
    with pytest.raises(PreprocessError, match="too large"):
        image_from_bytes(data)


def test_pillow_bomb_limit_is_reported_as_too_large() -> None:
    data = encoded(Image.new("1", (6_000, 5_000)), "PNG")
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1_000_000
    try:
        with pytest.raises(PreprocessError, match="too large"):
            image_from_bytes(data, max_pixels=10**9)
    finally:
        Image.MAX_IMAGE_PIXELS = limit


# ---------------------------------------------------------------- properties

TARGETS = st.sampled_from([MNIST, DIGITS])
CANVAS_STYLES = st.sampled_from([white_on_transparent, black_on_white_rgb, dark_on_transparent])


@st.composite
def rectangles(draw: st.DrawFn) -> np.ndarray:
    """Ink mask of one filled rectangle, 1…200 px a side, anywhere in the canvas."""
    height = draw(st.integers(1, 200))
    width = draw(st.integers(1, 200))
    top = draw(st.integers(0, CANVAS - height))
    left = draw(st.integers(0, CANVAS - width))
    ink = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    ink[top : top + height, left : left + width] = 255
    return ink


@st.composite
def strokes(draw: st.DrawFn) -> np.ndarray:
    """Ink mask of a polyline of 1…6 segments, 1…30 px wide, through random canvas points."""
    coordinate = st.integers(20, CANVAS - 20)
    points = draw(st.lists(st.tuples(coordinate, coordinate), min_size=2, max_size=7))
    img = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(img).line(points, fill=255, width=draw(st.integers(1, 30)), joint="curve")
    return np.asarray(img)


def check_conventions(x: np.ndarray, target: dict) -> None:
    pixel_max = target["pixel_max"]
    assert x.shape == target["input_shape"]
    assert x.dtype == np.float32
    assert float(x.min()) >= 0.0
    assert float(x.max()) == pixel_max


@settings(max_examples=80, deadline=None)
@given(rectangles(), CANVAS_STYLES, TARGETS)
def test_rectangles_fill_the_box_and_are_centred(
    ink: np.ndarray, style: Callable[[np.ndarray], np.ndarray], target: dict
) -> None:
    x = to_model_input(style(ink), **target)
    check_conventions(x, target)
    side = target["input_shape"][0]
    assert max(ink_extent(x)) == round(box_fraction(target["input_shape"]) * side)
    assert_target_centring(x, target)


@settings(max_examples=80, deadline=None)
@given(strokes(), CANVAS_STYLES, TARGETS)
def test_strokes_keep_the_conventions(
    ink: np.ndarray, style: Callable[[np.ndarray], np.ndarray], target: dict
) -> None:
    x = to_model_input(style(ink), **target)
    check_conventions(x, target)
    if target is DIGITS:
        assert_box_centred(x)
        return
    row, col = centre_of_mass(x)
    want_row, want_col = frame_centre(target["input_shape"])
    # The shift stops at the frame's edge rather than cut ink off; otherwise within half a pixel.
    touches_rows = bool(x[0].any() or x[-1].any())
    touches_cols = bool(x[:, 0].any() or x[:, -1].any())
    assert abs(row - want_row) <= 0.5 + 1e-6 or touches_rows
    assert abs(col - want_col) <= 0.5 + 1e-6 or touches_cols
    assert np.hypot(row - want_row, col - want_col) <= 1.0 or touches_rows or touches_cols


# ---------------------------------------------------------------- realism


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, np.ndarray]:
    from mlcore.datasets import load

    data = load("mnist-5k")
    return data.x, data.y


@pytest.mark.parametrize("digit", range(10))
def test_mnist_digit_drawn_on_a_canvas_comes_back_nearly_unchanged(
    mnist: tuple[np.ndarray, np.ndarray], digit: int
) -> None:
    x, y = mnist
    original = x[int(np.flatnonzero(y == digit)[0])]
    canvas = white_on_transparent(np.kron(original.astype(np.uint8), np.ones((10, 10), dtype=np.uint8)))
    result = to_model_input(canvas, **MNIST)
    assert np.corrcoef(result.ravel(), original.ravel())[0, 1] > 0.8


def test_mnist_digits_mostly_reproduced_exactly(mnist: tuple[np.ndarray, np.ndarray]) -> None:
    """MNIST is centred by mass in a 20 px box already; only centre-of-mass ties at exactly half a
    pixel may land one pixel off."""
    x, _ = mnist
    originals = x[::25]
    r = [
        np.corrcoef(
            to_model_input(
                white_on_transparent(np.kron(o.astype(np.uint8), np.ones((10, 10), dtype=np.uint8))), **MNIST
            ).ravel(),
            o.ravel(),
        )[0, 1]
        for o in originals
    ]
    assert np.median(r) > 0.99


def test_bundled_8x8_digits_drawn_large_come_back_mostly_unchanged() -> None:
    """A user's large drawing of an 8×8 training digit maps back onto it for most digits."""
    from mlcore.datasets import load

    x = load("digits").x[:200]
    r = np.array(
        [
            np.corrcoef(
                to_model_input(
                    white_on_transparent((np.kron(o, np.ones((30, 30))) / 16 * 255).astype(np.uint8)),
                    **DIGITS,
                ).ravel(),
                o.ravel(),
            )[0, 1]
            for o in x
        ]
    )
    assert np.median(r) > 0.99 and (r > 0.9).mean() > 0.8
