"""A local HTTP server standing in for Twilio's media URLs (and recording who asked)."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.servers import SERVE_POLL


@dataclass
class Served:
    body: bytes
    content_type: str
    status: int = 200
    failures_left: int = 0  # answer 500 this many times first
    redirect: str | None = None  # answer 302 to this URL (Twilio's API sends its media on to a CDN)


@dataclass
class MediaServer:
    files: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Authorization

    def start(self) -> "MediaServer":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, with_body: bool) -> None:
                owner.requests.append((self.command, self.path, self.headers.get("Authorization")))
                served = owner.files.get(self.path)
                if served is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if served.failures_left > 0:
                    served.failures_left -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                if served.redirect:
                    self.send_response(302)
                    self.send_header("Location", served.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(served.status)
                self.send_header("Content-Type", served.content_type)
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(served.body)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(True)

            def do_DELETE(self) -> None:  # noqa: N802
                owner.requests.append(("DELETE", self.path, self.headers.get("Authorization")))
                self.send_response(204)
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, args=(SERVE_POLL,), daemon=True).start()
        return self

    def add(self, name: str, body: bytes, content_type: str, **kw: object) -> str:
        """Serve body at /name; return its URL."""
        self.files[f"/{name}"] = Served(body=body, content_type=content_type, **kw)  # type: ignore[arg-type]
        return f"{self.url}/{name}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def image_bytes(kind: str = "JPEG", width: int = 4, height: int = 3) -> bytes:
    """A real, tiny image of that format (its header is read before a file is kept)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, kind)
    return buffer.getvalue()


def jpeg_bytes(size: int = 2048) -> bytes:
    """A real small JPEG padded after its end to `size` bytes (tests tell files apart by size)."""
    image = image_bytes("JPEG")
    return image + b"\x00" * max(0, size - len(image))


def png_bytes(size: int = 2048) -> bytes:
    """A real small PNG padded after its end to `size` bytes."""
    image = image_bytes("PNG")
    return image + b"\x00" * max(0, size - len(image))


def pdf_bytes(size: int = 2048) -> bytes:
    return b"%PDF-1.4\n" + b"0" * max(0, size - 9)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height (a pixel bomb): tiny on the wire, huge once decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * min(height, 16)))
            + chunk(b"IEND", b""))
