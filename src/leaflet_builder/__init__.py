"""leaflet_builder: one source of patient information, rendered as PDF, DOCX, EPUB and HTML."""

__version__ = "0.1.0"

__all__ = ["__version__"]
