"""Meeting Console: the secretariat's console for hybrid multi-site meetings."""

from importlib import metadata as _metadata


def _package_version() -> str:
    """The version lives in one place, pyproject.toml; the installed package's metadata carries it
    (a PyInstaller build copies that metadata in, see packaging/meeting-console.spec)."""
    try:
        return _metadata.version("meeting-console")
    except _metadata.PackageNotFoundError:  # a bare source tree on sys.path, never installed
        return "0+unknown"


__version__ = _package_version()
