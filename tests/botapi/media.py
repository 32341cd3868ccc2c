"""Just enough knowledge of uploaded files: PNG/JPEG recognition and dimensions, MIME type guessing."""

from __future__ import annotations

import mimetypes
import struct

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# JPEG start-of-frame markers (baseline, progressive, ...) carry the dimensions
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_kind(data: bytes) -> str | None:
    """ "png" or "jpeg" by magic bytes, else None."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG; (0, 0) when the header can't be read."""
    kind = image_kind(data)
    if kind == "png" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if kind == "jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in _SOF_MARKERS:
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            if marker == 0xFF:
                i += 1
                continue
            (segment_length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + int(segment_length)
    return 0, 0


def guess_mime(filename: str | None, declared: str | None = None) -> str:
    """MIME type from the file name, else the declared content type, else application/octet-stream."""
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    if guessed:
        return guessed
    if declared and declared != "application/octet-stream":
        return declared
    return "application/octet-stream"
