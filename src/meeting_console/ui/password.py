"""The database password prompt: shown when the server asks for a password that neither the
URL, ``PGPASSWORD`` nor ``.pgpass`` gave. What is typed stays in memory (never in settings,
logs or the journal)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QWidget

from meeting_console.i18n import _


def password_dialog(message: str, parent: QWidget | None = None) -> QInputDialog:
    dlg = QInputDialog(parent)
    dlg.setObjectName("database-password")
    dlg.setWindowTitle(_("Database password"))
    dlg.setLabelText(_("The database server asks for a password:\n{why}").format(why=message))
    dlg.setTextEchoMode(QLineEdit.EchoMode.Password)
    dlg.setInputMode(QInputDialog.InputMode.TextInput)
    return dlg


def ask_password(message: str) -> str | None:
    """At start-up, before the console's event loop runs (no coroutine is waiting), so a
    modal run of the dialog is fine here. None when cancelled."""
    from meeting_console.ui.app import ensure_app

    ensure_app()
    dlg = password_dialog(message)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.textValue()
