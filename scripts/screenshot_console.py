"""docs/console.png: the main window on the demo meeting replayed to about 9h20 (discussion
running, two speeches done, one speaker on the floor, Sơn Dương link lost).

    python scripts/screenshot_console.py                 # docs/console.png (English)
    python scripts/screenshot_console.py vi              # docs/console-vi.png
    python scripts/screenshot_console.py en              # docs/console-en.png
    python scripts/screenshot_console.py speakers        # docs/speakers.png (the queue and the pane)
    QT_SCALE_FACTOR=1.5 python scripts/screenshot_console.py vi docs/console-vi-150.png
    SHOT_SIZE=1366x768 python scripts/screenshot_console.py vi docs/agenda-1366-vi.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from meeting_console import i18n
    from meeting_console.cli import demo_path
    from meeting_console.core import agenda, endpoints, meeting_file, reads, speakers
    from meeting_console.core.api import Core
    from meeting_console.core.clock import FakeClock
    from meeting_console.core.timefmt import at_local

    tmp = tempfile.mkdtemp()
    os.environ["XDG_CONFIG_HOME"] = tmp
    clock = FakeClock(datetime(2022, 1, 14, 0, 55, tzinfo=UTC))
    core = Core.open(str(Path(tmp) / "shot.db"), clock=clock, seat="thư ký")
    mid = meeting_file.import_meeting(core, demo_path()).result
    day, tz = reads.meeting(core, mid).date, "Asia/Ho_Chi_Minh"

    def at(h: int, m: int, s: int = 0) -> None:
        clock.set(at_local(day, h, m, tz, s))

    eps = {e.name: e.id for e in reads.endpoints(core, mid)}
    for n in eps.values():
        endpoints.set_status(core, n, "connected")
    agenda.start_meeting(core, mid)
    for h, m in [(8, 0), (8, 17), (8, 39), (8, 52), (9, 3)]:
        at(h, m)
        agenda.next_item(core, mid)
    disc = next(i.id for i in reads.agenda(core, mid) if i.kind == "discussion")
    at(9, 3, 30)
    speakers.call_next(core, disc)
    at(9, 11, 10)
    speakers.call_next(core, disc)
    at(9, 16, 40)
    speakers.call_next(core, disc)
    at(9, 17, 5)
    lost = next(n for name, n in eps.items() if "Sơn Dương" in name)
    endpoints.set_status(core, lost, "lost", detail="mất tín hiệu")
    at(9, 20, 12)

    from meeting_console.ui.app import ensure_app
    from meeting_console.ui.bus import Runner
    from meeting_console.ui.main_window import MainWindow

    lang = sys.argv[1] if len(sys.argv) > 1 else "en"
    only_speakers = lang == "speakers"
    if only_speakers:
        lang = "en"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / (
        "console.png" if len(sys.argv) == 1 else "speakers.png" if only_speakers else f"console-{lang}.png")
    app = ensure_app()
    from meeting_console.ui.language import ensure_vietnamese_font, install_qt_translation

    i18n.set_language(lang)
    install_qt_translation(lang)
    ensure_vietnamese_font(app)
    runner = Runner(core)
    w = MainWindow(runner, mid)
    size = os.environ.get("SHOT_SIZE", "1600x1000")  # e.g. 1366x768: a small office laptop
    w.resize(*(int(n) for n in size.split("x")))
    w.show()
    if only_speakers:  # the queue and the current speaker's pane, side by side
        for name, size in (("speakers", (1010, 900)), ("current-speaker", (480, 900))):
            dock = w.docks[name]
            dock.setFloating(True)
            dock.resize(*size)
            dock.show()
    for _ in range(50):
        app.processEvents()
    runner.read_sync(lambda: None)
    for _ in range(50):
        app.processEvents()
    if only_speakers:
        from PySide6.QtCore import QPoint
        from PySide6.QtGui import QImage, QPainter

        a, b = w.docks["speakers"], w.docks["current-speaker"]
        image = QImage(a.width() + b.width() + 6, max(a.height(), b.height()), QImage.Format.Format_RGB32)
        image.fill(w.palette().window().color())
        p = QPainter(image)
        p.drawPixmap(QPoint(0, 0), a.grab())
        p.drawPixmap(QPoint(a.width() + 6, 0), b.grab())
        p.end()
        image.save(str(out))
    else:
        w.grab().save(str(out))
    print(out)
    runner.shutdown()


if __name__ == "__main__":
    sys.exit(main())
