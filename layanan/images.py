"""Citizens' images: their size read from the header only, and the bounded thumbnails staff pages show."""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Response, abort, send_file
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_PX = 480  # the longest side of a thumbnail on staff pages
THUMBNAIL_FOLDER = "thumbnails"  # under MEDIA_PATH, beside the files (which live under two hex levels)


class ImageRefused(ValueError):
    """An image that is not kept: unreadable, or more pixels than allowed."""


class TooManyPixels(ImageRefused):
    """More megapixels than MEDIA_MAX_MEGAPIXELS."""


def pixel_size(source: bytes | Path) -> tuple[int, int]:
    """Width and height read from the image header, nothing decoded; ImageRefused when it is no readable
    image, TooManyPixels when Pillow's own decompression-bomb guard already refuses it."""
    try:
        with warnings.catch_warnings():
            # The limit is ours (check_pixels); Pillow's warning below its hard refusal is not needed.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                return image.size
    except Image.DecompressionBombError as exc:  # Pillow refuses to open past twice its own limit
        raise TooManyPixels(f"lebih dari {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f} megapiksel") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused("isi gambar tidak dapat dibaca") from exc


def check_pixels(source: bytes | Path, max_megapixels: float) -> tuple[int, int]:
    """The image's width and height when it is readable and within max_megapixels; else ImageRefused."""
    width, height = pixel_size(source)
    if width * height > max_megapixels * 1_000_000:
        raise TooManyPixels(f"{width} × {height} piksel, lebih dari {max_megapixels:g} megapiksel")
    return width, height


def thumbnail_path(media_root: Path, sha256: str) -> Path:
    """Where the thumbnail of the file with this sha256 is kept (a purge of the file removes it too)."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ImageRefused("sidik berkas tidak sah")
    return media_root / THUMBNAIL_FOLDER / sha256[:2] / f"{sha256}.jpg"


def thumbnail(media_root: Path, original: Path, sha256: str, max_megapixels: float) -> Path:
    """A JPEG of at most THUMBNAIL_PX on its longest side, made once per file and kept under
    MEDIA_PATH/thumbnails by the file's sha256; ImageRefused when the original cannot be shown."""
    path = thumbnail_path(media_root, sha256)
    if path.is_file():
        return path
    check_pixels(original, max_megapixels)  # files stored before the limit are checked before decoding
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(original) as image:
                image.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))  # JPEG: decode at a reduced scale
                small = ImageOps.exif_transpose(image)  # phone photos upright
                small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
                small = _on_white(small)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ImageRefused("isi gambar tidak dapat dibaca") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        small.save(handle, "JPEG", quality=80, optimize=True)
    os.replace(tmp, path)
    return path


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency shown on white, as a scan on paper."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def send_thumbnail(config: Mapping[str, Any], original: Path, sha256: str | None) -> Response:
    """The thumbnail of a stored image as a private, uncached answer; 404 when none can be made."""
    if not sha256:
        abort(404)
    try:
        path = thumbnail(Path(config["MEDIA_PATH"]), original, sha256, float(config["MEDIA_MAX_MEGAPIXELS"]))
    except ImageRefused:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    return response
