"""Meeting Console: the secretariat's console for hybrid multi-site meetings."""

from __future__ import annotations


def _package_version() -> str:
    """The version lives in one place, pyproject.toml; the installed package's metadata carries it
    (a PyInstaller build copies that metadata in, see packaging/meeting-console.spec)."""
    from importlib import metadata

    try:
        return metadata.version("meeting-console")
    except metadata.PackageNotFoundError:  # a bare source tree on sys.path, never installed
        return "0+unknown"


def __getattr__(name: str) -> str:
    # ``__version__`` is looked up when first asked for: importlib.metadata and the scan of the
    # installed distributions cost a tenth of the console's start-up (benchmarks/startup.py)
    if name == "__version__":
        version = _package_version()
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
