"""What every reader returns, and the patterns they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A word character: text without any is no document text.
WORD = re.compile(r"\w", re.U)
# Runs of spaces, tabs and no-break spaces, squeezed to one space.
SPACE_RUN = re.compile(r"[ \t\u00a0]+")


@dataclass
class Extracted:
    """A file's text, where its pages start in that text (empty when unpaged), and its format."""

    text: str
    pages: list[int] = field(default_factory=list)
    format: str = "text"  # "pdf", "html", "docx" or "text"
