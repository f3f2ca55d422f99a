"""The award catalogue: legal precedence, seeding, user types placed in the order, undo."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from meeting_console.core import catalogue as cat
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.errors import ImportRefused, NotFound, OperationRefused
from meeting_console.store import models as m

PHU_NU = "Kỷ niệm chương \u201cVì sự phát triển phụ nữ Việt Nam\u201d"

LEGAL_ORDER = [
    "Huân chương Sao vàng",
    "Huân chương Hồ Chí Minh",
    "Huân chương Độc lập hạng Nhất",
    "Huân chương Độc lập hạng Nhì",
    "Huân chương Độc lập hạng Ba",
    "Huân chương Quân công hạng Nhất",
    "Huân chương Quân công hạng Nhì",
    "Huân chương Quân công hạng Ba",
    "Huân chương Lao động hạng Nhất",
    "Huân chương Lao động hạng Nhì",
    "Huân chương Lao động hạng Ba",
    "Huân chương Bảo vệ Tổ quốc hạng Nhất",
    "Huân chương Bảo vệ Tổ quốc hạng Nhì",
    "Huân chương Bảo vệ Tổ quốc hạng Ba",
    "Huân chương Chiến công hạng Nhất",
    "Huân chương Chiến công hạng Nhì",
    "Huân chương Chiến công hạng Ba",
    "Huân chương Đại đoàn kết dân tộc",
    "Huân chương Dũng cảm",
    "Huân chương Hữu nghị",
    "Huy chương Quân kỳ quyết thắng",
    "Huy chương Vì an ninh Tổ quốc",
    "Huy chương Chiến sĩ vẻ vang hạng Nhất",
    "Huy chương Chiến sĩ vẻ vang hạng Nhì",
    "Huy chương Chiến sĩ vẻ vang hạng Ba",
    "Huy chương Hữu nghị",
    "Anh hùng Lao động",
    "Giải thưởng Hồ Chí Minh",
    "Giải thưởng Nhà nước",
    "Bằng khen của Thủ tướng Chính phủ",
    "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
    PHU_NU,
    "Giấy khen",
]


@pytest.fixture
def core(tmp_path: Path):
    c = Core.open(str(tmp_path / "t.db"), clock=FakeClock(datetime(2022, 1, 14, 1, 0, tzinfo=UTC)))
    yield c
    c.close()


@pytest.fixture
def seeded(core: Core) -> Core:
    cat.seed_catalogue(core)
    return core


def by_name(core: Core) -> dict[str, cat.AwardTypeInfo]:
    return {t.name: t for t in cat.award_types(core)}


def names(core: Core) -> list[str]:
    return [t.name for t in cat.award_types(core)]


def write(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --- the shipped file ---------------------------------------------------------------------


def test_shipped_catalogue_is_clean_and_in_legal_order() -> None:
    entries = cat.load_catalogue()
    assert len(entries) >= 60
    listed = [e.name for e in entries]
    assert len(set(listed)) == len(listed)
    for e in entries:
        for text in (e.name, e.authority):
            assert unicodedata.is_normalized("NFC", text)
        assert e.authority, e.name
    positions = [listed.index(n) for n in LEGAL_ORDER]
    assert positions == sorted(positions)
    assert entries[0].name == "Huân chương Sao vàng"
    # the orders are exactly those of Điều 33, first and in its order
    assert [e.name for e in entries if e.category == "order"] == LEGAL_ORDER[:20]
    assert all(e.category == "order" for e in entries[:20])


def test_shipped_catalogue_has_the_state_titles() -> None:
    titles = {e.name for e in cat.load_catalogue() if e.category == "title"}
    for t in (
        "Bà mẹ Việt Nam anh hùng",
        "Anh hùng Lực lượng vũ trang nhân dân",
        "Anh hùng Lao động",
        "Nhà giáo nhân dân",
        "Nhà giáo ưu tú",
        "Thầy thuốc nhân dân",
        "Thầy thuốc ưu tú",
        "Nghệ sĩ nhân dân",
        "Nghệ sĩ ưu tú",
        "Nghệ nhân nhân dân",
        "Nghệ nhân ưu tú",
        "Chiến sĩ thi đua toàn quốc",
        "Chiến sĩ thi đua cấp tỉnh",
        "Lao động tiên tiến",
        "Chiến sĩ thi đua cơ sở",
    ):
        assert t in titles


# --- seeding ------------------------------------------------------------------------------


def test_seed_gives_builtin_types_in_legal_order(core: Core) -> None:
    changes = cat.seed_catalogue(core)
    entries = cat.load_catalogue()
    assert changes.result == len(entries)
    assert "catalogue" in changes
    types = cat.award_types(core)
    assert [t.name for t in types] == [e.name for e in entries]
    assert [t.precedence for t in types] == [10 * (i + 1) for i in range(len(entries))]
    assert all(t.builtin for t in types)
    prec = by_name(core)
    ranks = [prec[n].precedence for n in LEGAL_ORDER]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


def test_seed_article_awards_have_their_authorities(seeded: Core) -> None:
    types = by_name(seeded)
    expected = {
        "Huân chương Hồ Chí Minh": ("order", "Chủ tịch nước", "president"),
        "Huân chương Lao động hạng Ba": ("order", "Chủ tịch nước", "president"),
        "Bằng khen của Thủ tướng Chính phủ": (
            "certificate",
            "Thủ tướng Chính phủ",
            "prime_minister",
        ),
        PHU_NU: ("commemorative", "Trung ương Hội Liên hiệp Phụ nữ Việt Nam", "central"),
    }
    for name, (category, authority, kind) in expected.items():
        t = types[name]
        assert (t.category, t.authority, t.authority_kind) == (category, authority, kind)
    assert "\u201c" in PHU_NU and "\u201d" in PHU_NU
    assert types["Cờ thi đua của Ủy ban nhân dân tỉnh"].authority == "Chủ tịch Ủy ban nhân dân tỉnh"
    assert types["Giấy khen"].authority_kind == "local"


def test_seed_is_idempotent_and_leaves_rows_alone(seeded: Core) -> None:
    user = cat.add_award_type(
        seeded,
        "Bằng khen của Ban Thường vụ Tỉnh ủy",
        authority="Ban Thường vụ Tỉnh ủy",
        authority_kind="province",
    ).result
    hcm = by_name(seeded)["Huân chương Hồ Chí Minh"].id
    cat.update_award_type(seeded, hcm, authority="Chủ tịch nước CHXHCN Việt Nam")
    before = cat.award_types(seeded)
    top = seeded.high_water()

    again = cat.seed_catalogue(seeded)

    assert not again.any and again.result == 0 and again.journal_id is None
    assert seeded.high_water() == top
    assert cat.award_types(seeded) == before
    assert by_name(seeded)["Bằng khen của Ban Thường vụ Tỉnh ủy"].id == user


def test_seed_adds_only_what_is_missing(core: Core, tmp_path: Path) -> None:
    small = write(
        tmp_path,
        (
            '- {name: "Huân chương Hồ Chí Minh", category: order, authority: "Chủ tịch nước",'
            " authority_kind: president}\n"
            "- {name: Giấy khen, category: certificate, authority: Giám đốc Sở, authority_kind: local}\n"
        ),
    )
    assert cat.seed_catalogue(core, small).result == 2
    assert by_name(core)["Giấy khen"].authority == "Giám đốc Sở"

    added = cat.seed_catalogue(core).result

    assert added == len(cat.load_catalogue()) - 2
    types = by_name(core)
    assert types["Giấy khen"].authority == "Giám đốc Sở"  # the existing row is left alone
    assert types["Huân chương Sao vàng"].precedence == 10


def test_seed_is_not_undoable(seeded: Core) -> None:
    assert not seeded.undo_status(None).can_undo
    with pytest.raises(OperationRefused):
        seeded.undo(None)


def test_seed_refuses_a_bad_file_and_changes_nothing(core: Core, tmp_path: Path) -> None:
    bad = write(tmp_path, "- name: Giấy khen\n  category: medalion\n")
    with pytest.raises(ImportRefused):
        cat.seed_catalogue(core, bad)
    assert cat.award_types(core) == []
    assert core.high_water() == 0


# --- user types ---------------------------------------------------------------------------


def test_add_between_two_types(seeded: Core) -> None:
    t = by_name(seeded)
    decomposed = unicodedata.normalize("NFD", "Huy hiệu Đảng")
    changes = cat.add_award_type(
        seeded,
        decomposed,
        category="commemorative",
        authority="  Ban Thường vụ  Tỉnh ủy ",
        authority_kind="province",
        after_id=t["Huân chương Hồ Chí Minh"].id,
        before_id=t["Huân chương Độc lập hạng Nhất"].id,
    )
    new_id = changes.result
    assert isinstance(new_id, int)
    assert "catalogue" in changes and changes.meeting_id is None
    assert changes.rows["award_type"] == frozenset({new_id})  # no renumbering needed
    info = by_name(seeded)["Huy hiệu Đảng"]
    assert info.id == new_id and info.precedence == 25 and not info.builtin
    assert info.authority == "Ban Thường vụ Tỉnh ủy"
    assert names(seeded)[:3] == ["Huân chương Sao vàng", "Huân chương Hồ Chí Minh", "Huy hiệu Đảng"]


def test_add_at_the_end_and_at_the_top(seeded: Core) -> None:
    last = cat.add_award_type(seeded, "Giấy khen của Giám đốc Sở").result
    assert names(seeded)[-1] == "Giấy khen của Giám đốc Sở"
    top = by_name(seeded)["Huân chương Sao vàng"].id
    first = cat.add_award_type(seeded, "Giải đặc biệt", before_id=top).result
    types = cat.award_types(seeded)
    assert types[0].id == first and types[0].precedence == 5
    assert types[-1].id == last and types[-1].precedence == types[-2].precedence + 10


def test_add_renumbers_when_there_is_no_gap(seeded: Core) -> None:
    t = by_name(seeded)
    hcm, dl1 = t["Huân chương Hồ Chí Minh"].id, t["Huân chương Độc lập hạng Nhất"].id
    a = cat.add_award_type(seeded, "A", after_id=hcm).result  # 25
    b = cat.add_award_type(seeded, "B", after_id=a).result  # 27
    c = cat.add_award_type(seeded, "C", after_id=a).result  # 26
    assert [by_name(seeded)[n].precedence for n in "ACB"] == [25, 26, 27]
    before = cat.award_types(seeded)

    changes = cat.add_award_type(seeded, "D", after_id=c, before_id=b)

    types = cat.award_types(seeded)
    assert [x.precedence for x in types] == [10 * (i + 1) for i in range(len(types))]
    assert [x.name for x in types][:7] == [
        "Huân chương Sao vàng",
        "Huân chương Hồ Chí Minh",
        "A",
        "C",
        "D",
        "B",
        "Huân chương Độc lập hạng Nhất",
    ]
    assert by_name(seeded)["Huân chương Độc lập hạng Nhất"].id == dl1
    assert len(changes.rows["award_type"]) > 30  # the renumbering is journaled row by row

    seeded.undo(None)
    assert cat.award_types(seeded) == before
    seeded.redo(None)
    assert [x.name for x in cat.award_types(seeded)] == [x.name for x in types]
    assert cat.award_types(seeded) == types


def test_add_refusals(seeded: Core) -> None:
    t = by_name(seeded)
    with pytest.raises(OperationRefused, match="already"):
        cat.add_award_type(seeded, unicodedata.normalize("NFD", "Giấy khen"))
    with pytest.raises(OperationRefused, match="category"):
        cat.add_award_type(seeded, "X", category="badge")
    with pytest.raises(OperationRefused, match="authority kind"):
        cat.add_award_type(seeded, "X", authority_kind="ministry")
    with pytest.raises(OperationRefused, match="empty"):
        cat.add_award_type(seeded, "   ")
    with pytest.raises(OperationRefused, match="next to each other"):
        cat.add_award_type(
            seeded, "X", after_id=t["Huân chương Sao vàng"].id, before_id=t["Giấy khen"].id
        )
    with pytest.raises(NotFound):
        cat.add_award_type(seeded, "X", before_id=99999)
    assert "X" not in by_name(seeded)


def test_undo_redo_of_add(seeded: Core) -> None:
    hcm = by_name(seeded)["Huân chương Hồ Chí Minh"].id
    new_id = cat.add_award_type(seeded, "Huy hiệu 50 năm tuổi Đảng", after_id=hcm).result
    status = seeded.undo_status(None)
    assert status.undo_label == "Add award type" and not status.can_redo

    undone = seeded.undo(None)
    assert "catalogue" in undone
    assert "Huy hiệu 50 năm tuổi Đảng" not in by_name(seeded)
    assert seeded.undo_status(None).redo_label == "Add award type"
    assert not seeded.undo_status(None).can_undo  # the seed before it is not undoable

    seeded.redo(None)
    info = by_name(seeded)["Huy hiệu 50 năm tuổi Đảng"]
    assert info.id == new_id and info.precedence == 25


# --- edit, move, remove -------------------------------------------------------------------


def test_update(seeded: Core) -> None:
    new_id = cat.add_award_type(seeded, "Bằng khen của Bộ trưởng").result
    cat.update_award_type(
        seeded,
        new_id,
        name="Bằng khen của Bộ trưởng Bộ Nội vụ",
        authority="Bộ trưởng Bộ Nội vụ",
        authority_kind="central",
        category="certificate",
    )
    info = by_name(seeded)["Bằng khen của Bộ trưởng Bộ Nội vụ"]
    assert (info.id, info.authority, info.authority_kind, info.category) == (
        new_id,
        "Bộ trưởng Bộ Nội vụ",
        "central",
        "certificate",
    )
    assert not cat.update_award_type(seeded, new_id, category="certificate").any

    hcm = by_name(seeded)["Huân chương Hồ Chí Minh"].id
    with pytest.raises(OperationRefused, match="legal catalogue"):
        cat.update_award_type(seeded, hcm, name="Huân chương HCM")
    with pytest.raises(OperationRefused, match="move_award_type"):
        cat.update_award_type(seeded, hcm, precedence=1)
    with pytest.raises(OperationRefused, match="already"):
        cat.update_award_type(seeded, new_id, name="Giấy khen")
    cat.update_award_type(seeded, hcm, authority="Chủ tịch nước CHXHCN Việt Nam")
    assert by_name(seeded)["Huân chương Hồ Chí Minh"].authority == "Chủ tịch nước CHXHCN Việt Nam"


def test_move(seeded: Core) -> None:
    t = by_name(seeded)
    new_id = cat.add_award_type(
        seeded, "Huy hiệu Đảng", after_id=t["Huân chương Sao vàng"].id
    ).result
    assert names(seeded)[1] == "Huy hiệu Đảng"

    cat.move_award_type(seeded, new_id, after_id=t["Giấy khen"].id)
    assert names(seeded)[-1] == "Huy hiệu Đảng"

    cat.move_award_type(seeded, new_id, before_id=t[PHU_NU].id)
    order = names(seeded)
    assert order.index("Huy hiệu Đảng") + 1 == order.index(PHU_NU)

    # a built-in type can be moved too (the secretariat's custom)
    cat.move_award_type(
        seeded,
        t["Bằng khen của Thủ tướng Chính phủ"].id,
        before_id=t["Cờ thi đua của Chính phủ"].id,
    )
    order = names(seeded)
    assert order.index("Bằng khen của Thủ tướng Chính phủ") + 1 == order.index(
        "Cờ thi đua của Chính phủ"
    )

    top = seeded.high_water()
    assert not cat.move_award_type(seeded, new_id, before_id=t[PHU_NU].id).any
    assert seeded.high_water() == top
    with pytest.raises(OperationRefused):
        cat.move_award_type(seeded, new_id)
    with pytest.raises(OperationRefused, match="itself"):
        cat.move_award_type(seeded, new_id, after_id=new_id)

    seeded.undo(None)
    order = names(seeded)
    assert order.index("Cờ thi đua của Chính phủ") < order.index(
        "Bằng khen của Thủ tướng Chính phủ"
    )


def test_move_renumbers_when_there_is_no_gap(seeded: Core) -> None:
    t = by_name(seeded)
    sao, hcm = t["Huân chương Sao vàng"].id, t["Huân chương Hồ Chí Minh"].id
    ids = [cat.add_award_type(seeded, n, after_id=sao).result for n in ("P", "Q", "R", "S")]
    # each went right after Sao vàng: 15, 12, 11, then no gap → renumbered
    assert names(seeded)[:6] == [
        "Huân chương Sao vàng",
        "S",
        "R",
        "Q",
        "P",
        "Huân chương Hồ Chí Minh",
    ]
    cat.move_award_type(seeded, ids[0], before_id=ids[3])  # P to the front of the new ones
    cat.move_award_type(seeded, ids[1], after_id=hcm)
    types = cat.award_types(seeded)
    assert [x.name for x in types][:6] == [
        "Huân chương Sao vàng",
        "P",
        "S",
        "R",
        "Huân chương Hồ Chí Minh",
        "Q",
    ]
    precs = [x.precedence for x in types]
    assert precs == sorted(precs) and len(set(precs)) == len(precs)


def test_remove(seeded: Core) -> None:
    t = by_name(seeded)
    with pytest.raises(OperationRefused, match="legal catalogue"):
        cat.remove_award_type(seeded, t["Giấy khen"].id)

    used = cat.add_award_type(seeded, "Bằng khen của Ban Thường vụ Tỉnh ủy").result
    spare = cat.add_award_type(seeded, "Giấy khen của Đảng ủy").result
    with seeded.db.sessions.begin() as s:
        meeting = m.Meeting(
            title="Hội nghị",
            date=date(2022, 1, 14),
            created_at=datetime(2022, 1, 14, 1, 0, tzinfo=UTC),
        )
        s.add(meeting)
        s.flush()
        person = m.Person(meeting_id=meeting.id, full_name="Âu Thị Mai")
        s.add(person)
        s.flush()
        s.add(
            m.AwardGrant(meeting_id=meeting.id, award_type_id=used, recipient_person_id=person.id)
        )
    with pytest.raises(OperationRefused, match="1 award"):
        cat.remove_award_type(seeded, used)

    changes = cat.remove_award_type(seeded, spare)
    assert "catalogue" in changes
    assert "Giấy khen của Đảng ủy" not in by_name(seeded)
    with pytest.raises(NotFound):
        cat.remove_award_type(seeded, spare)
    seeded.undo(None)
    assert by_name(seeded)["Giấy khen của Đảng ủy"].id == spare


# --- bad catalogue files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (
            "- {name: Giấy khen, category: certificate}\n"
            "- {name: Lao động tiên tiến, category: title}\n"
            f"- {{name: {unicodedata.normalize('NFD', 'Giấy khen')}, category: certificate}}\n",
            "name",
            "twice",
        ),
        ("- {name: Giấy khen, category: diploma}\n", "category", "unknown category"),
        ("- {name: Giấy khen, authority_kind: ministry}\n", "authority_kind", "authority kind"),
        ("- {name: Giấy khen, precedence: 3}\n", "precedence", "unknown key"),
        ("- {category: order}\n", "name", "empty"),
        ("- {name: [a, b]}\n", "name", "expected text"),
    ],
)
def test_bad_entries_are_refused_naming_the_file(
    tmp_path: Path, text: str, field: str, words: str
) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ImportRefused) as err:
        cat.load_catalogue(p)
    assert err.value.file == str(p)
    assert err.value.field == field
    assert str(p) in str(err.value) and words in str(err.value)
    assert err.value.line is not None


def test_duplicate_names_give_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "# two\n- name: A\n- name: B\n- name: A\n")
    with pytest.raises(ImportRefused) as err:
        cat.load_catalogue(p)
    assert err.value.line == 4
    assert f"{p}:4 (name)" in str(err.value)


@pytest.mark.parametrize(
    "text",
    ["- name: [unclosed\n  category: order\n", "name: Giấy khen\n", "just words\n", ""],
)
def test_files_that_are_not_a_yaml_list_are_refused(tmp_path: Path, text: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ImportRefused) as err:
        cat.load_catalogue(p)
    assert err.value.file == str(p)
    assert str(p) in str(err.value)


def test_not_yaml_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "- name: A\n- name: [B\n- name: C\n")
    with pytest.raises(ImportRefused, match="not valid YAML") as err:
        cat.load_catalogue(p)
    assert err.value.file == str(p) and err.value.line is not None


def test_missing_and_binary_files(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(ImportRefused, match="no such file") as err:
        cat.load_catalogue(missing)
    assert err.value.file == str(missing)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(ImportRefused) as err:
        cat.load_catalogue(binary)
    assert err.value.file == str(binary)


def test_loaded_text_is_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "- name: Huân chương Dũng cảm\n  authority: Chủ tịch nước\n")
    entries = cat.load_catalogue(write(tmp_path, nfd))
    assert entries == [
        cat.CatalogueEntry("Huân chương Dũng cảm", "other", "Chủ tịch nước", "other")
    ]
