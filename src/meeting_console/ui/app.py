"""Start-up of the window: QApplication, the qasync event loop, the exception hook.

Two ways in: ``run_console`` with the Core open (the ordinary start), and ``run_console_first``
that paints the meeting read without the Core (``store.quickread``) and opens the Core right
after the first paint, on a thread of its own, then builds the panels over it
(``MainWindow.attach``); until then nothing can be done in the window.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

# PySide6 before qasync, so qasync binds to it
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from meeting_console.i18n import _

if TYPE_CHECKING:
    import argparse

    from meeting_console.core.api import Core
    from meeting_console.store.quickread import FirstScreen

log = logging.getLogger("meeting_console")


def serial_fills() -> None:
    """Qt's raster engine paints on the GUI thread alone (``QT_NO_GUI_THREADPOOL``; set before
    Qt's first paint, which reads it once; ``MEETING_CONSOLE_QT_GUI_POOL=1`` keeps Qt's pool).

    By default Qt hands every fill of 96 scan lines or more (a scroll bar, the chart's bands,
    a tall strip of background) to a pool of threads and waits for them: for the console's
    narrow shapes the hand-off costs more than the fill, two thread wake-ups and a wait each
    time, on a machine whose second core is the database worker's. A "next item" repaints
    several such shapes: the timeline's scroll bar took 0.7 ms to paint, 0.2 without the pool
    (benchmarks in the README)."""
    if not os.environ.get("MEETING_CONSOLE_QT_GUI_POOL"):
        os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def ensure_app(argv: list[str] | None = None, *, icon: bool = True) -> QApplication:
    """The QApplication, named; with ``icon`` also its version and icon (the first screen
    leaves those for after its paint: ``dress_app``)."""
    app = QApplication.instance()
    if app is None:
        serial_fills()
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("Meeting Console")
    app.setOrganizationName("meeting-console")
    if not app.property("meeting_console_named"):
        from meeting_console.credits import APP_ID

        app.setDesktopFileName(APP_ID)  # Wayland and taskbars find the desktop entry and icon
        app.setProperty("meeting_console_named", True)
    if icon:
        dress_app(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def dress_app(app: QApplication) -> None:
    """The application's version (package metadata) and icon (PNGs)."""
    if not app.property("meeting_console_icon"):
        from meeting_console import __version__
        from meeting_console.ui.about import app_icon

        app.setApplicationVersion(__version__)
        app.setWindowIcon(app_icon())
        app.setProperty("meeting_console_icon", True)


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


def _stamp(what: str) -> None:
    import time

    print(f"{what} {time.time():.6f} cpu {time.process_time():.6f}", flush=True)


def _on_first_paint(window: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` on the event-loop turn after ``window``'s first paint."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and obj is window:
                window.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    window._first_paint = FirstPaint(window)  # type: ignore[attr-defined]
    window.installEventFilter(window._first_paint)  # type: ignore[attr-defined]


def _quit_after_first_paint(app: QApplication, window: QWidget) -> None:
    """Start-up benchmark: print the wall and CPU time of the first paint, then quit."""

    def painted() -> None:
        _stamp("painted")
        _stamp("ready")  # the Core was open before the paint
        app.quit()

    _on_first_paint(window, painted)


def _run_until_quit(app: QApplication) -> None:
    """The qasync event loop until the application quits."""
    import asyncio

    import qasync

    app_close = asyncio.Event()
    app.aboutToQuit.connect(app_close.set)

    async def main() -> None:
        await app_close.wait()

    try:
        qasync.run(main())
    except asyncio.CancelledError:
        pass


def run_console(core: Core, meeting_id: int | None) -> int:
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

    app.aboutToQuit.connect(runner.shutdown)
    _run_until_quit(app)
    return 0


def run_console_first(args: argparse.Namespace, screen: FirstScreen) -> int:
    """The window on ``screen`` painted at once, before the event loop (qasync, asyncio) and the
    Core are even imported; then the Core opened by ``cli.open_core`` (the migration check and
    every check an open makes, before anything can be written) on a thread of its own while the
    window stays painted; then the panels built over it (``MainWindow.attach``). Returns the
    exit code: 2 when the Core refuses to open (the message on stderr and in a box), else 0."""
    import threading
    import time

    from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal

    from meeting_console import i18n
    from meeting_console.ui.language import ensure_vietnamese_font, install_qt_translation
    from meeting_console.ui.main_window import MainWindow

    app = ensure_app(icon=False)
    install_qt_translation(i18n.language())
    ensure_vietnamese_font(app)
    window = MainWindow(None, first_screen=screen)
    install_excepthook(lambda: window)
    benchmark = bool(os.environ.get("MEETING_CONSOLE_EXIT_AFTER_PAINT"))
    outcome: dict[str, Any] = {"code": 0}

    # The first paint, as a splash screen gets it: events processed by hand until the window
    # has painted (woken every 20 ms, never spinning; at most a second — a window that is not
    # exposed, minimised, is not painted and the start goes on without it).
    painted = threading.Event()
    _on_first_paint(window, painted.set)
    window.show()
    wake = QTimer()
    wake.start(20)
    deadline = time.monotonic() + 1.0
    while not painted.is_set() and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    wake.stop()
    if benchmark:
        _stamp("painted")
    if not window.isVisible():  # closed already
        return 0

    class Loaded(QObject):
        done = Signal(object)  # the Core, or the exception that refused it (from the loader thread)

    loaded = Loaded()

    def load() -> None:
        from meeting_console.cli import open_core

        try:
            from meeting_console.ui import preload  # noqa: F401  (the core modules, SQLAlchemy)

            result: Any = open_core(args)
            import meeting_console

            _ = meeting_console.__version__  # package metadata, read here rather than on the GUI
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which reports it
            result = exc
        loaded.done.emit(result)

    def ready(result: Any) -> None:
        if isinstance(result, BaseException):
            refused(result)
            return
        from meeting_console.ui.bus import Runner

        runner = Runner(result)
        outcome["runner"] = runner
        app.aboutToQuit.connect(runner.shutdown)
        dress_app(app)
        from meeting_console.errors import NotFound

        try:
            window.attach(runner, screen.meeting.id)
        except NotFound:
            # deleted by another console since the quick read: the meeting the ordinary start
            # would open (else the window kept the deleted meeting's title, and no change of
            # other consoles was ever followed)
            from meeting_console.core import reads

            window.open_meeting(runner.read_sync(reads.latest_meeting_id, runner.core), sync=True)
        runner.watch_external()
        if benchmark:
            _stamp("ready")
            app.quit()

    def refused(exc: BaseException) -> None:
        from meeting_console.errors import UserError

        if not isinstance(exc, UserError):
            log.error("opening the database failed", exc_info=exc)
        message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        print(f"meeting-console: {message}", file=sys.stderr)
        outcome["code"] = 2
        if benchmark or os.environ.get("MEETING_CONSOLE_NO_ERROR_DIALOG"):
            app.quit()
            return
        box = QMessageBox(QMessageBox.Icon.Critical, _("Meeting Console"), message,
                          QMessageBox.StandardButton.Ok, window)
        box.finished.connect(lambda _r: app.quit())
        box.open()

    loaded.done.connect(ready)
    from meeting_console.errlog import setup_logging

    setup_logging()  # errors never vanish: the exception hook logs to the rotating file
    threading.Thread(target=load, name="core-open", daemon=True).start()

    _run_until_quit(app)
    runner = outcome.get("runner")
    if runner is not None:
        runner.core.close()
    return int(outcome["code"])
