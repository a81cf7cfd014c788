"""underwater: how far under water a secured loan is, to the cent."""

__version__ = "0.1.0"
