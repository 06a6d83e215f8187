"""mailflow: an organisation's meeting cycle run over plain email."""

__version__ = "0.1.0"
