"""Image sizes read from the header only, and bounded thumbnails kept by the file's sha256."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from layanan.images import THUMBNAIL_PX, ImageRefused, TooManyPixels, check_pixels, pixel_size, thumbnail
from tests.support.media_server import image_bytes, jpeg_bytes, png_claiming


def stored(folder: Path, content: bytes) -> tuple[Path, str]:
    digest = hashlib.sha256(content).hexdigest()
    path = folder / "files" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path, digest


def test_a_10000_by_10000_png_is_measured_from_its_header_and_refused() -> None:
    bomb = png_claiming(10_000, 10_000)
    assert len(bomb) < 1000 and pixel_size(bomb) == (10_000, 10_000)
    with pytest.raises(TooManyPixels, match="10000 × 10000 piksel, lebih dari 40 megapiksel"):
        check_pixels(bomb, 40)
    assert check_pixels(bomb, 100) == (10_000, 10_000)


def test_past_pillows_own_guard_it_is_refused_too() -> None:
    with pytest.raises(TooManyPixels):
        check_pixels(png_claiming(30_000, 30_000), 10_000)


@pytest.mark.parametrize("content", [b"\xff\xd8\xff" + b"1" * 50, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b""])
def test_an_unreadable_header_is_refused(content: bytes) -> None:
    with pytest.raises(ImageRefused):
        check_pixels(content, 40)


def test_a_padded_small_jpeg_is_read() -> None:
    assert check_pixels(jpeg_bytes(5000), 40) == (4, 3)


def test_thumbnail_is_bounded_cached_by_sha256_and_upright(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned, the picture is shown rotated 90°
    Image.new("RGB", (2000, 1000), "navy").save(buffer, "JPEG", exif=exif)
    original, digest = stored(tmp_path, buffer.getvalue())
    made = thumbnail(tmp_path, original, digest, 40)
    assert made == tmp_path / "thumbnails" / digest[:2] / f"{digest}.jpg"
    with Image.open(made) as small:
        assert small.format == "JPEG"
        assert small.size == (THUMBNAIL_PX // 2, THUMBNAIL_PX)  # turned upright, longest side bounded
    before = made.stat().st_mtime_ns
    original.unlink()  # a second call uses the kept thumbnail
    assert thumbnail(tmp_path, original, digest, 40) == made and made.stat().st_mtime_ns == before


def test_transparent_png_thumbnail_is_on_white(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    original, digest = stored(tmp_path, buffer.getvalue())
    with Image.open(thumbnail(tmp_path, original, digest, 40)) as small:
        assert small.size == (THUMBNAIL_PX, THUMBNAIL_PX // 2)
        assert small.convert("RGB").getpixel((10, 10)) == (255, 255, 255)


def test_no_thumbnail_of_an_image_over_the_limit_or_unreadable(tmp_path: Path) -> None:
    for content in (png_claiming(10_000, 10_000), b"\xff\xd8\xff" + b"1" * 50):
        original, digest = stored(tmp_path, content)
        with pytest.raises(ImageRefused):
            thumbnail(tmp_path, original, digest, 40)
        assert not (tmp_path / "thumbnails" / digest[:2] / f"{digest}.jpg").exists()


def test_a_small_image_is_not_enlarged(tmp_path: Path) -> None:
    original, digest = stored(tmp_path, image_bytes("PNG", 40, 30))
    with Image.open(thumbnail(tmp_path, original, digest, 40)) as small:
        assert small.size == (40, 30)
