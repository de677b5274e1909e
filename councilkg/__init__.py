"""councilkg: a knowledge graph of English local-government oversight."""

__version__ = "0.1.0"
