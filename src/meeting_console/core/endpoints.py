"""Endpoints (bridge points): the shared directory, each meeting's participation, and the live
side: the clerk's status, delegates present, notes and host; roll call; the monitor's batched
automatic changes; monitoring addresses and their checks; fast reads for a 50,000-row panel.

Every status change writes an ``EndpointStatusEvent``: the outage ledger (``core.outages``) is
built from those rows, which the journal holds like any other change.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, update

from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.concurrency import Conflict, changed_by, merge_seen
from meeting_console.core.journal import RowChange
from meeting_console.core.reads import MeetingEndpointInfo
from meeting_console.core.text import nfc
from meeting_console.core.words import word
from meeting_console.errors import NotFound, OperationRefused
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

# --- monitoring addresses -----------------------------------------------------------------

ADDRESS_FORMS = "tcp://host:port, sip:host[:port], http://host[:port]/path or https://…"
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SIP_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$")


@dataclass(frozen=True)
class Address:
    """A checked monitoring address: how to probe one endpoint."""

    scheme: str  # tcp | sip | http | https
    host: str  # ASCII (IDNA) form, IPv6 without brackets
    port: int
    path: str = "/"  # http(s): path and query sent in the request
    ca_file: str = ""  # https: a CA bundle to trust instead of the system's ("#ca=/path")
    text: str = ""  # the address as entered (normalised)

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


class AddressError(ValueError):
    """A malformed address; ``str()`` is the message for the user."""


def _check_host(host: str, text: str) -> str:
    if not host:
        raise AddressError(_("{text} names no host").format(text=repr(text)))
    if host.startswith("[") or host.endswith("]"):
        if not (host.startswith("[") and host.endswith("]")):
            raise AddressError(_("{text}: unbalanced brackets around the IPv6 address").format(text=repr(text)))
        inner = host[1:-1]
        try:
            return str(ipaddress.IPv6Address(inner))
        except ValueError:
            raise AddressError(_("{text}: {inner} is not an IPv6 address").format(text=repr(text), inner=repr(inner))) from None
    if ":" in host:
        raise AddressError(_("{text}: write an IPv6 address in brackets, e.g. [{host}]").format(text=repr(text), host=host))
    if re.fullmatch(r"[0-9.]+", host):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise AddressError(_("{text}: {host} is not an IPv4 address").format(text=repr(text), host=repr(host))) from None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise AddressError(_("{text}: {host} is not a valid host name").format(text=repr(text), host=repr(host))) from None
    ascii_host = ascii_host.rstrip(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(p) for p in ascii_host.split(".")):
        raise AddressError(_("{text}: {host} is not a valid host name").format(text=repr(text), host=repr(host)))
    return ascii_host


def _check_port(port: str, text: str, default: int | None) -> int:
    if port == "":
        if default is None:
            raise AddressError(_("{text} needs a port, e.g. tcp://host:5060").format(text=repr(text)))
        return default
    if not port.isdigit() or not port.isascii():
        raise AddressError(_("{text}: port {port} is not a number").format(text=repr(text), port=repr(port)))
    value = int(port)
    if not 1 <= value <= 65535:
        raise AddressError(_("{text}: port {value} is outside 1–65535").format(text=repr(text), value=value))
    return value


def _split_host_port(hostport: str, text: str) -> tuple[str, str]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise AddressError(_("{text}: unbalanced brackets around the IPv6 address").format(text=repr(text)))
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            raise AddressError(_("{text}: unexpected {rest} after the IPv6 address").format(text=repr(text), rest=repr(rest)))
        return host, rest[1:]
    if hostport.count(":") > 1:
        raise AddressError(_("{text}: write an IPv6 address in brackets, e.g. [::1]:5060").format(text=repr(text)))
    host, sep, port = hostport.partition(":")
    if sep == ":" and port == "":
        raise AddressError(_("{text}: the port after ':' is missing").format(text=repr(text)))
    return host, port


def parse_address(value: str) -> Address:
    """Check a monitoring address and return its parts, or raise ``AddressError`` saying what
    is wrong. Forms: ``tcp://host:port`` (connect), ``sip:[user@]host[:port]`` (OPTIONS over
    UDP, port 5060 by default), ``http://…`` and ``https://…`` (2xx is alive; an https address
    may end in ``#ca=/path/to/ca.pem`` to trust that CA file)."""
    text = nfc(value).strip()
    if not text:
        raise AddressError(_("the address is empty"))
    if len(text) > 1000:
        raise AddressError(_("the address is longer than 1000 characters ({n})").format(n=len(text)))
    for pos, ch in enumerate(text, start=1):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            raise AddressError((_("{text} contains a space at position {pos}") if ch.isspace() else
                                _("{text} contains a control character ({code}) at position {pos}"))
                               .format(text=repr(text), code=f"U+{ord(ch):04X}", pos=pos))
    scheme, colon, rest = text.partition(":")
    scheme_l = scheme.lower()
    if not colon or not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme_l) or scheme_l in ("localhost",) \
            or scheme_l.replace(".", "").isdigit():
        raise AddressError(_("{text}: say how to probe it: {forms}").format(text=repr(text), forms=ADDRESS_FORMS))
    if scheme_l == "tcp":
        if not rest.startswith("//"):
            raise AddressError(_("{text}: write tcp://host:port").format(text=repr(text)))
        hostport = rest[2:]
        if any(c in hostport for c in "/?#@"):
            raise AddressError(_("{text}: a tcp:// address is only tcp://host:port").format(text=repr(text)))
        host, port = _split_host_port(hostport, text)
        return Address("tcp", _check_host(host, text), _check_port(port, text, None), "", "",
                       f"tcp://{hostport}")
    if scheme_l == "sip":
        if rest.startswith("//"):
            raise AddressError(_("{text}: a SIP address has no '//': write sip:host[:port]").format(text=repr(text)))
        body, _sep, params = rest.partition(";")
        if "?" in body or "#" in body:
            raise AddressError(_("{text}: a SIP address cannot hold '?' or '#'").format(text=repr(text)))
        user, at, hostport = body.rpartition("@")
        if at and not _SIP_USER.match(user):
            raise AddressError(_("{text}: the user part {user} holds characters SIP does not allow").format(text=repr(text), user=repr(user)))
        for p in params.split(";") if params else ():
            key, _sep, val = p.partition("=")
            if key.lower() == "transport" and val.lower() != "udp":
                raise AddressError(_("{text}: only SIP over UDP is probed (transport={val})").format(text=repr(text), val=val))
        host, port = _split_host_port(hostport, text)
        return Address("sip", _check_host(host, text), _check_port(port, text, 5060), "", "",
                       f"sip:{rest}")
    if scheme_l == "sips":
        raise AddressError(_("{text}: SIP over TLS (sips:) is not probed; use sip: (UDP)").format(text=repr(text)))
    if scheme_l in ("http", "https"):
        if not rest.startswith("//"):
            raise AddressError(_("{text}: write {scheme_l}://host/path").format(text=repr(text), scheme_l=scheme_l))
        after = rest[2:]
        cut = re.search(r"[/?#]", after)
        netloc, tail = (after[: cut.start()], after[cut.start() :]) if cut else (after, "")
        if "@" in netloc:
            raise AddressError(_("{text}: no user name or password in the address (they would be "
                                 "stored and shown in clear)").format(text=repr(text)))
        path, hashmark, fragment = tail.partition("#")
        if not path.startswith("/"):
            path = "/" + path
        ca_file = ""
        if hashmark:
            if scheme_l != "https" or not fragment.startswith("ca=") or len(fragment) <= 3:
                raise AddressError(_("{text}: the only thing allowed after '#' is ca=/path/to/ca.pem "
                                     "(https only)").format(text=repr(text)))
            ca_file = fragment[3:]
        if any(c in path for c in "\\^`{}|<>\""):
            raise AddressError(_("{text}: the path holds characters a URL does not allow").format(text=repr(text)))
        host, port = _split_host_port(netloc, text)
        default = 443 if scheme_l == "https" else 80
        return Address(scheme_l, _check_host(host, text), _check_port(port, text, default),
                       path, ca_file, f"{scheme_l}:{rest}")
    raise AddressError(_("{text}: unknown kind of address {scheme}; use {forms}").format(text=repr(text), scheme=repr(scheme), forms=ADDRESS_FORMS))


def address_check(field: str, value: Any) -> str:
    """Field check for ``Endpoint.address``: empty, or an address ``parse_address`` accepts."""
    out = ed.text(1000)(field, value)
    if not out:
        return ""
    try:
        return parse_address(out).text
    except AddressError as exc:
        raise OperationRefused(_("{field}: {exc}").format(field=field, exc=exc)) from None


DIRECTORY_FIELDS: dict[str, ed.Check] = {
    "name": ed.text(300, required=True),
    "kind": ed.choice(vocab.ENDPOINT_KINDS),
    "code": ed.optional_text(100),
    "address": address_check,
    "host_name": ed.text(300),
}

PARTICIPATION_FIELDS: dict[str, ed.Check] = {
    "expected_delegates": ed.integer(0, 1_000_000),
    "present_delegates": ed.integer(0, 1_000_000, optional=True),
    "host": ed.text(300),
    "monitored": ed.boolean(),
    "note": ed.text(5000, multiline=True),
}


def _check_unique(tx: Tx, values: dict[str, Any], own_id: int | None = None) -> None:
    s = tx.session
    if "name" in values:
        other = s.scalars(select(m.Endpoint).where(m.Endpoint.name == values["name"])).first()
        if other is not None and other.id != own_id:
            raise OperationRefused(_("name: an endpoint named {values} exists already").format(values=repr(values['name'])))
    if values.get("code"):
        other = s.scalars(select(m.Endpoint).where(m.Endpoint.code == values["code"])).first()
        if other is not None and other.id != own_id:
            raise OperationRefused(_("code: code {values} belongs to {name}").format(values=repr(values['code']), name=repr(other.name)))


@operation(N_("Add endpoint to directory"))
def add_directory_endpoint(tx: Tx, name: str, *, meeting_id: int | None = None, **fields: Any) -> int:
    """A new bridge point in the shared directory; returns its id."""
    values = ed.checked({"name": name, **fields}, DIRECTORY_FIELDS, "endpoint")
    _check_unique(tx, values)
    tx.meeting_id = meeting_id
    return tx.add(m.Endpoint(**values)).id


@operation(N_("Edit endpoint"))
def update_directory_endpoint(tx: Tx, endpoint_id: int, *, meeting_id: int | None = None, **fields: Any) -> None:
    """Rename or re-address a bridge point in the directory (all meetings see the change)."""
    ep = tx.get(m.Endpoint, endpoint_id, "endpoint")
    values = ed.checked(fields, DIRECTORY_FIELDS, "endpoint")
    _check_unique(tx, values, own_id=endpoint_id)
    tx.meeting_id = meeting_id
    for k, v in values.items():
        if getattr(ep, k) != v:
            setattr(ep, k, v)


@operation(N_("Add endpoint to meeting"))
def add_to_meeting(tx: Tx, meeting_id: int, endpoint_id: int, **fields: Any) -> int:
    """Make a directory endpoint take part in a meeting; returns the participation id."""
    tx.get(m.Meeting, meeting_id, "meeting")
    ep = tx.get(m.Endpoint, endpoint_id, "endpoint")
    tx.meeting_id = meeting_id
    s = tx.session
    dup = s.scalars(
        select(m.MeetingEndpoint).where(
            m.MeetingEndpoint.meeting_id == meeting_id, m.MeetingEndpoint.endpoint_id == endpoint_id
        )
    ).first()
    if dup is not None:
        raise OperationRefused(_("{name} takes part in this meeting already").format(name=ep.name))
    values = ed.checked(fields, PARTICIPATION_FIELDS, "endpoint")
    values.setdefault("host", ep.host_name)
    pos = s.execute(
        select(func.coalesce(func.max(m.MeetingEndpoint.position), 0)).where(m.MeetingEndpoint.meeting_id == meeting_id)
    ).scalar_one()
    return tx.add(m.MeetingEndpoint(meeting_id=meeting_id, endpoint_id=endpoint_id, position=pos + 1, **values)).id


@operation(N_("New endpoint in meeting"))
def create_in_meeting(tx: Tx, meeting_id: int, name: str, *, kind: str = "other", code: str | None = None,
                      address: str = "", **fields: Any) -> int:
    """Add a bridge point to the meeting, creating it in the directory if it is new."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    values = ed.checked({"name": name, "kind": kind, "code": code, "address": address}, DIRECTORY_FIELDS, "endpoint")
    ep = tx.session.scalars(select(m.Endpoint).where(m.Endpoint.name == values["name"])).first()
    if ep is None:
        _check_unique(tx, values)
        ep = tx.add(m.Endpoint(**values))
    return add_to_meeting.__wrapped__(tx, meeting_id, ep.id, **fields)  # type: ignore[attr-defined]


@operation(N_("Edit endpoint in meeting"))
def update_participation(tx: Tx, meeting_endpoint_id: int, *, seen: dict[str, Any] | None = None,
                         **fields: Any) -> None:
    """Expected and present delegates, host, monitoring, note of one endpoint in a meeting.
    ``seen``: the values the user saw (see ``core.concurrency.merge_seen``)."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    fields = merge_seen(_endpoint_name(tx, me), lambda k: getattr(me, k), fields, seen, PARTICIPATION_FIELDS,
                        lambda f: changed_by(tx, "meeting_endpoint", me.id, me.meeting_id, f))
    ed.apply_fields(me, fields, PARTICIPATION_FIELDS, "endpoint")


@operation(N_("Remove endpoint from meeting"))
def remove_from_meeting(tx: Tx, meeting_endpoint_id: int) -> None:
    """Refused once the endpoint has a status history (the record needs it)."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    s = tx.session
    if s.scalars(select(m.EndpointStatusEvent).where(m.EndpointStatusEvent.meeting_endpoint_id == me.id)).first():
        raise OperationRefused(_("the endpoint has a connection history in this meeting; it cannot be removed"))
    for model, col in ((m.Person, m.Person.meeting_endpoint_id), (m.SpeakerRequest, m.SpeakerRequest.meeting_endpoint_id),
                       (m.AwardGrant, m.AwardGrant.meeting_endpoint_id)):
        for obj in s.scalars(select(model).where(col == me.id)):
            obj.meeting_endpoint_id = None
    s.flush()
    rest = list(s.scalars(select(m.MeetingEndpoint).where(
        m.MeetingEndpoint.meeting_id == me.meeting_id, m.MeetingEndpoint.id != me.id
    ).order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id)))
    tx.delete(me)
    for i, other in enumerate(rest, start=1):
        if other.position != i:
            other.position = i


def _endpoint_name(tx: Tx, me: m.MeetingEndpoint) -> str:
    ep = tx.session.get(m.Endpoint, me.endpoint_id)
    return ep.name if ep is not None else _("endpoint {id}").format(id=me.id)


@operation(N_("Edit endpoint"))
def edit_endpoint(tx: Tx, meeting_endpoint_id: int, *, seen: dict[str, Any] | None = None,
                  **fields: Any) -> None:
    """One edit of an endpoint as the meeting sees it: directory fields (name, kind, code,
    address) and participation fields (delegates, host, note …) in one undoable step.

    ``seen``: the values the user saw when editing. A field another console changed since is
    refused (``Conflict``), a field the user left as it was is not written back."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    if seen is not None:
        ep0 = tx.get(m.Endpoint, me.endpoint_id, "endpoint")
        fields = merge_seen(
            ep0.name, lambda k: getattr(ep0 if k in DIRECTORY_FIELDS else me, k), fields, seen,
            {**DIRECTORY_FIELDS, **PARTICIPATION_FIELDS})
    directory = {k: fields.pop(k) for k in list(fields) if k in DIRECTORY_FIELDS}
    if directory:
        ep = tx.get(m.Endpoint, me.endpoint_id, "endpoint")
        values = ed.checked(directory, DIRECTORY_FIELDS, "endpoint")
        _check_unique(tx, values, own_id=ep.id)
        for k, v in values.items():
            if getattr(ep, k) != v:
                setattr(ep, k, v)
    ed.apply_fields(me, fields, PARTICIPATION_FIELDS, "endpoint")


# --- the clerk's live operations ------------------------------------------------------------


def _participation(tx: Tx, meeting_endpoint_id: int) -> tuple[m.MeetingEndpoint, str]:
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    ep = tx.get(m.Endpoint, me.endpoint_id, "endpoint")
    return me, ep.name


def _change_status(tx: Tx, me: m.MeetingEndpoint, status: str, at: datetime, *, automatic: bool,
                   detail: str = "") -> m.EndpointStatusEvent | None:
    """Move an endpoint to ``status`` with a status event (the ledger's source); nothing
    when it is there already. Times never run backwards within one endpoint's history."""
    if me.status == status:
        return None
    if me.status_since is not None and at < me.status_since:
        at = me.status_since
    me.status = status
    me.status_since = at
    return m.EndpointStatusEvent(meeting_endpoint_id=me.id, at=at, status=status,
                                 automatic=automatic, detail=detail[:500])


STATUS_CHECK = ed.choice(vocab.ENDPOINT_STATUSES)


@operation(N_("Set endpoint status"))
def set_status(tx: Tx, meeting_endpoint_id: int, status: str, *, detail: str = "",
               expected: str | None = None) -> None:
    """A clerk's status for an endpoint (connected, unstable, lost, left, not connected).

    It is written as a status event at the operation's time, and it holds against the monitor
    (``manual_override``) until ``release_override``. ``expected``: the status the clerk saw;
    when another clerk has meanwhile set a different one by hand, refused (``Conflict``).
    The monitor's own changes do not count: a clerk's mark overrides them."""
    me, name = _participation(tx, meeting_endpoint_id)
    status = STATUS_CHECK("status", status)
    if expected is not None and me.manual_override and me.status not in (expected, status):
        raise Conflict(
            _("{name}: another clerk marked it {status!r} meanwhile (you saw {expected!r}). "
              "Nothing was changed; set the status again if it is still right").format(
                name=name, status=me.status, expected=expected)
        )
    detail = ed.text(500)("detail", detail)
    event = _change_status(tx, me, status, tx.now, automatic=False, detail=detail)
    if event is not None:
        tx.session.add(event)
    if not me.manual_override:
        me.manual_override = True
    tx.label = _("Status of {name}: {status}").format(name=name, status=word(status))


@operation(N_("Release manual status"))
def release_override(tx: Tx, meeting_endpoint_id: int) -> None:
    """Hand the endpoint's status back to the monitor (its next result applies)."""
    me, name = _participation(tx, meeting_endpoint_id)
    if me.manual_override:
        me.manual_override = False
    tx.label = _("Release manual status of {name}").format(name=name)


@operation(N_("Set delegates present"))
def set_present(tx: Tx, meeting_endpoint_id: int, present: int | None, *,
                seen: dict[str, Any] | None = None) -> None:
    """How many delegates the endpoint reports present (None: not reported yet).
    ``seen``: ``{"present_delegates": n}`` as the clerk saw it (``Conflict`` if moved on)."""
    me, name = _participation(tx, meeting_endpoint_id)
    if not merge_seen(name, lambda k: getattr(me, k), {"present_delegates": present}, seen,
                      PARTICIPATION_FIELDS,
                      lambda f: changed_by(tx, "meeting_endpoint", me.id, me.meeting_id, f)):
        return
    ed.apply_fields(me, {"present_delegates": present}, PARTICIPATION_FIELDS, "endpoint")
    tx.label = _("Present at {name}: {value}").format(name=name, value='—' if present is None else present)


def _seen_text(tx: Tx, me: m.MeetingEndpoint, name: str, field: str, value: str, seen: str | None) -> None:
    """``seen``: the text the editor started from; another clerk's text saved since: ``Conflict``."""
    merge_seen(name, lambda k: getattr(me, k), {field: value}, None if seen is None else {field: seen},
               PARTICIPATION_FIELDS, lambda f: changed_by(tx, "meeting_endpoint", me.id, me.meeting_id, f))


@operation(N_("Note on endpoint"))
def set_note(tx: Tx, meeting_endpoint_id: int, note: str, *, seen: str | None = None) -> None:
    """The clerk's note on the endpoint ("sound weak", "host changed" …). ``seen``: the note
    the editor started from (refused if another clerk saved a different one since)."""
    me, name = _participation(tx, meeting_endpoint_id)
    _seen_text(tx, me, name, "note", note, seen)
    ed.apply_fields(me, {"note": note}, PARTICIPATION_FIELDS, "endpoint")
    tx.label = _("Note on {name}").format(name=name)


@operation(N_("Mark host"))
def set_host(tx: Tx, meeting_endpoint_id: int, host: str, *, seen: str | None = None) -> None:
    """Who chairs the meeting at this endpoint (chủ trì tại điểm cầu). ``seen``: as for the note."""
    me, name = _participation(tx, meeting_endpoint_id)
    _seen_text(tx, me, name, "host", host, seen)
    ed.apply_fields(me, {"host": host}, PARTICIPATION_FIELDS, "endpoint")
    tx.label = _("Host at {name}: {value}").format(name=name, value=me.host or '—')


@operation(N_("Monitoring on/off"))
def set_monitoring(tx: Tx, meeting_id: int, monitored: bool, meeting_endpoint_ids: Sequence[int] | None = None) -> int:
    """Turn live monitoring on or off for some endpoints of a meeting (all when ids is None);
    returns how many changed."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    monitored = ed.boolean()("monitored", monitored)
    q = select(m.MeetingEndpoint).where(m.MeetingEndpoint.meeting_id == meeting_id,
                                        m.MeetingEndpoint.monitored.is_not(monitored))
    rows: list[m.MeetingEndpoint] = []
    if meeting_endpoint_ids is None:
        rows = list(tx.session.scalars(q))
    else:
        for chunk in _chunks(list(meeting_endpoint_ids)):
            rows.extend(tx.session.scalars(q.where(m.MeetingEndpoint.id.in_(chunk))))
    for me in rows:
        me.monitored = monitored
    tx.label = (_("Monitoring on for {n} endpoint(s)") if monitored else
                _("Monitoring off for {n} endpoint(s)")).format(n=len(rows))
    return len(rows)


# --- roll call (điểm danh) -----------------------------------------------------------------


@operation(N_("Roll call"))
def roll_call(tx: Tx, meeting_endpoint_id: int, *, status: str | None = None,
              present: int | None = None) -> None:
    """One endpoint answers the roll call: its status (a clerk's status, see ``set_status``)
    and the delegates present, stamped with the roll-call time."""
    me, name = _participation(tx, meeting_endpoint_id)
    if status is not None:
        status = STATUS_CHECK("status", status)
        event = _change_status(tx, me, status, tx.now, automatic=False, detail="roll call")
        if event is not None:
            tx.session.add(event)
        if not me.manual_override:
            me.manual_override = True
    ed.apply_fields(me, {"present_delegates": present}, PARTICIPATION_FIELDS, "endpoint")
    me.roll_call_at = tx.now
    tx.label = _("Roll call: {name}").format(name=name)


@operation(N_("New roll call"))
def new_roll_call(tx: Tx, meeting_id: int) -> int:
    """Start a fresh roll call: every endpoint is 'not answered' again (the answers of the
    last one stay in the journal). Returns how many were cleared."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    rows = list(tx.session.scalars(select(m.MeetingEndpoint).where(
        m.MeetingEndpoint.meeting_id == meeting_id, m.MeetingEndpoint.roll_call_at.is_not(None))))
    for me in rows:
        me.roll_call_at = None
    return len(rows)


# --- the monitor's batched changes ----------------------------------------------------------


class Observed(NamedTuple):
    """What the monitor saw of one endpoint: a new status from its state machine (or None
    when only the probe result is to be kept) and the probe's result. A named tuple: a storm
    makes thousands a second in the console's process, and a frozen dataclass's construction
    (one ``object.__setattr__`` per field) cost several times a tuple's."""

    meeting_endpoint_id: int
    at: datetime
    status: str | None = None
    ok: bool | None = None
    latency_ms: float | None = None
    detail: str = ""
    probe: bool = True  # keep ok/latency/detail as the endpoint's last probe


class _Bulk(Sequence[Any]):
    """A long argument whose text form (what the journal keeps of it) is a short summary:
    the row changes already hold every detail."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._items = tuple(items)

    def __getitem__(self, i: Any) -> Any:
        return self._items[i]

    def __iter__(self) -> Iterator[Any]:  # the tuple's own (Sequence's is a loop of the interpreter)
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return str(self)


class MonitorBatch(_Bulk):
    """The observations of one monitor interval, in order (several per endpoint allowed)."""

    def __str__(self) -> str:
        changes = sum(1 for o in self._items if o.status is not None)
        return f"{changes} status change(s), {len(self)} observation(s)"


@dataclass(frozen=True)
class BatchResult:
    applied: int  # status changes written
    held: int  # status changes not applied: a clerk's manual status holds
    unchanged: int  # the endpoint already had that status
    unknown: int  # ids that are not endpoints of this meeting (removed since)
    statuses: dict[int, str]  # the stored status of every endpoint the batch named
    overrides: frozenset[int] = frozenset()  # those of them under a clerk's manual status
    # what was written, so a view in this process can follow without reading it back:
    # the new values of the columns that changed, per endpoint, and the status events
    changed: Mapping[int, dict[str, Any]] = field(default_factory=dict)  # a dict, or ColumnRows
    events: tuple[tuple[int, datetime, str], ...] = ()


class ColumnRows(Mapping[int, dict[str, Any]]):
    """``BatchResult.changed`` as it crossed the writer helper's pipe: groups of rows with the
    same changed columns, each as (column names, ids, one list of values per column). A
    ``Mapping`` like the dict it stands for (built once, when first looked into by id), so any
    reader works unchanged; a follower of the batch reads ``groups`` directly — no dict per row
    (5,000–10,000 of them a second in a storm, built on the DB worker while the UI waited for
    the interpreter lock, and young-generation collections after them)."""

    def __init__(self, groups: list[tuple[tuple[str, ...], list[int], list[list[Any]]]]) -> None:
        self.groups = groups
        self._dict: dict[int, dict[str, Any]] | None = None

    def _rows(self) -> dict[int, dict[str, Any]]:
        if self._dict is None:
            self._dict = {i: dict(zip(names, v, strict=True))
                          for names, ids, cols in self.groups for i, v in zip(ids, zip(*cols, strict=True), strict=True)}
        return self._dict

    def __getitem__(self, key: int) -> dict[str, Any]:
        return self._rows()[key]

    def __iter__(self) -> Iterator[int]:
        return itertools.chain.from_iterable(ids for _names, ids, _cols in self.groups)

    def __len__(self) -> int:
        return sum(len(ids) for _names, ids, _cols in self.groups)

    def __contains__(self, key: object) -> bool:
        return key in self._rows()

    def values_by_row(self) -> Iterator[tuple[int, tuple[str, ...], tuple[Any, ...]]]:
        """(id, column names, values) per row, in the order written."""
        for names, ids, cols in self.groups:
            yield from zip(ids, itertools.repeat(names, len(ids)), zip(*cols, strict=True), strict=True)


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


# Batches at least this large take the bulk path (statements for many rows at once, journaled
# as row images); smaller ones go through ORM objects like every other operation.
BULK_FROM = 200
_PROBE_COLUMNS = ("last_probe_at", "last_probe_ok", "last_latency_ms", "last_probe_detail")
_LIVE_COLUMNS = ("status", "status_since", "manual_override", *_PROBE_COLUMNS)


@operation(N_("Monitor"), undoable=False)
def apply_monitor_batch(tx: Tx, meeting_id: int, batch: Sequence[Observed]) -> BatchResult:
    """Apply one interval of the monitor's observations in ONE transaction and ONE journal
    entry, marked automatic (never on the clerk's undo stack). Each status change writes a
    status event; a clerk's manual status is left alone (only the probe result is kept)."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    tx.automatic = True
    for o in batch:
        if o.status is not None and o.status not in vocab.ENDPOINT_STATUSES:
            raise OperationRefused(_("status: {status} is not one of {fields}").format(status=repr(o.status), fields=', '.join(vocab.ENDPOINT_STATUSES)))
    record = _journal_recorder(tx) if len(batch) >= BULK_FROM else None
    result = _bulk_batch(tx, meeting_id, batch, record) if record else _orm_batch(tx, meeting_id, batch)
    tx.label = _("Monitor: {applied} status change(s)").format(applied=result.applied)
    return result


def _apply_observation(cur: dict[str, Any], o: Observed) -> tuple[str, datetime] | None:
    """One observation on an endpoint's live columns (a dict or an object's ``__dict__``-like
    view); returns the status event to write, if the status changed."""
    if o.probe:
        cur["last_probe_at"] = o.at
        cur["last_probe_ok"] = o.ok
        cur["last_latency_ms"] = None if o.latency_ms is None else round(o.latency_ms, 1)
        cur["last_probe_detail"] = nfc(o.detail)[:500]
    if o.status is None or cur["manual_override"] or cur["status"] == o.status:
        return None
    at = o.at
    if cur["status_since"] is not None and at < cur["status_since"]:
        at = cur["status_since"]  # times never run backwards within one endpoint's history
    cur["status"] = o.status
    cur["status_since"] = at
    return o.status, at


def _count(batch: Sequence[Observed], rows: dict[int, dict[str, Any]]) -> tuple[int, int, int]:
    held = unchanged = unknown = 0
    state = {i: (r["status"], r["manual_override"]) for i, r in rows.items()}
    for o in batch:
        st = state.get(o.meeting_endpoint_id)
        if st is None:
            unknown += 1
        elif o.status is None:
            continue
        elif st[1]:
            held += 1
        elif st[0] == o.status:
            unchanged += 1
        else:
            state[o.meeting_endpoint_id] = (o.status, st[1])
    return held, unchanged, unknown


def _orm_batch(tx: Tx, meeting_id: int, batch: Sequence[Observed]) -> BatchResult:
    ids = sorted({o.meeting_endpoint_id for o in batch})
    rows: dict[int, m.MeetingEndpoint] = {}
    for chunk in _chunks(ids):
        for me in tx.session.scalars(select(m.MeetingEndpoint).where(
                m.MeetingEndpoint.id.in_(chunk), m.MeetingEndpoint.meeting_id == meeting_id)):
            rows[me.id] = me
    before = {i: {c: getattr(me, c) for c in _LIVE_COLUMNS} for i, me in rows.items()}
    held, unchanged, unknown = _count(batch, before)
    current = {i: dict(v) for i, v in before.items()}
    events: list[m.EndpointStatusEvent] = []
    for o in batch:
        cur = current.get(o.meeting_endpoint_id)
        if cur is None:
            continue
        change = _apply_observation(cur, o)
        if change is not None:
            events.append(m.EndpointStatusEvent(meeting_endpoint_id=o.meeting_endpoint_id, at=change[1],
                                                status=change[0], automatic=True, detail=o.detail[:500]))
    changed: dict[int, dict[str, Any]] = {}
    for i, me in rows.items():
        for c, v in current[i].items():
            if before[i][c] != v or (v is None) != (before[i][c] is None):
                setattr(me, c, v)
                changed.setdefault(i, {})[c] = v
    tx.session.add_all(events)
    return BatchResult(len(events), held, unchanged, unknown, {i: c["status"] for i, c in current.items()},
                       frozenset(i for i, c in current.items() if c["manual_override"]), changed,
                       tuple((e.meeting_endpoint_id, e.at, e.status) for e in events))


def _journal_recorder(tx: Tx) -> Callable[[Any], None] | None:
    """Where the operation's row changes are collected (its ``journal.ChangeCapture``), so
    rows written by bulk statements are journaled as row images exactly as an ORM flush would
    record them (undo, redo and ``verify``'s replay see them). None if it cannot be found: then
    the ORM path runs. A stop-gap until ``Tx`` offers this itself (see the lead's notes)."""
    from meeting_console.core import journal as jr

    for fn in tx.session.dispatch.after_flush:
        owner = getattr(fn, "__self__", None)
        if isinstance(owner, jr.ChangeCapture):
            return owner._add
    return None


def _bulk_batch(tx: Tx, meeting_id: int, batch: Sequence[Observed], record: Callable[[Any], None]) -> BatchResult:
    """The monitor's batch for thousands of endpoints: one read, one UPDATE and one INSERT
    statement per shape of change (executemany), each row change handed to the journal.

    On SQLite the statements go to the driver as they are, with values in their stored form
    computed once per distinct value: SQLAlchemy's per-row parameter processing was most of
    the batch's interpreter time, which the UI thread waits for (the interpreter lock)."""
    s = tx.session
    s.flush()  # nothing of this operation may wait in the ORM behind the statements
    if s.get_bind().dialect.name == "sqlite":
        return _sqlite_batch(tx, meeting_id, batch, record)
    return _statement_batch(tx, meeting_id, batch, record)


def _live_state(batch: Sequence[Observed], before: dict[int, dict[str, Any]]) -> tuple[
        dict[int, dict[str, Any]], list[dict[str, Any]],
        dict[tuple[str, ...], list[tuple[int, dict[str, Any], dict[str, Any]]]]]:
    """The batch applied to the rows read: the new live columns, the status events, and the
    updates grouped by which columns changed (one executemany per group)."""
    current = {i: dict(v) for i, v in before.items()}
    events: list[dict[str, Any]] = []
    for o in batch:
        cur = current.get(o.meeting_endpoint_id)
        if cur is None:
            continue
        change = _apply_observation(cur, o)
        if change is not None:
            events.append({"meeting_endpoint_id": o.meeting_endpoint_id, "at": change[1], "status": change[0],
                           "automatic": True, "detail": o.detail[:500]})
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any], dict[str, Any]]]] = {}
    for i, cur in current.items():
        old = before[i]
        cols = tuple(c for c in _LIVE_COLUMNS if cur[c] != old[c] or (cur[c] is None) != (old[c] is None))
        if cols:
            groups.setdefault(cols, []).append((i, {c: old[c] for c in cols}, {c: cur[c] for c in cols}))
    return current, events, groups


def _batch_result(batch: Sequence[Observed], before: dict[int, dict[str, Any]], current: dict[int, dict[str, Any]],
                  events: list[dict[str, Any]],
                  groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any], dict[str, Any]]]]) -> BatchResult:
    held, unchanged, unknown = _count(batch, before)
    changed = {i: after for _cols, group in groups.items() for i, _b, after in group}
    return BatchResult(len(events), held, unchanged, unknown, {i: c["status"] for i, c in current.items()},
                       frozenset(i for i, c in current.items() if c["manual_override"]), changed,
                       tuple((e["meeting_endpoint_id"], e["at"], e["status"]) for e in events))


def _statement_batch(tx: Tx, meeting_id: int, batch: Sequence[Observed], record: Callable[[Any], None]) -> BatchResult:
    """The bulk path through SQLAlchemy Core statements (PostgreSQL)."""
    s = tx.session
    T = m.MeetingEndpoint.__table__
    E = m.EndpointStatusEvent.__table__
    ids = sorted({o.meeting_endpoint_id for o in batch})
    before: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        q = select(T.c.id, *(T.c[c] for c in _LIVE_COLUMNS)).where(T.c.id.in_(chunk), T.c.meeting_id == meeting_id)
        for r in s.execute(q):
            d = dict(r._mapping)
            before[d.pop("id")] = d
    current, events, groups = _live_state(batch, before)
    for cols, changes in groups.items():
        stmt = update(T).where(T.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in cols})
        s.execute(stmt, [{"b_id": i, **{f"b_{c}": v for c, v in after.items()}} for i, _b, after in changes])
        for i, b, after in changes:
            record(RowChange("meeting_endpoint", i, "u", b, after))
    if events:
        new_ids = s.execute(insert(E).returning(E.c.id, sort_by_parameter_order=True), events).scalars().all()
        for eid, ev in zip(new_ids, events, strict=True):
            ev["id"] = eid
        for ev in events:
            record(RowChange("endpoint_status_event", ev["id"], "i", after=dict(ev)))
    return _batch_result(batch, before, current, events, groups)


_TIME_KEYS = ("status_since", "last_probe_at", "at")  # the datetimes of the rows the batch writes


class _Values:
    """Per-batch caches of a value's stored form and journal (JSON) form, computed once per
    distinct value: a feed poll's observations share one time."""

    def __init__(self, dialect: Any) -> None:
        # the dialect's own form of the column type: its processors include the driver's
        dt = m.MeetingEndpoint.__table__.c.status_since.type.dialect_impl(dialect)
        self._bind = dt.bind_processor(dialect) or (lambda v: v)
        self._result = dt.result_processor(dialect, None) or (lambda v: v)
        self._stored: dict[Any, Any] = {}
        self._loaded: dict[Any, Any] = {}
        self._iso: dict[Any, str] = {}

    def stored(self, v: Any) -> Any:
        """A value as the driver takes it (what SQLAlchemy's bind processing would give)."""
        if type(v) is datetime:
            out = self._stored.get(v)
            if out is None:
                out = self._stored[v] = self._bind(v)
            return out
        if type(v) is bool:
            return int(v)
        return v

    def loaded(self, raw: Any) -> Any:
        """A stored time as the ORM reads it."""
        if raw is None:
            return None
        out = self._loaded.get(raw)
        if out is None:
            out = self._loaded[raw] = self._result(raw)
        return out

    def json(self, values: dict[str, Any]) -> dict[str, Any]:
        """Values as ``RowChange.to_json`` writes them. Only the time columns can hold a
        datetime: a copy with those replaced (thousands of rows a batch, in the writer)."""
        out = dict(values)
        iso = self._iso
        for k in _TIME_KEYS:
            v = out.get(k)
            if v is not None and type(v) is datetime:
                t = iso.get(v)
                if t is None:
                    t = iso[v] = v.isoformat()
                out[k] = t
        return out


class _EncodedChange(RowChange):
    """A row change whose journal form was computed with the batch's caches. The bulk path
    writes each row once per operation, so the capture never merges two changes of one row
    (which would change ``before``/``after``); if it did, the form is computed anew."""

    def encoded(self, form: dict[str, Any]) -> _EncodedChange:
        self._form = form
        self._sizes = (len(self.before), len(self.after))
        return self

    def to_json(self) -> dict[str, Any]:
        if getattr(self, "_sizes", None) == (len(self.before), len(self.after)):
            return self._form
        return super().to_json()


def _sqlite_batch(tx: Tx, meeting_id: int, batch: Sequence[Observed], record: Callable[[Any], None]) -> BatchResult:
    conn = tx.session.connection()
    val = _Values(conn.dialect)
    ids = sorted({o.meeting_endpoint_id for o in batch})
    before: dict[int, dict[str, Any]] = {}
    cols_sql = ", ".join(_LIVE_COLUMNS)
    loaded = val.loaded
    for chunk in _chunks(ids):
        q = (f"SELECT id, {cols_sql} FROM meeting_endpoint WHERE meeting_id = ? "
             f"AND id IN ({', '.join('?' * len(chunk))})")
        for (i, status, since, manual, probe_at, probe_ok, latency, detail) in conn.exec_driver_sql(
                q, (meeting_id, *chunk)):
            before[i] = {"status": status, "status_since": loaded(since), "manual_override": bool(manual),
                         "last_probe_at": loaded(probe_at),
                         "last_probe_ok": None if probe_ok is None else bool(probe_ok),
                         "last_latency_ms": latency, "last_probe_detail": detail}
    current, events, groups = _live_state(batch, before)
    cursor = conn.connection.driver_connection.cursor()  # the operation's own transaction
    stored, json = val.stored, val.json
    try:
        for cols, changes in groups.items():
            sql = f"UPDATE meeting_endpoint SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
            cursor.executemany(sql, [(*(stored(after[c]) for c in cols), i) for i, _b, after in changes])
            for i, b, after in changes:
                record(_EncodedChange("meeting_endpoint", i, "u", b, after).encoded(
                    {"t": "meeting_endpoint", "id": i, "op": "u", "b": json(b), "a": json(after)}))
        if events:
            # writers hold SQLite's write lock from BEGIN (IMMEDIATE): the next ids are ours
            top = cursor.execute("SELECT coalesce(max(id), 0) FROM endpoint_status_event").fetchone()[0]
            for k, ev in enumerate(events, start=top + 1):
                ev["id"] = k
            cursor.executemany(
                "INSERT INTO endpoint_status_event (meeting_endpoint_id, at, status, automatic, detail, id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(ev["meeting_endpoint_id"], stored(ev["at"]), ev["status"], 1, ev["detail"], ev["id"])
                 for ev in events])
            for ev in events:
                after = dict(ev)
                record(_EncodedChange("endpoint_status_event", ev["id"], "i", after=after).encoded(
                    {"t": "endpoint_status_event", "id": ev["id"], "op": "i", "a": json(after)}))
    finally:
        cursor.close()
    return _batch_result(batch, before, current, events, groups)


# --- many endpoints at once -----------------------------------------------------------------


class Listing(_Bulk):
    """A long list of endpoint specs (dicts) for ``add_endpoints``."""

    def __str__(self) -> str:
        return f"{len(self)} endpoint(s)"


@operation(N_("Add endpoints"))
def add_endpoints(tx: Tx, meeting_id: int, specs: Sequence[dict[str, Any]]) -> int:
    """Add many bridge points to a meeting in one step (a national list: tens of thousands).

    Each spec holds directory fields (name, kind, code, address, host_name) and participation
    fields (expected_delegates, host, monitored, note …). A name already in the directory is
    reused. Refused as a whole, naming the entry, when one entry is bad. Returns the count."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    s = tx.session
    directory: list[dict[str, Any]] = []
    participation: list[dict[str, Any]] = []
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for n, spec in enumerate(specs, start=1):
        d = {k: v for k, v in spec.items() if k in DIRECTORY_FIELDS}
        p = {k: v for k, v in spec.items() if k not in DIRECTORY_FIELDS}
        try:
            d = ed.checked(d, DIRECTORY_FIELDS, "endpoint")
            p = ed.checked(p, PARTICIPATION_FIELDS, "endpoint")
        except OperationRefused as exc:
            raise OperationRefused(_("entry {n}: {exc}").format(n=n, exc=exc)) from None
        if "name" not in d:
            raise OperationRefused(_("entry {n}: name: must not be empty").format(n=n))
        if d["name"] in names:
            raise OperationRefused(_("entry {n}: name: {d} is listed twice (entry {names})").format(n=n, d=repr(d['name']), names=names[d['name']]))
        names[d["name"]] = n
        if d.get("code"):
            if d["code"] in codes:
                raise OperationRefused(_("entry {n}: code: {d} is listed twice (entry {codes})").format(n=n, d=repr(d['code']), codes=codes[d['code']]))
            codes[d["code"]] = n
        directory.append(d)
        participation.append(p)
    existing: dict[str, m.Endpoint] = {}
    for chunk in _chunks(list(names)):
        for ep in s.scalars(select(m.Endpoint).where(m.Endpoint.name.in_(chunk))):
            existing[ep.name] = ep
    for chunk in _chunks(list(codes)):
        for ep in s.scalars(select(m.Endpoint).where(m.Endpoint.code.in_(chunk))):
            n = codes[ep.code or ""]
            if ep.name != directory[n - 1]["name"]:
                raise OperationRefused(_("entry {n}: code: {code} belongs to {name}").format(n=n, code=repr(ep.code), name=repr(ep.name)))
    taken = {eid for (eid,) in s.execute(select(m.MeetingEndpoint.endpoint_id).where(
        m.MeetingEndpoint.meeting_id == meeting_id))}
    new_eps = [m.Endpoint(**d) for d in directory if d["name"] not in existing]
    s.add_all(new_eps)
    s.flush()
    by_name = {**existing, **{ep.name: ep for ep in new_eps}}
    pos = s.execute(select(func.coalesce(func.max(m.MeetingEndpoint.position), 0)).where(
        m.MeetingEndpoint.meeting_id == meeting_id)).scalar_one()
    rows = []
    for n, (d, p) in enumerate(zip(directory, participation, strict=True), start=1):
        ep = by_name[d["name"]]
        if ep.id in taken:
            raise OperationRefused(_("entry {n}: {name} takes part in this meeting already").format(n=n, name=ep.name))
        pos += 1
        values = {"host": ep.host_name, "status": "not_connected", "manual_override": False,
                  "monitored": False, "expected_delegates": 0, "note": "", "last_probe_detail": ""}
        values.update(p)
        rows.append(m.MeetingEndpoint(meeting_id=meeting_id, endpoint_id=ep.id, position=pos, **values))
    s.add_all(rows)
    tx.label = _("Add {n} endpoint(s)").format(n=len(rows))
    return len(rows)


# --- reads for the panel and the monitor ---------------------------------------------------

_ENDPOINT_COLUMNS = {"name": m.Endpoint.name, "kind": m.Endpoint.kind, "code": m.Endpoint.code,
                     "address": m.Endpoint.address}
_INFO_COLUMNS = [
    _ENDPOINT_COLUMNS.get(f, getattr(m.MeetingEndpoint, f, None))
    for f in MeetingEndpointInfo.__dataclass_fields__
]


def rows(core: Core, meeting_id: int, ids: Iterable[int] | None = None) -> tuple[MeetingEndpointInfo, ...]:
    """The meeting's endpoints in panel order, read column-wise (fast for 50,000 rows); only
    those of ``ids`` when given (ids that are gone are simply absent)."""
    q = (select(*_INFO_COLUMNS)
         .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
         .where(m.MeetingEndpoint.meeting_id == meeting_id)
         .order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id))
    with core.reading() as s:
        if ids is None:
            return tuple(MeetingEndpointInfo(*r) for r in s.execute(q))
        out: list[MeetingEndpointInfo] = []
        for chunk in _chunks(sorted(set(ids))):
            out.extend(MeetingEndpointInfo(*r) for r in s.execute(q.where(m.MeetingEndpoint.id.in_(chunk))))
        return tuple(out)


@dataclass(frozen=True)
class MonitorTarget:
    id: int  # meeting endpoint id
    name: str
    code: str | None
    address: str
    status: str
    manual_override: bool


@dataclass(frozen=True)
class MonitorSetup:
    """What the monitor needs of a meeting: its settings and the monitored endpoints."""

    meeting_id: int
    interval_s: int
    timeout_s: int
    fail_threshold: int
    recover_threshold: int
    feed_url: str
    targets: tuple[MonitorTarget, ...]


def monitor_setup(core: Core, meeting_id: int) -> MonitorSetup:
    with core.reading() as s:
        mt = s.get(m.Meeting, meeting_id)
        if mt is None:
            raise NotFound(_("unknown meeting id {meeting_id}").format(meeting_id=meeting_id))
        q = (select(m.MeetingEndpoint.id, m.Endpoint.name, m.Endpoint.code, m.Endpoint.address,
                    m.MeetingEndpoint.status, m.MeetingEndpoint.manual_override)
             .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
             .where(m.MeetingEndpoint.meeting_id == meeting_id, m.MeetingEndpoint.monitored.is_(True))
             .order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id))
        targets = tuple(MonitorTarget(*r) for r in s.execute(q))
        return MonitorSetup(meeting_id, mt.probe_interval_s, mt.probe_timeout_s, mt.probe_fail_threshold,
                            mt.probe_recover_threshold, mt.status_feed_url, targets)
