"""The awards panel: the commendation ceremony.

The grants in ceremony order, gathered into presentations (groups); the current one
highlighted with what to check before calling its recipients; one key records "presented"
(Ctrl+Shift+P, anywhere in the window), another defers a group whose recipient cannot come
forward (Ctrl+Shift+G). The order is set by precedence and adjusted with the keyboard. Award
lists come in from Excel (problems listed row by row); the MC's script goes out as PDF.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
)

from meeting_console.core import awards, catalogue, ceremony, reads, vocab
from meeting_console.core.changes import AWARDS, CATALOGUE, ENDPOINTS, MEETING, PEOPLE, Changes
from meeting_console.core.timefmt import hhmm
from meeting_console.errors import UserError
from meeting_console.i18n import _, ngettext
from meeting_console.ui import labels
from meeting_console.ui.bus import Relay
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.table_model import LIVE_MEETING_FIELDS, Column, meeting_update

log = logging.getLogger(__name__)


CURRENT = QColor("#ffe7a0")  # the group to present now
CURRENT_ALT = QColor("#fff1c4")
DONE = QColor("#7a7a7a")
CAUTION = QColor("#b3261e")


class AwardsPanel(Panel):
    areas = frozenset({AWARDS, PEOPLE, ENDPOINTS, CATALOGUE, MEETING})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.tz = "Asia/Ho_Chi_Minh"
        self.snap: reads.MeetingSnapshot | None = None
        self.cer: ceremony.Ceremony | None = None
        self.types: list[catalogue.AwardTypeInfo] = []
        self._group_of: dict[int, ceremony.CeremonyGroup] = {}
        self._endpoint: dict[int, reads.MeetingEndpointInfo] = {}
        self.dialog: Any = None  # the last dialog opened (tests look at it)
        super().__init__(runner, parent)
        self.title = _("Awards")
        self._build_banner()
        self._build_actions()

    # --- construction ----------------------------------------------------------------------

    def _build_banner(self) -> None:
        box = QFrame(self)
        box.setObjectName("ceremony-banner")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(2)
        self.now_label = QLabel(box)
        self.now_label.setObjectName("ceremony-now")
        self.now_label.setWordWrap(True)
        self.now_label.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.now_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.now_label.setFont(font)
        self.caution_label = QLabel(box)
        self.caution_label.setObjectName("ceremony-caution")
        self.caution_label.setWordWrap(True)
        self.caution_label.setTextFormat(Qt.TextFormat.PlainText)
        self.caution_label.setStyleSheet(f"color: {CAUTION.name()}; font-weight: bold")
        self.progress_label = QLabel(box)
        self.progress_label.setObjectName("ceremony-progress")
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        for w in (self.now_label, self.caution_label, self.progress_label):
            lay.addWidget(w)
        self.caution_label.hide()
        self.banner = box
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, box)

    def _build_actions(self) -> None:
        W = Qt.ShortcutContext.WindowShortcut
        self.act_present = self.add_action(
            _("Presented"), self.present_current, "Ctrl+Shift+P",
            _("Record that the highlighted presentation has been made, now"), context=W)
        self.act_defer = self.add_action(
            _("Next group (defer this one)"), self.defer_current, "Ctrl+Shift+G",
            _("Call the highlighted presentation after the next one (a recipient cannot come "
              "forward yet)"), context=W)
        self.act_unpresent = self.add_action(
            _("Not presented (correction)"), self.unpresent_selected, "Ctrl+Alt+U",
            _("The selected presentation was recorded by mistake: clear its time"))
        self.act_add = self.add_action(_("Add award…"), self.add_grant, "Ins",
                                       _("Add an award to present"))
        self.act_edit = self.add_action(_("Edit…"), self.edit_selected, "F2",
                                        _("Edit the selected award"))
        self.act_remove = self.add_action(_("Remove"), self.remove_selected, "Del",
                                          _("Remove the selected award"))
        self.act_up = self.add_action(_("Group up"), lambda: self.move_group(-1), "Alt+Up",
                                      _("Present the selected group earlier"))
        self.act_down = self.add_action(_("Group down"), lambda: self.move_group(1), "Alt+Down",
                                        _("Present the selected group later"))
        self.act_in_up = self.add_action(
            _("Earlier in group"), lambda: self.move_in_group(-1), "Alt+Shift+Up",
            _("Call the selected recipient earlier within the group"))
        self.act_in_down = self.add_action(
            _("Later in group"), lambda: self.move_in_group(1), "Alt+Shift+Down",
            _("Call the selected recipient later within the group"))
        self.act_join = self.add_action(
            _("Together with above"), self.join_selected, "Ctrl+J",
            _("Present the selected award together with the group above (one presenter)"))
        self.act_split = self.add_action(
            _("Separately"), self.split_selected, "Ctrl+Shift+J",
            _("Take the selected award out of its group: presented on its own"))
        self.act_order = self.add_action(
            _("Order by precedence"), self.order_by_precedence, "Ctrl+Alt+O",
            _("Put the presentations in legal precedence, highest first"))
        self.act_import = self.add_action(
            _("Import from Excel…"), self.choose_excel, "Ctrl+Alt+I",
            _("Import awards from an .xlsx list (see the template)"))
        self.act_run_sheet = self.add_action(
            _("Export run sheet (PDF)…"), self.choose_run_sheet, "Ctrl+Alt+R",
            _("The MC's script of the ceremony, in order, as PDF"))
        self.act_template = self.add_action(
            _("Save Excel template…"), self.choose_template, None,
            _("An empty award list with the columns the import reads"))
        self.act_catalogue = self.add_action(
            _("Award catalogue…"), self.open_catalogue, "Ctrl+Alt+C",
            _("The award types in precedence order; add your own and place them"))
        # the toolbar keeps the ceremony's own actions; all of them are in the Awards menu
        for act in (self.act_edit, self.act_remove, self.act_in_up, self.act_in_down,
                    self.act_template, self.act_unpresent):
            self.toolbar.removeAction(act)

    # --- the table -------------------------------------------------------------------------

    def columns(self) -> list[Column]:
        def group(g: reads.GrantInfo) -> str:
            gr = self._group_of.get(g.id)
            if gr is None:
                return ""
            return str(gr.index) if gr.grants[0].id == g.id else "·"

        def recipient(g: reads.GrantInfo) -> str:
            name = g.recipient_name
            if g.posthumous:
                name = _("{name} (posthumous)").format(name=name)
            return name

        def where(g: reads.GrantInfo) -> str:
            ep = self._endpoint.get(g.meeting_endpoint_id or 0)
            if ep is None:
                return _("Main hall")
            return f"{ep.name} — {labels.endpoint_status(ep.status)}"

        def decision(g: reads.GrantInfo) -> str:
            if not g.decision_number:
                return ""
            day = g.decision_date.strftime(" %d/%m/%Y") if g.decision_date else ""
            return g.decision_number + day

        def background(g: reads.GrantInfo) -> Any:
            gr = self._group_of.get(g.id)
            if self.cer is None or gr is None or self.cer.current is not gr:
                return None
            return QBrush(CURRENT if gr.grants.index(g) % 2 == 0 else CURRENT_ALT)

        def foreground(g: reads.GrantInfo) -> Any:
            gr = self._group_of.get(g.id)
            if gr is not None and any(c.grant_id == g.id for c in gr.cautions):
                return QBrush(CAUTION)
            if g.presented_at is not None:
                return QBrush(DONE)
            return None

        def cell(text: Any, **kw: Any) -> Column:
            return Column(text[0], text[1], background=background, foreground=foreground, **kw)

        return [
            cell((_("#"), group), align=Qt.AlignmentFlag.AlignRight,
                 sort=lambda g: g.ceremony_position),
            cell((_("Presented"), lambda g: hhmm(g.presented_at, self.tz)),
                 align=Qt.AlignmentFlag.AlignCenter),
            cell((_("Award"), lambda g: g.award_name), tooltip=lambda g: g.citation or g.award_name),
            cell((_("Recipient"), recipient)),
            cell((_("Post"), lambda g: g.recipient_post), tooltip=lambda g: g.recipient_post),
            cell((_("Received by"), lambda g: g.received_by)),
            cell((_("Presenter"), lambda g: g.presenter_name)),
            cell((_("At"), where), tooltip=self._caution_tip),
            cell((_("Decision"), decision)),
            cell((_("Conferred by"), lambda g: g.authority)),
        ]

    def _caution_tip(self, g: reads.GrantInfo) -> str:
        gr = self._group_of.get(g.id)
        if gr is None:
            return ""
        return "\n".join(c.text(self.tz) for c in gr.cautions if c.grant_id == g.id)

    def load(self, core: Any, meeting_id: int) -> Any:
        return ceremony.snapshot_for(core, meeting_id), catalogue.award_types(core)

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        # A national meeting's monitor changes endpoint statuses all the time; the ceremony
        # cares only about the endpoints where its recipients are.
        # (while a reload runs the rows may be older than the change: let it reload again)
        if (changes.meeting_id in (None, self.meeting_id) and self.snap is not None
                and not self._loading
                and changes.areas & self.areas == {ENDPOINTS} and not changes.rows.get("endpoint")
                and not changes.rows.get("meeting_endpoint", frozenset())
                & self._watched_endpoints()):
            return
        live = meeting_update(changes, self.meeting_id)
        if (live is not None and LIVE_MEETING_FIELDS.issuperset(live) and self.snap is not None
                and not self._loading and changes.areas & self.areas == {MEETING}):
            # the meeting started or closed: the ceremony (its id, time zone and date) is the same
            self.snap = replace(self.snap, meeting=replace(self.snap.meeting, **live))
            return
        super()._on_changes(changes, initiator)

    def _watched_endpoints(self) -> frozenset[int]:
        snap = self.snap
        if snap is None:
            return frozenset()
        people = {p.id: p for p in snap.people}
        ids = {g.meeting_endpoint_id for g in snap.grants}
        for g in snap.grants:
            p = people.get(g.recipient_person_id or 0)
            if p is not None:
                ids.add(p.meeting_endpoint_id)
        return frozenset(i for i in ids if i is not None)

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.snap, self.cer = None, None
            self._group_of, self._endpoint = {}, {}
            self.model.set_rows(())
            self._show_banner()
            return
        keep = self.selected_id()
        # the selection on the group being presented moves on with the ceremony
        before = self.cer.current.grant_ids if self.cer and self.cer.current else ()
        self.snap, self.types = rows
        self.tz = self.snap.meeting.timezone
        self.cer = ceremony.build(self.snap)
        self._group_of = {g.id: gr for gr in self.cer.groups for g in gr.grants}
        self._endpoint = {e.id: e for e in self.snap.endpoints}
        ordered = [g for gr in self.cer.groups for g in gr.grants]
        self.model.set_rows(ordered)
        self.model.refresh_all()  # highlight and cautions follow the current group
        self.view.resizeColumnsToContents()
        for col, most in ((2, 260), (4, 260), (5, 220)):
            self.view.setColumnWidth(col, min(self.view.columnWidth(col), most))
        now = self.cer.current.grant_ids if self.cer.current else ()
        moved_on = keep in before and now != before
        target = keep if keep in self._group_of and not moved_on else (now[0] if now else None)
        if target is not None:
            self.select_id(target)
        self._show_banner()

    def _show_banner(self) -> None:
        cer = self.cer
        self.caution_label.hide()
        if cer is None or not cer.groups:
            self.now_label.setText(_("No awards to present. Add one (Ins) or import a list "
                                     "from Excel (Ctrl+Alt+I)."))
            self.progress_label.setText("")
            self._enable(False)
            return
        total = len(cer.groups)
        done = cer.presented_count
        cur = cer.current
        if cur is None:
            last = max((gr.presented_at for gr in cer.groups if gr.presented_at), default=None)
            self.now_label.setText(_("All {n} presentations made (the last at {t}).").format(
                n=total, t=hhmm(last, self.tz)))
        else:
            who = ", ".join(self._called(g) for g in cur.grants)
            by = ", ".join(cur.presenter_names) or _("presenter not set")
            self.now_label.setText(_("Now {i}/{n}: {award} — {who} · presented by {by}").format(
                i=cur.index, n=total, award=", ".join(cur.award_names), who=who, by=by))
            if cur.cautions:
                lines = [f"⚠ {c.text(self.tz)}" for c in cur.cautions]
                lines.append(_("Check before calling: Ctrl+Shift+G calls this group after the "
                               "next one; Ctrl+Shift+P asks to confirm."))
                self.caution_label.setText("\n".join(lines))
                self.caution_label.show()
        order = (_("order: legal precedence") if cer.in_precedence_order
                 else _("order: adjusted by hand (Ctrl+Alt+O restores precedence)"))
        self.progress_label.setText(ngettext(
            "{done} of {n} presentation made · {order}",
            "{done} of {n} presentations made · {order}", total).format(
                done=done, n=total, order=order))
        self._enable(True)
        self.act_present.setEnabled(cur is not None)
        self.act_defer.setEnabled(cur is not None)

    def _enable(self, on: bool) -> None:
        for act in (self.act_present, self.act_defer, self.act_run_sheet, self.act_order,
                    self.act_up, self.act_down, self.act_in_up, self.act_in_down,
                    self.act_join, self.act_split, self.act_edit, self.act_remove):
            act.setEnabled(on)

    @staticmethod
    def _called(g: reads.GrantInfo) -> str:
        if g.posthumous and g.received_by:
            return f"{g.recipient_name} ({g.received_by})"
        return g.recipient_name

    # --- live ------------------------------------------------------------------------------

    def present_current(self) -> None:
        cer = self.cer
        if self.meeting_id is None or cer is None or cer.current is None:
            return
        cur = cer.current
        mid = self.meeting_id
        first = cur.grant_ids[0]  # the group the operator sees, even if another console moved on
        shown = list(cur.grant_ids)  # as shown: a group regrouped meanwhile is refused (Conflict)
        if not cur.cautions:
            self.perform(ceremony.present, mid, first, expected_ids=shown)
            return
        text = "\n".join(c.text(self.tz) for c in cur.cautions)
        box = QMessageBox(QMessageBox.Icon.Warning, _("Check before calling"),
                          _("{cautions}\n\nRecord presentation {i} as made anyway?").format(
                              cautions=text, i=cur.index),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("award-caution")
        box.setDefaultButton(QMessageBox.StandardButton.No)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.perform(ceremony.present, mid, first, despite_cautions=True, expected_ids=shown)

        box.finished.connect(answered)
        self.dialog = box
        box.open()

    def unpresent_selected(self) -> None:
        g = self.selected_row()
        if g is not None and g.presented_at is not None:
            self.perform(ceremony.clear_presented, g.id)

    def defer_current(self) -> None:
        if self.meeting_id is None or self.cer is None or self.cer.current is None:
            return
        self.perform(ceremony.defer_group, self.meeting_id, self.cer.current.grant_ids[0])

    # --- order -----------------------------------------------------------------------------

    def move_group(self, steps: int) -> None:
        g = self.selected_row()
        if g is not None:
            self.perform(ceremony.move_group, g.id, steps, seen=self._seen(g))

    def move_in_group(self, steps: int) -> None:
        g = self.selected_row()
        if g is not None:
            self.perform(ceremony.move_in_group, g.id, steps, seen=self._seen(g))

    @staticmethod
    def _seen(g: reads.GrantInfo) -> dict[str, Any]:
        """Where the award stood as shown: a reorder on a ceremony changed since is refused."""
        return {"group_no": g.group_no, "ceremony_position": g.ceremony_position}

    def join_selected(self) -> None:
        g = self.selected_row()
        if g is not None:
            self.perform(ceremony.join_previous_group, g.id)

    def split_selected(self) -> None:
        g = self.selected_row()
        if g is not None:
            self.perform(ceremony.split_from_group, g.id)

    def order_by_precedence(self) -> None:
        if self.meeting_id is not None:
            self.perform(ceremony.order_by_precedence, self.meeting_id)

    # --- editing ---------------------------------------------------------------------------

    def _fields(self, g: reads.GrantInfo | None,
                endpoints: Sequence[reads.MeetingEndpointInfo]) -> list[Field]:
        snap = self.snap
        assert snap is not None
        people = [(None, "—")] + [(p.id, p.full_name) for p in snap.people]
        orgs = [(None, "—")] + [(o.id, o.name) for o in snap.organisations]
        eps = [(None, _("Main hall"))] + [(e.id, e.name) for e in endpoints
                                          if e.kind != "main_hall"]
        first_type = self.types[0].id if self.types else None
        return [
            Field("award_type_id", _("Award"), "choice",
                  value=g.award_type_id if g else first_type,
                  choices=[(t.id, t.name) for t in self.types]),
            Field("recipient_kind", _("Recipient is"), "choice",
                  value=g.recipient_kind if g else "individual",
                  choices=labels.choices(vocab.RECIPIENT_KINDS, labels.recipient_kind)),
            Field("recipient_person_id", _("Person"), "choice",
                  value=g.recipient_person_id if g else None, choices=people),
            Field("recipient_org_id", _("Organisation"), "choice",
                  value=g.recipient_org_id if g else None, choices=orgs),
            Field("recipient_post", _("Post as in the decision"),
                  value=g.recipient_post if g else ""),
            Field("posthumous", _("Posthumous (truy tặng)"), "bool",
                  value=g.posthumous if g else False),
            Field("received_by", _("Received by"), value=g.received_by if g else ""),
            Field("presenter_id", _("Presenter"), "choice",
                  value=g.presenter_id if g else None, choices=people),
            Field("presenter_text", _("Presenter (role, when not a named person)"),
                  value=g.presenter_text if g else ""),
            Field("decision_number", _("Decision number"), value=g.decision_number if g else ""),
            Field("decision_date", _("Decision date"), "date",
                  value=g.decision_date if g and g.decision_date else snap.meeting.date),
            Field("meeting_endpoint_id", _("Recipient is at"), "choice",
                  value=g.meeting_endpoint_id if g else None, choices=eps),
            Field("group_no", _("Presented together with group (0: on its own)"), "int",
                  value=g.group_no if g else 0),
            Field("citation", _("Citation"), "multiline", value=g.citation if g else ""),
        ]

    def add_grant(self) -> None:
        if self.meeting_id is None or self.snap is None:
            return
        mid = self.meeting_id

        def accept(values: dict[str, Any], done: Any) -> None:
            type_id = values.pop("award_type_id", None) or (self.types[0].id if self.types else 0)
            values = {k: v for k, v in values.items() if v is not None}
            if not values.get("decision_number"):
                values.pop("decision_date", None)
            self.perform(awards.add_grant, mid, type_id, done=done, select_result=True, **values)

        self._with_endpoints(lambda eps: ask(self, _("Add award"), self._fields(None, eps),
                                             accept))

    def edit_selected(self) -> None:
        g = self.selected_row()
        if g is None or self.snap is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            seen = {k: getattr(g, k) for k in values if hasattr(g, k)}
            self.perform(awards.update_grant, g.id, done=done, seen=seen, **values)

        self._with_endpoints(lambda eps: ask(self, _("Edit award"), self._fields(g, eps), accept))

    def _with_endpoints(self, then: Any) -> None:
        """The form's endpoint choices: all of the meeting's, read when the form opens (the
        panel itself holds only the recipients' endpoints)."""
        if self.meeting_id is not None:
            self.runner.call(reads.endpoints, self.runner.core, self.meeting_id, on_done=then,
                             on_error=self.warn)

    def remove_selected(self) -> None:
        g = self.selected_row()
        if g is not None:
            self.perform(awards.remove_grant, g.id)

    # --- files -----------------------------------------------------------------------------

    def _file_dialog(self, title: str, pattern: str, save: bool, suggested: str,
                     chosen: Any) -> None:
        dlg = QFileDialog(self, title, suggested, pattern)
        dlg.setObjectName("award-file")
        if save:
            dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dlg.setDefaultSuffix(Path(suggested).suffix.lstrip(".") or "pdf")
        else:
            dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.fileSelected.connect(chosen)
        self.dialog = dlg
        dlg.open()

    def choose_excel(self) -> None:
        if self.meeting_id is not None:
            self._file_dialog(_("Import awards from Excel"), _("Excel workbooks (*.xlsx)"),
                              False, "", self.import_excel)

    def import_excel(self, path: str) -> None:
        """Check the workbook on the DB worker; list its problems, or import it."""
        if self.meeting_id is None:
            return
        # the Excel import (zipfile, difflib, the catalogue) loads on first use, not at start-up
        from meeting_console.core import award_import
        from meeting_console.ui.award_import_dialog import ImportProblemsDialog

        mid = self.meeting_id

        def checked(sheet: award_import.GrantSheet) -> None:
            if sheet.problems:
                dlg = ImportProblemsDialog(sheet.source, sheet.problems, self)
                self.dialog = dlg
                dlg.open()
                return

            def imported(changes: Changes) -> None:
                self.say(_("{label} — Ctrl+Z takes it back").format(label=changes.label))

            self.runner.run(award_import.import_grants, mid, path, initiator=self,
                            on_done=imported, on_error=self.warn)

        self.runner.call(award_import.check_sheet, self.runner.core, mid, path,
                         on_done=checked, on_error=self.warn)

    def choose_run_sheet(self) -> None:
        if self.meeting_id is not None:
            self._file_dialog(_("Export the MC's run sheet"), _("PDF (*.pdf)"), True,
                              "kich-ban-trao-khen-thuong.pdf", self.export_run_sheet)

    def export_run_sheet(self, path: str) -> None:
        """Read the script on the DB worker (quick), lay the PDF out on a thread of its own
        (a long ceremony takes seconds: the "presented" key must not wait behind it), with a
        progress dialog that can cancel it."""
        from meeting_console.record.run_sheet import read_script, write_run_sheet

        if self.meeting_id is None:
            return
        self.say(_("Writing the run sheet…"))
        dlg = QProgressDialog(_("Writing the MC's run sheet…"), _("Cancel"), 0, 0, self)
        dlg.setObjectName("run-sheet-progress")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(400)  # a short ceremony is done before it would show
        relay = Relay(dlg)
        relay.step.connect(lambda done, total: (dlg.setMaximum(total), dlg.setValue(done)))
        cancelled = threading.Event()
        dlg.canceled.connect(cancelled.set)
        dlg.setValue(0)

        def progress(done: int, total: int, _what: str) -> None:  # on the layout thread
            if cancelled.is_set():
                raise UserError(_("run sheet cancelled; nothing was written"))
            relay.step.emit(done, total)

        def finished(written: object) -> None:
            dlg.reset()
            self.say(_("Run sheet written to {path}").format(path=written))

        def failed(message: str) -> None:
            dlg.reset()
            if cancelled.is_set():
                self.say(message)
            else:
                self.warn(message)

        relay.done.connect(finished)
        relay.failed.connect(failed)

        def lay_out(sc: Any) -> None:
            def work() -> None:
                try:
                    relay.done.emit(write_run_sheet(sc, path, progress=progress))
                except UserError as exc:
                    relay.failed.emit(str(exc))
                except Exception as exc:  # reported, not swallowed: the user sees why
                    log.exception("run sheet failed")
                    relay.failed.emit(f"{type(exc).__name__}: {exc}")

            threading.Thread(target=work, name="run-sheet", daemon=False).start()

        self.runner.call(read_script, self.runner.core, self.meeting_id, on_done=lay_out,
                         on_error=failed)

    def choose_template(self) -> None:
        self._file_dialog(_("Save the Excel template"), _("Excel workbooks (*.xlsx)"), True,
                          "danh-sach-khen-thuong.xlsx", self.save_template)

    def save_template(self, path: str) -> None:
        from meeting_console.core import award_import

        names = [t.name for t in self.types]
        self.runner.call(award_import.write_template, path, names,
                         on_done=lambda p: self.say(_("Template written to {path}").format(
                             path=p)), on_error=self.warn)

    def open_catalogue(self) -> None:
        from meeting_console.ui.award_catalogue_dialog import CatalogueDialog

        dlg = CatalogueDialog(self.runner, self.meeting_id, self)
        self.dialog = dlg
        dlg.open()

    def say(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.show()
