"""Registering a speaker from the keyboard: type part of a name or post (accents optional, "son
duong" finds "Sơn Dương"), pick the participant, or register a new name with their post; where
they speak from, the topic, the minutes asked for, the time limit and how the request came."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import reads, speakers, vocab
from meeting_console.core.text import matches, name_sort_key, nfc
from meeting_console.i18n import _
from meeting_console.ui import labels

PersonIdRole = Qt.ItemDataRole.UserRole + 1
NewRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
Done = Callable[[str | None], None]


class PeoplePickModel(QAbstractListModel):
    """The participants matching what was typed, then a "new participant" row."""

    def __init__(self, people: Sequence[reads.PersonInfo], endpoints: dict[int, str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.people = sorted(people, key=lambda p: name_sort_key(p.full_name))
        self.endpoints = endpoints
        self._keys = {p.id: f"{p.full_name} {' '.join(p.posts)} {endpoints.get(p.meeting_endpoint_id or 0, '')}"
                      for p in self.people}
        self.query = ""
        self.shown: list[reads.PersonInfo] = list(self.people)

    def set_query(self, query: str) -> None:
        self.beginResetModel()
        self.query = " ".join(nfc(query).split())
        self.shown = [p for p in self.people if matches(self.query, self._keys[p.id])]
        self.endResetModel()

    @property
    def offers_new(self) -> bool:
        return bool(self.query)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.shown) + (1 if self.offers_new else 0)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()):
            return None
        if index.row() == len(self.shown):  # the "new participant" row
            if role == Qt.ItemDataRole.DisplayRole:
                return _("+ New participant: “{name}”").format(name=self.query)
            if role == NewRole:
                return True
            if role == Qt.ItemDataRole.ToolTipRole:
                return _("Register a speaker who is not on the list, with their post")
            return None
        p = self.shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            bits = [p.full_name]
            if p.posts:
                bits.append(", ".join(p.posts))
            if p.meeting_endpoint_id:
                bits.append(self.endpoints.get(p.meeting_endpoint_id, ""))
            return " — ".join(b for b in bits if b)
        if role == PersonIdRole:
            return p.id
        if role == NewRole:
            return False
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join((p.full_name, *p.posts))
        return None


class RegisterSpeakerDialog(QDialog):
    def __init__(
        self,
        items: Sequence[reads.AgendaItemInfo],
        item_id: int | None,
        people: Sequence[reads.PersonInfo],
        endpoints: Sequence[reads.MeetingEndpointInfo],
        live: bool,
        submit: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any], Done], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("register-speaker")
        self.setWindowTitle(_("Register speaker"))
        self.submit = submit
        self.people = {p.id: p for p in people}
        names = {e.id: e.name for e in endpoints}
        self.hall = {e.id for e in endpoints if e.kind == "main_hall"}
        self.model = PeoplePickModel(people, names, self)

        self.item = QComboBox()
        self.item.setObjectName("item")
        for it in items:
            self.item.addItem(f"{it.number or it.position}. {it.title[:70]}", it.id)
        self.item.setCurrentIndex(max(0, self.item.findData(item_id)))
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Type a name or post — accents optional"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._query)
        self.search.installEventFilter(self)
        self.list = QListView()
        self.list.setObjectName("people")
        self.list.setModel(self.model)
        self.list.setMinimumHeight(180)
        self.list.activated.connect(lambda _i: self._accept())
        self.list.selectionModel().currentChanged.connect(lambda _a, _b: self._picked())
        self.new_name = QLineEdit()
        self.new_name.setObjectName("new_name")
        self.new_post = QLineEdit()
        self.new_post.setObjectName("new_post")
        self.new_post.setPlaceholderText(_("e.g. Giám đốc Sở Tài chính"))
        self.endpoint = QComboBox()
        self.endpoint.setObjectName("meeting_endpoint_id")
        self.endpoint.addItem(_("Main hall"), None)
        for e in endpoints:
            self.endpoint.addItem(e.name, e.id)
        self._endpoint_touched = False
        self.endpoint.activated.connect(lambda _i: self._endpoint_chosen())
        self.topic = QLineEdit()
        self.topic.setObjectName("topic")
        self.requested = self._minutes("requested_minutes")
        self.limit = self._minutes("limit_minutes")
        self.limit.setToolTip(_("Empty (—): the item's default speaking time"))
        self.source = QComboBox()
        self.source.setObjectName("source")
        for v, label in labels.choices(vocab.SPEAKER_SOURCES, labels.speaker_source):
            self.source.addItem(label, v)
        self._default_source = "floor" if live else "advance"
        self.source.setCurrentIndex(self.source.findData(self._default_source))
        self._source_touched = False
        self.source.activated.connect(lambda _i: setattr(self, "_source_touched", True))

        form = QFormLayout()
        form.addRow(_("Agenda item"), self.item)
        form.addRow(_("Speaker"), self.search)
        form.addRow("", self.list)
        self.new_name_label = QLabel(_("New participant's name"))
        self.new_post_label = QLabel(_("Post"))
        form.addRow(self.new_name_label, self.new_name)
        form.addRow(self.new_post_label, self.new_post)
        form.addRow(_("Speaks from"), self.endpoint)
        form.addRow(_("Topic"), self.topic)
        form.addRow(_("Minutes asked for"), self.requested)
        form.addRow(_("Time limit (minutes)"), self.limit)
        form.addRow(_("Request came"), self.source)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self._query("")
        self.resize(620, 560)
        self.search.setFocus()

    def _minutes(self, name: str) -> QSpinBox:
        sb = QSpinBox()
        sb.setObjectName(name)
        sb.setRange(0, 240)
        sb.setSpecialValueText("—")
        sb.setSuffix(_(" min"))
        return sb

    # --- picking -----------------------------------------------------------------------------

    def _query(self, text: str) -> None:
        self.model.set_query(text)
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))
        self._picked()

    def chosen(self) -> tuple[int | None, bool]:
        """(person id, new participant?) of the current row."""
        idx = self.list.currentIndex()
        if not idx.isValid():
            return None, False
        return idx.data(PersonIdRole), bool(idx.data(NewRole))

    def _picked(self) -> None:
        person_id, new = self.chosen()
        for w in (self.new_name, self.new_post, self.new_name_label, self.new_post_label):
            w.setVisible(new)
        if new:
            self.new_name.setText(self.model.query)
        p = self.people.get(person_id) if person_id is not None else None
        if not self._endpoint_touched:
            # where the picked participant sits (a new one: the main hall), until chosen by hand
            ep = p.meeting_endpoint_id if p is not None else None
            self.endpoint.setCurrentIndex(max(0, self.endpoint.findData(ep)))
        self._follow_source()

    def _endpoint_chosen(self) -> None:
        self._endpoint_touched = True
        self._follow_source()

    def _follow_source(self) -> None:
        if not self._source_touched:
            ep = self.endpoint.currentData()
            source = "endpoint" if ep is not None and ep not in self.hall else self._default_source
            self.source.setCurrentIndex(self.source.findData(source))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                rows = self.model.rowCount()
                if rows:
                    step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5,
                            Qt.Key.Key_PageUp: -5}[key]
                    row = max(0, min(rows - 1, self.list.currentIndex().row() + step))
                    self.list.setCurrentIndex(self.model.index(row, 0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                person_id, new = self.chosen()
                if new:
                    # a new participant: the post next
                    self.new_post.setFocus()
                    return True
                self._accept()
                return True
        return super().eventFilter(obj, event)

    # --- registering -----------------------------------------------------------------------------

    def request_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "meeting_endpoint_id": self.endpoint.currentData(),
            "source": self.source.currentData(),
        }
        if self.topic.text().strip():
            fields["topic"] = nfc(self.topic.text())
        if self.requested.value():
            fields["requested_minutes"] = self.requested.value()
        if self.limit.value():
            fields["limit_minutes"] = self.limit.value()
        return fields

    def _accept(self) -> None:
        person_id, new = self.chosen()
        item_id = self.item.currentData()
        fields = self.request_fields()
        if new:
            post = nfc(self.new_post.text()).strip()
            args: tuple[Any, ...] = (item_id, nfc(self.new_name.text()))
            fields["posts"] = [post] if post else []
            op = speakers.register_new_speaker
        elif person_id is not None:
            args = (item_id, person_id)
            op = speakers.add_request
        else:
            self.error.setText(_("Type a name and pick the speaker from the list."))
            return
        self.buttons.setEnabled(False)
        self.submit(op, args, fields, self._done)

    def _done(self, error: str | None) -> None:
        self.buttons.setEnabled(True)
        if error:
            self.error.setText(error)
        else:
            self.accept()
