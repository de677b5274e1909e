"""Settings: one dataclass, built by the CLI from options, environment variables and defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from councilkg.namespaces import DEFAULT_BASE_IRI

DEFAULT_STORE = ".councilkg/store"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def default_cache_dir() -> Path:
    """``$COUNCILKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/councilkg``, else ``~/.cache/councilkg``."""
    if os.environ.get("COUNCILKG_CACHE_DIR"):
        return Path(os.environ["COUNCILKG_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "councilkg"


@dataclass
class Settings:
    """Where things are. Relative paths are taken from the current directory."""

    store: str = DEFAULT_STORE
    base_iri: str = DEFAULT_BASE_IRI
    sources: Path = field(default_factory=lambda: Path("data/sources"))
    ttl_dir: Path = field(default_factory=lambda: Path("data/ttl"))
    site_dir: Path = field(default_factory=lambda: Path("site"))
    max_bytes: int = DEFAULT_MAX_BYTES
    progress: bool = True
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # processes for extraction
    cache_dir: Path = field(default_factory=default_cache_dir)  # results that depend only on the package (HermiT)
