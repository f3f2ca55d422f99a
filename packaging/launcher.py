"""Entry point of the PyInstaller build (the same as the ``meeting-console`` console script)."""

from meeting_console.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
