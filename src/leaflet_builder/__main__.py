"""Entry point for `python -m leaflet_builder`."""

from leaflet_builder.cli import main

main()
