"""The UI's language: Qt's own strings, the live switch, the Language menu, a Vietnamese font.

The switch keeps every piece of state (the open meeting, selections, dock layout, running
probes, an open hall display, even an open dialog): instead of rebuilding the window, a pass
walks its widgets, actions and item models and puts each text that came from the catalogue
into the new language. A text is recognised by its translation in the old language — exactly,
as a template with fields (``"Undo {action}"``), or as ``"tip (shortcut)"``. What is computed
from data (table cells, summaries, the status bar) is read again afterwards: the panels
refresh, and any object with a ``retranslate_ui()`` method is called.
"""

from __future__ import annotations

import dataclasses
import functools
import gettext
import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QLibraryInfo, QObject, QTranslator
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontDatabase, QFontInfo, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from meeting_console import i18n
from meeting_console.i18n import _, pgettext

# Vietnamese letters a UI font must have: every precomposed vowel with its tone, and đ.
VIETNAMESE = "".join(
    chr(c) for c in [*range(0x00C0, 0x00C4), *range(0x00C8, 0x00CB), 0x00CC, 0x00CD, 0x00D2, 0x00D3,
                     0x00D4, 0x00D5, 0x00D9, 0x00DA, 0x00DD, *range(0x00E0, 0x00E4),
                     *range(0x00E8, 0x00EB), 0x00EC, 0x00ED, 0x00F2, 0x00F3, 0x00F4, 0x00F5,
                     0x00F9, 0x00FA, 0x00FD, 0x0102, 0x0103, 0x0110, 0x0111, 0x0128, 0x0129,
                     0x0168, 0x0169, 0x01A0, 0x01A1, 0x01AF, 0x01B0, *range(0x1EA0, 0x1EFA)]
)
UI_FONTS = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")  # SIL OFL 1.1, as the serif

# Qt's own strings (standard buttons, the line-edit menu, file dialogs): PySide6 ships no
# qtbase_vi.qm, so the Vietnamese ones come from our catalogue under the context "Qt".
_QT_STRINGS = [
    pgettext("Qt", "OK"), pgettext("Qt", "Cancel"), pgettext("Qt", "&Open"), pgettext("Qt", "Open"),
    pgettext("Qt", "&Save"), pgettext("Qt", "Save"), pgettext("Qt", "Apply"), pgettext("Qt", "Close"),
    pgettext("Qt", "&Yes"), pgettext("Qt", "&No"), pgettext("Qt", "Help"), pgettext("Qt", "Reset"),
    pgettext("Qt", "Restore Defaults"), pgettext("Qt", "Discard"), pgettext("Qt", "Don't Save"),
    pgettext("Qt", "Close without Saving"), pgettext("Qt", "Save All"), pgettext("Qt", "Yes to &All"),
    pgettext("Qt", "N&o to All"), pgettext("Qt", "Abort"), pgettext("Qt", "Retry"),
    pgettext("Qt", "Ignore"), pgettext("Qt", "Show Details..."), pgettext("Qt", "Hide Details..."),
    pgettext("Qt", "&Undo"), pgettext("Qt", "&Redo"), pgettext("Qt", "Cu&t"), pgettext("Qt", "&Copy"),
    pgettext("Qt", "&Paste"), pgettext("Qt", "Delete"), pgettext("Qt", "Select All"),
    pgettext("Qt", "Look in:"), pgettext("Qt", "File &name:"), pgettext("Qt", "Files of type:"),
    pgettext("Qt", "&Choose"), pgettext("Qt", "Back"), pgettext("Qt", "Forward"),
    pgettext("Qt", "Parent Directory"), pgettext("Qt", "Create New Folder"),
    pgettext("Qt", "List View"), pgettext("Qt", "Detail View"), pgettext("Qt", "Name"),
    pgettext("Qt", "Size"), pgettext("Qt", "Type"), pgettext("Qt", "Date Modified"),
    pgettext("Qt", "My Computer"), pgettext("Qt", "Computer"), pgettext("Qt", "New Folder"),
    pgettext("Qt", "&Delete"), pgettext("Qt", "&Rename"), pgettext("Qt", "Show &hidden files"),
    pgettext("Qt", "&New Folder"), pgettext("Qt", "All Files (*)"), pgettext("Qt", "Directory:"),
    pgettext("Qt", "Recent Places"), pgettext("Qt", "Open File"), pgettext("Qt", "Save As"),
    pgettext("Qt", "Find Directory"), pgettext("Qt", "Restore"), pgettext("Qt", "Minimize"),
    pgettext("Qt", "Maximize"), pgettext("Qt", "Float"), pgettext("Qt", "Undocks and re-attaches the dock widget"),
    pgettext("Qt", "Closes the dock widget"),
]
del _QT_STRINGS  # only marked here (read at import, before any language is chosen)


class QtCatalogue(QTranslator):
    """Qt's strings through the gettext catalogue (context "Qt"), whatever Qt's context."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,  # type: ignore[override]
                  n: int = -1) -> str | None:
        # None (a null QString) lets Qt keep its source text; "" would blank it ("Ctrl" in a
        # shortcut's text, the "%1" of a format)
        if not source or i18n.language() == "en":
            return None
        text = pgettext("Qt", source)
        return None if text == source else text

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


_installed: list[QTranslator] = []


def install_qt_translation(lang: str) -> list[str]:
    """Install Qt's translators for ``lang``: the ``qtbase_<lang>.qm`` shipped with PySide6 when
    there is one (none for Vietnamese), and ours. Returns the catalogues loaded."""
    app = QCoreApplication.instance()
    if app is None:
        return []
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    loaded = []
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in (f"qtbase_{lang}", f"qt_{lang}"):
        tr = QTranslator(app)
        if tr.load(name, folder):
            _installed.append(tr)
            loaded.append(name)
            break
    if lang != "en":  # Qt's source texts are English
        _installed.append(QtCatalogue(app))
        loaded.append("meeting_console (Qt)")
    for tr in reversed(_installed):  # the last installed is asked first: ours, then Qt's
        app.installTranslator(tr)
    return loaded


# --- a font that has every Vietnamese letter ---------------------------------------------------


def covers_vietnamese(font: QFont) -> bool:
    metrics = QFontMetrics(font)
    return all(metrics.inFontUcs4(ord(c)) for c in VIETNAMESE)


def ensure_vietnamese_font(app: QApplication) -> str:
    """Keep the system's UI font when it has every Vietnamese letter (Segoe UI, Noto Sans,
    DejaVu Sans do); otherwise use the bundled Liberation Sans. Returns the family used."""
    font = app.font()
    if covers_vietnamese(font):
        return QFontInfo(font).family()
    from meeting_console.paths import resource

    family = ""
    for name in UI_FONTS:
        path = resource("fonts", name)
        if path.is_file():
            fid = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            family = family or (families[0] if families else "")
    if family:
        font.setFamily(family)
        app.setFont(font)
    return QFontInfo(app.font()).family()


# --- the live switch -----------------------------------------------------------------------


class Retranslator:
    """Maps a text in the old language to the same text in the new one."""

    _FIELD = re.compile(r"\{[^{}]*\}")
    _TIP = re.compile(r"^(.*) (\([^()]*\))$", re.DOTALL)

    def __init__(self, old: gettext.NullTranslations, new: gettext.NullTranslations,
                 msgids: Iterable[str]) -> None:
        self.exact: dict[str, str] = {}
        # (the template's longest literal part, its pattern, its fields, the new template)
        self.templates: list[tuple[str, re.Pattern[str], list[str], str]] = []
        for msgid in msgids:
            before, after = old.gettext(msgid), new.gettext(msgid)
            self.exact.setdefault(before, after)
            fields = self._FIELD.findall(before)
            if fields:
                parts = self._FIELD.split(before)
                pattern = "".join(re.escape(p) + ("(.+?)" if i < len(fields) else "")
                                  for i, p in enumerate(parts))
                self.templates.append((max(parts, key=len), re.compile(f"^{pattern}$", re.DOTALL),
                                       fields, after))
        # the longest templates first: "Undo {action}" before "{action}"-like catch-alls
        self.templates.sort(key=lambda t: -len(t[1].pattern))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        found = self.exact.get(text)
        if found is not None:
            return found
        tip = self._TIP.match(text)
        if tip and tip.group(1) in self.exact:
            return f"{self.exact[tip.group(1)]} {tip.group(2)}"
        for literal_part, pattern, fields, after in self.templates:
            if literal_part not in text:
                continue
            m = pattern.match(text)
            if m is None:
                continue
            # a template's own words must make a fair part of the text: "{shown} of {n}"
            # is not a sentence that happens to contain " of "
            literal = len(text) - sum(len(v) for v in m.groups())
            if literal * 3 < len(text) and not all(v in self.exact or not re.search(r"\s", v)
                                                   for v in m.groups()):
                continue
            out = after
            for field, value in zip(fields, m.groups(), strict=True):
                out = out.replace(field, self.exact.get(value, value), 1)
            if self._FIELD.search(out) is None:
                return out
        return text


@functools.lru_cache(maxsize=8)
def retranslator(old: str, new: str) -> Retranslator:
    """From language ``old`` to ``new`` (built once per pair: a thousand patterns)."""
    return Retranslator(i18n.load(old), i18n.load(new), catalogue_msgids())


def catalogue_msgids() -> list[str]:
    """Every msgid the catalogues know (singular forms; Qt's context aside)."""
    ids: set[str] = set()
    for lang in i18n.LANGUAGES:
        t = i18n.load(lang)
        for key in getattr(t, "_catalog", {}):
            msgid = key[0] if isinstance(key, tuple) else key
            if msgid and "\x04" not in msgid:
                ids.add(msgid)
    return sorted(ids)


def _set(obj: Any, getter: str, setter: str, tr: Retranslator) -> None:
    text = getattr(obj, getter)()
    if isinstance(text, str) and text:
        new = tr(text)
        if new != text:
            getattr(obj, setter)(new)


def retranslate(root: QWidget, tr: Retranslator) -> None:
    """Put every catalogue text under ``root`` into the new language (see the module doc)."""
    widgets = [root, *root.findChildren(QWidget)]
    actions: dict[int, QAction] = {}
    for w in widgets:
        for a in w.actions():
            actions[id(a)] = a
    for a in root.findChildren(QAction):
        actions[id(a)] = a
    for a in actions.values():
        for getter in ("text", "iconText", "toolTip", "statusTip"):
            _set(a, getter, "set" + getter[0].upper() + getter[1:], tr)
    for w in widgets:
        _set(w, "windowTitle", "setWindowTitle", tr)
        _set(w, "toolTip", "setToolTip", tr)
        _set(w, "statusTip", "setStatusTip", tr)
        if isinstance(w, QLabel | QAbstractButton):
            _set(w, "text", "setText", tr)
        if isinstance(w, QMenu):
            _set(w, "title", "setTitle", tr)
        if isinstance(w, QGroupBox):
            _set(w, "title", "setTitle", tr)
        if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            _set(w, "placeholderText", "setPlaceholderText", tr)
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                new = tr(w.itemText(i))
                if new != w.itemText(i):
                    w.setItemText(i, new)
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                if (new := tr(w.tabText(i))) != w.tabText(i):
                    w.setTabText(i, new)
                if (new := tr(w.tabToolTip(i))) != w.tabToolTip(i):
                    w.setTabToolTip(i, new)
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                item = w.item(i)
                if (new := tr(item.text())) != item.text():
                    item.setText(new)
        if isinstance(w, QDockWidget):  # the View menu's entry follows the title
            w.toggleViewAction().setText(w.windowTitle())
    for model in root.findChildren(QAbstractItemModel):
        _retranslate_model(model, tr)
    # what is computed from data: read again
    from meeting_console.ui.panel import Panel

    for obj in [root, *root.findChildren(QObject)]:
        hook = getattr(obj, "retranslate_ui", None)
        if callable(hook):
            hook()
        if isinstance(obj, Panel):
            obj.refresh()


def _retranslate_model(model: QAbstractItemModel, tr: Retranslator) -> None:
    for attr in ("columns", "cols"):
        cols = getattr(model, attr, None)
        if isinstance(cols, list) and cols and all(dataclasses.is_dataclass(c) and hasattr(c, "header")
                                                  for c in cols):
            setattr(model, attr, [dataclasses.replace(c, header=tr(c.header)) for c in cols])
    columns, rows = model.columnCount(), model.rowCount()
    if columns:
        from PySide6.QtCore import Qt

        model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)
        if rows:
            model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, columns - 1))


def switch_language(window: QWidget, lang: str, *, save: bool = True) -> bool:
    """Switch the running console to ``lang``; False when it already speaks it."""
    lang = i18n.normalise(lang) or i18n.DEFAULT_LANGUAGE
    if lang == i18n.language():
        return False
    old = i18n.language()
    i18n.set_language(lang)
    install_qt_translation(lang)
    if save:
        save_language(lang)
    retranslate(window, retranslator(old, lang))
    for action in window.findChildren(QAction, "act-language-" + lang):
        action.setChecked(True)
    return True


def save_language(lang: str) -> None:
    from meeting_console.ui.main_window import settings

    s = settings()
    s.setValue("ui/language", lang)
    s.sync()


def language_menu(window: QWidget) -> QMenu:
    """View › Language: Tiếng Việt / English (each named in its own language)."""
    menu = QMenu(_("&Language"), window)
    menu.setObjectName("menu-language")
    group = QActionGroup(menu)
    group.setExclusive(True)
    for lang in i18n.LANGUAGES:
        act = QAction(i18n.LANGUAGE_NAMES[lang], menu)
        act.setObjectName(f"act-language-{lang}")
        act.setCheckable(True)
        act.setChecked(lang == i18n.language())
        act.triggered.connect(lambda _checked=False, lang=lang: switch_language(window, lang))
        group.addAction(act)
        menu.addAction(act)
    return menu
