"""Meeting Console: the secretariat's console for hybrid multi-site meetings."""

__version__ = "0.1.0"
