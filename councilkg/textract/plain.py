"""Plain text and Markdown: the encodings users' files come in, read without guessing into mojibake."""

from __future__ import annotations

import re

from councilkg.errors import DocumentRejected

#: C0 controls but tab, line feed and form feed, DEL, and C1 controls: many of them mean a binary file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0d-\x1f\x7f-\x9f]")

# Byte sequences UTF-8 writes for accented letters and typographic punctuation; found in a
# file that is not valid UTF-8 they mean two encodings are mixed, and reading the file as
# Windows-1252 would put mojibake ("â€™") into the graph.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")


def decode_text(name: str, data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16, else Windows-1252; LF line ends.

    Rejects binary data, bytes no encoding reads, and files mixing UTF-8 with another encoding.
    """
    if not data.strip():
        raise DocumentRejected(name, "file is empty")
    encoding = _utf16_encoding(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            raise DocumentRejected(name, f"not valid UTF-16 text ({e.reason} at byte {e.start})") from e
    else:
        if b"\x00" in data[:8192]:
            raise DocumentRejected(name, "binary file (contains NUL bytes), not a text document")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as utf8_error:
            mixed = UTF8_SEQUENCE.search(data)
            if mixed:
                raise DocumentRejected(
                    name,
                    f"mixed text encodings: UTF-8 (at byte {mixed.start()}) and another (at byte "
                    f"{utf8_error.start}); save the file as UTF-8",
                ) from utf8_error
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as e:
                raise DocumentRejected(
                    name, f"not UTF-8 or Windows-1252 text (byte 0x{data[e.start]:02x} at {e.start}); save it as UTF-8"
                ) from e
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:8192]
    controls = len(CONTROL.findall(sample))
    if controls > max(8, len(sample) // 100):
        raise DocumentRejected(name, "binary file (control characters), not a text document")
    if not text.strip():
        raise DocumentRejected(name, "file is empty")
    return text


def _utf16_encoding(data: bytes) -> str | None:
    """``utf-16`` for a BOM, ``utf-16-le``/``-be`` when NULs alternate as in ASCII-range UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.9 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.9 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def form_feed_pages(text: str) -> list[int]:
    if "\f" not in text:
        return []
    return [0] + [m.end() for m in re.finditer("\f", text)]

