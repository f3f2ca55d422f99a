"""Benchmark of the translation layer: loading a catalogue (compiled .mo, or the .po read in
memory as from a checkout) and switching the live console's language on the demo meeting
(View › Language), against opening a new window in that language. Prints figures; passes or
fails nothing.

    /work/venv/bin/python benchmarks/language_switch.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms  (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    rounds = ap.parse_args().rounds
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()

    from meeting_console import i18n

    po = i18n.locale_dir() / "vi" / "LC_MESSAGES" / "meeting_console.po"
    text = po.read_text(encoding="utf-8")
    mo_bytes = i18n.compile_po(text)
    n = len(i18n.load("vi")._catalog)  # type: ignore[attr-defined]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}; catalogue: {n} entries")
    t_po, t_mo = [], []
    import gettext
    import io

    for _ in range(rounds):
        t = time.perf_counter()
        gettext.GNUTranslations(io.BytesIO(i18n.compile_po(text)))
        t_po.append(time.perf_counter() - t)
        t = time.perf_counter()
        gettext.GNUTranslations(io.BytesIO(mo_bytes))
        t_mo.append(time.perf_counter() - t)
    print(f"load vi from .po (checkout)  {ms(t_po)}")
    print(f"load vi from .mo (installed) {ms(t_mo)}")

    from meeting_console.cli import demo_path
    from meeting_console.core import agenda, meeting_file
    from meeting_console.core.api import Core
    from meeting_console.core.clock import FakeClock
    from meeting_console.ui.app import ensure_app
    from meeting_console.ui.bus import Runner
    from meeting_console.ui.language import install_qt_translation, switch_language
    from meeting_console.ui.main_window import MainWindow

    app = ensure_app()
    core = Core.open(str(Path(tempfile.mkdtemp()) / "b.db"),
                     clock=FakeClock(datetime(2022, 1, 14, 1, 0, tzinfo=UTC)))
    mid = meeting_file.import_meeting(core, demo_path()).result
    agenda.start_meeting(core, mid)
    agenda.next_item(core, mid)
    runner = Runner(core)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()
        runner.read_sync(lambda: None)
        for _ in range(5):
            app.processEvents()

    i18n.set_language("en")
    install_qt_translation("en")
    w = MainWindow(runner, mid)
    w.resize(1400, 860)
    w.show()
    settle()
    t_switch, t_new = [], []
    for r in range(rounds):
        lang = "vi" if r % 2 == 0 else "en"
        t = time.perf_counter()
        switch_language(w, lang, save=False)
        app.processEvents()  # the relabelled widgets repaint
        t_switch.append(time.perf_counter() - t)
        settle()
    for _r in range(max(2, rounds // 3)):
        t = time.perf_counter()
        w2 = MainWindow(runner, mid)
        w2.show()
        app.processEvents()
        t_new.append(time.perf_counter() - t)
        w2.close()
        w2.deleteLater()
        settle()
    print(f"switch the live window       {ms(t_switch)}  (the panels' rows are then read again on the DB worker)")
    print(f"open a new window instead    {ms(t_new)}")
    runner.shutdown()


if __name__ == "__main__":
    main()
