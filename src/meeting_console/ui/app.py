"""Start-up of the window: QApplication, the qasync event loop, the exception hook."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import traceback
from types import TracebackType

# PySide6 before qasync, so qasync binds to it
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from meeting_console.core.api import Core
from meeting_console.i18n import _

log = logging.getLogger("meeting_console")


def ensure_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("Meeting Console")
    app.setOrganizationName("meeting-console")
    if not app.property("meeting_console_icon"):
        from meeting_console import __version__
        from meeting_console.credits import APP_ID
        from meeting_console.ui.about import app_icon

        app.setApplicationVersion(__version__)
        app.setDesktopFileName(APP_ID)  # Wayland and taskbars find the desktop entry and icon
        app.setWindowIcon(app_icon())
        app.setProperty("meeting_console_icon", True)
    return app  # type: ignore[return-value]


def install_excepthook(parent_getter=lambda: None) -> None:  # type: ignore[no-untyped-def]
    """An unexpected error is logged and shown; the console keeps running."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error:\n%s", text)
        if QApplication.instance() is not None and not os.environ.get("MEETING_CONSOLE_NO_ERROR_DIALOG"):
            box = QMessageBox(QMessageBox.Icon.Critical, _("Meeting Console"),
                              _("{error}\n\nYour data is safe: every acknowledged change is in the "
                                "database. The console keeps running.").format(
                                  error=f"{exc_type.__name__}: {exc}"),
                              QMessageBox.StandardButton.Ok, parent_getter())
            box.open()

    sys.excepthook = hook


def _quit_after_first_paint(app: QApplication, window: QWidget) -> None:
    """Start-up benchmark: print the wall time of the first paint, then quit."""
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and obj is window:
                window.removeEventFilter(self)
                QTimer.singleShot(0, lambda: (print(f"painted {time.time():.6f} cpu {time.process_time():.6f}",
                                                  flush=True), app.quit()))
            return False

    window._first_paint = FirstPaint(window)  # type: ignore[attr-defined]
    window.installEventFilter(window._first_paint)  # type: ignore[attr-defined]


def run_console(core: Core, meeting_id: int | None) -> int:
    import qasync

    from meeting_console.ui.bus import Runner
    from meeting_console.ui.main_window import MainWindow

    app = ensure_app()
    from meeting_console import i18n
    from meeting_console.ui.language import ensure_vietnamese_font, install_qt_translation

    install_qt_translation(i18n.language())  # the language itself was chosen by the command line
    ensure_vietnamese_font(app)
    runner = Runner(core)
    window = MainWindow(runner, meeting_id)
    install_excepthook(lambda: window)
    runner.watch_external()
    window.show()
    if os.environ.get("MEETING_CONSOLE_EXIT_AFTER_PAINT"):
        _quit_after_first_paint(app, window)

    app_close = asyncio.Event()
    app.aboutToQuit.connect(app_close.set)
    app.aboutToQuit.connect(runner.shutdown)

    async def main() -> None:
        await app_close.wait()

    try:
        qasync.run(main())
    except asyncio.CancelledError:
        pass
    return 0
