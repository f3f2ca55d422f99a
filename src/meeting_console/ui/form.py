"""A small form dialog for editing a record: one widget per field, returns what changed.

Opened with ``open()`` (never ``exec()``), the result reaches ``on_accept(changed_values)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core.text import nfc
from meeting_console.i18n import _


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text | multiline | lines | int | optional_int | choice | bool | date | time
    value: Any = None
    choices: Sequence[tuple[Any, str]] = field(default_factory=list)
    minimum: int = 0
    maximum: int = 100_000
    tz: str = "Asia/Ho_Chi_Minh"  # for kind "time": the meeting's zone
    day: date | None = None  # for kind "time": the meeting's date


class FormDialog(QDialog):
    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        on_accept: Callable[[dict[str, Any], Callable[[str | None], None]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("form-" + title)
        self._fields = list(fields)
        self._on_accept = on_accept
        self.widgets: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        for f in self._fields:
            w = self._make(f)
            w.setObjectName(f.name)
            self.widgets[f.name] = w
            form.addRow(QLabel(f.label), w)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons = buttons
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _make(self, f: Field) -> QWidget:
        if f.kind == "multiline" or f.kind == "lines":
            w = QPlainTextEdit()
            v = f.value or ""
            w.setPlainText("\n".join(v) if f.kind == "lines" else v)
            w.setTabChangesFocus(True)
            w.setMinimumHeight(70)
            return w
        if f.kind in ("int", "optional_int"):
            sb = QSpinBox()
            sb.setRange(f.minimum - (1 if f.kind == "optional_int" else 0), f.maximum)
            if f.kind == "optional_int":
                sb.setSpecialValueText("—")
            sb.setValue(f.value if f.value is not None else sb.minimum())
            return sb
        if f.kind == "choice":
            cb = QComboBox()
            for value, label in f.choices:
                cb.addItem(label, value)
            idx = next((i for i, (v, _l) in enumerate(f.choices) if v == f.value), 0)
            cb.setCurrentIndex(idx)
            return cb
        if f.kind == "bool":
            ch = QCheckBox()
            ch.setChecked(bool(f.value))
            return ch
        if f.kind == "date":
            de = QDateEdit()
            de.setCalendarPopup(True)
            de.setDisplayFormat("dd/MM/yyyy")
            d = f.value or date.today()
            de.setDate(QDate(d.year, d.month, d.day))
            return de
        if f.kind == "time":
            te = QTimeEdit()
            te.setDisplayFormat("HH:mm")
            if f.value is not None:
                local = f.value.astimezone(ZoneInfo(f.tz))
                te.setTime(QTime(local.hour, local.minute))
            return te
        le = QLineEdit()
        le.setText(f.value or "")
        return le

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self._fields:
            w = self.widgets[f.name]
            if isinstance(w, QPlainTextEdit):
                text = nfc(w.toPlainText())
                out[f.name] = [ln.strip() for ln in text.splitlines() if ln.strip()] if f.kind == "lines" else text
            elif isinstance(w, QSpinBox):
                v = w.value()
                out[f.name] = None if f.kind == "optional_int" and v == w.minimum() else v
            elif isinstance(w, QComboBox):
                out[f.name] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[f.name] = w.isChecked()
            elif isinstance(w, QDateEdit):
                d = w.date()
                out[f.name] = date(d.year(), d.month(), d.day())
            elif isinstance(w, QTimeEdit):
                t = w.time()
                if f.value is None and t.hour() == 0 and t.minute() == 0:
                    out[f.name] = None
                    continue
                day = f.day or (f.value.astimezone(ZoneInfo(f.tz)).date() if f.value else date.today())
                local = datetime.combine(day, time(t.hour(), t.minute()), tzinfo=ZoneInfo(f.tz))
                out[f.name] = local
            elif isinstance(w, QLineEdit):
                out[f.name] = nfc(w.text())
        return out

    def changed(self) -> dict[str, Any]:
        values = self.values()
        return {
            f.name: values[f.name]
            for f in self._fields
            if _differs(values[f.name], f.value, f.kind)
        }

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    def _accept(self) -> None:
        changed = self.changed()
        if not changed:
            self.accept()
            return
        self.buttons.setEnabled(False)
        self._on_accept(changed, self._done)

    def _done(self, error: str | None) -> None:
        """The operation finished: close, or show why it was refused and keep the input."""
        self.buttons.setEnabled(True)
        if error:
            self.show_error(error)
        else:
            self.accept()


def _differs(new: Any, old: Any, kind: str) -> bool:
    if kind == "lines":
        return list(new or []) != list(old or [])
    if kind in ("text", "multiline"):
        return (new or "") != (old or "")
    return new != old


def ask(
    parent: QWidget,
    title: str,
    fields: Sequence[Field],
    on_accept: Callable[[dict[str, Any], Callable[[str | None], None]], None],
) -> FormDialog:
    dlg = FormDialog(title, fields, on_accept, parent)
    dlg.open()
    return dlg


__all__ = ["Field", "FormDialog", "ask", "_"]
