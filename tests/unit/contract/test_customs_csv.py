"""Reading the customs declarations and mirror statistics CSV files: column variants, and bad
rows named by line and column, with nothing read from a file that has one."""

from datetime import date

import pytest

from factory import make_uscc
from reetrace.contract.customs_csv import read_declarations, read_mirror_statistics
from reetrace.domain.customs import DeclarationItem
from reetrace.errors import InvalidInput

EXPORTER = make_uscc(3)
HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _row(
    number="CD-1",
    day="2026-03-05",
    exporter=EXPORTER,
    hs="8505111000",
    kg="300",
    dest="DE",
    license_no="RE-2026-000123",
    lots="MAG-1;MAG-2",
) -> str:
    return ",".join([number, day, exporter, hs, kg, dest, license_no, lots])


def test_a_good_file():
    rows = read_declarations(_csv(_row(), _row("CD-2", lots="MAG-3 MAG-4", license_no="", dest="us")), "d.csv")
    assert [lines for lines, _ in rows] == [(2,), (3,)]
    first, second = rows[0][1], rows[1][1]
    assert (first.declaration_no, first.day, first.exporter, first.destination, first.license_no) == (
        "CD-1",
        date(2026, 3, 5),
        EXPORTER,
        "DE",
        "RE-2026-000123",
    )
    assert first.items == (DeclarationItem("8505111000", 300.0, ("MAG-1", "MAG-2")),)
    assert (second.license_no, second.lots, second.destination) == (None, ("MAG-3", "MAG-4"), "US")


def test_the_rows_of_one_number_are_the_items_of_one_declaration():
    text = _csv(
        _row(lots="MAG-1"),
        _row("CD-2", hs="2846901500", kg="20", lots="DYO-1"),
        _row(hs="2846901300", kg="18.5", lots="NDO-1;NDO-2"),
        _row(hs="8505119000", kg="4", lots=""),
    )
    rows = read_declarations(text, "d.csv")
    assert [(lines, d.declaration_no, len(d.items)) for lines, d in rows] == [((2, 4, 5), "CD-1", 3), ((3,), "CD-2", 1)]
    declaration = rows[0][1]
    assert [(n, item.hs_code, item.net_kg, item.lots) for n, item in declaration.numbered()] == [
        (1, "8505111000", 300.0, ("MAG-1",)),
        (2, "2846901300", 18.5, ("NDO-1", "NDO-2")),
        (3, "8505119000", 4.0, ()),
    ]
    assert declaration.net_kg == 322.5 and declaration.lots == ("MAG-1", "NDO-1", "NDO-2")
    assert [item.hs6 for item in declaration.items] == ["850511", "284690", "850511"]


def test_column_name_variants_and_delimiters():
    header = (
        "Declaration Number;Declaration-Date;Exporter USCC;HS10;Net Weight KG;Destination Country;Licence No;Lot IDs"
    )
    text = "\ufeff" + _csv(_row().replace(",", ";").replace("MAG-1;MAG-2", "MAG-1"), header=header)
    ((_, declaration),) = read_declarations(text, "d.csv")
    assert declaration.lots == ("MAG-1",) and declaration.net_kg == 300.0
    # license and lots columns may be left out; HS codes may be written with dots
    text = _csv(
        f"CD-1,2026-03-05,{EXPORTER},8505.11.10.00,12.5,DE",
        header="declaration_no,date,exporter,hs_code,net_kg,destination",
    )
    ((_, declaration),) = read_declarations(text, "d.csv")
    (item,) = declaration.items
    assert (item.hs_code, declaration.license_no, item.lots) == ("8505111000", None, ())


@pytest.mark.parametrize(
    ("row", "line_and_column"),
    [
        (_row(hs="85051110"), "line 3, column hs_code"),
        (_row(hs="850511100012"), "line 3, column hs_code"),
        (_row(exporter=EXPORTER[:-1] + ("0" if EXPORTER[-1] != "0" else "1")), "line 3, column exporter"),
        (_row(day="2026-02-30"), "line 3, column date"),
        (_row(day="05/03/2026"), "line 3, column date"),
        (_row(kg="-5"), "line 3, column net_kg"),
        (_row(kg="lots"), "line 3, column net_kg"),
        (_row(dest="Germany"), "line 3, column destination"),
        (_row(lots="MAG 1 bad*lot"), "line 3, column lots"),
        (_row(number=""), "line 3, column declaration_no"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_read(row, line_and_column):
    with pytest.raises(InvalidInput) as error:
        read_declarations(_csv(_row("CD-0"), row), "bad.csv")
    message = str(error.value)
    assert message.startswith("bad.csv: nothing loaded") and line_and_column in message


def test_every_bad_row_is_listed():
    with pytest.raises(InvalidInput) as error:
        read_declarations(_csv(_row(kg="-1"), _row("CD-2"), _row("CD-3", hs="1")), "bad.csv")
    assert "2 bad row(s)" in str(error.value)
    assert "line 2, column net_kg" in str(error.value) and "line 4, column hs_code" in str(error.value)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (_row(day="2026-03-06", hs="2846901500"), "date"),
        (_row(exporter=make_uscc(4), hs="2846901500"), "exporter"),
        (_row(dest="JP", hs="2846901500"), "destination"),
        (_row(license_no="", hs="2846901500"), "license_no"),
    ],
)
def test_the_items_of_a_declaration_share_its_date_exporter_destination_and_license(row, column):
    with pytest.raises(InvalidInput) as error:
        read_declarations(_csv(_row(), _row("CD-2"), row), "d.csv")
    message = str(error.value)
    assert message.startswith("d.csv: nothing loaded") and f"line 4, column {column}:" in message
    assert "where line 2 of declaration CD-1 has" in message


def test_an_item_given_twice_is_an_error():
    with pytest.raises(InvalidInput, match=r"line 4: repeats item 1 of declaration CD-1 \(line 2\)"):
        read_declarations(_csv(_row(), _row(hs="2846901500"), _row(lots="MAG-2;MAG-1")), "d.csv")
    # the same code and mass for other lots is another item
    ((_, declaration),) = read_declarations(_csv(_row(), _row(lots="MAG-3")), "d.csv")
    assert len(declaration.items) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        (_csv(header=HEADER + ",remarks"), "unknown column(s) 'remarks'"),
        (_csv(header="declaration_no,date,exporter,hs_code,net_kg"), "missing column(s) destination"),
        (_csv(_row() + ",extra"), "line 2: 9 cells where the header has 8 columns"),
    ],
)
def test_a_file_of_the_wrong_shape(text, message):
    with pytest.raises(InvalidInput) as error:
        read_declarations(text, "d.csv")
    assert message in str(error.value)


# -- mirror statistics -------------------------------------------------------------------------


def test_mirror_statistics():
    text = "Year,Partner,HS6,kg,value_usd\n2026,DE,850511,1000.5,25000\n2026,jp,284690,20,\n"
    rows = read_mirror_statistics(text, "m.csv")
    assert [(line, s.key, s.kg, s.value_usd) for line, s in rows] == [
        (2, (2026, "DE", "850511"), 1000.5, 25000.0),
        (3, (2026, "JP", "284690"), 20.0, None),
    ]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("20x6,DE,850511,1,1", "line 2, column year"),
        ("2026,DEU,850511,1,1", "line 2, column partner"),
        ("2026,DE,85051,1,1", "line 2, column hs6"),
        ("2026,DE,850511,-1,1", "line 2, column kg"),
        ("2026,DE,850511,1,-1", "line 2, column value"),
    ],
)
def test_bad_mirror_rows(row, where):
    with pytest.raises(InvalidInput) as error:
        read_mirror_statistics(f"year,partner,hs6,kg,value\n{row}\n", "m.csv")
    assert where in str(error.value)


def test_one_key_twice_in_a_mirror_file():
    with pytest.raises(InvalidInput, match="line 3: 2026 DE 850511 is already on line 2"):
        read_mirror_statistics("year,partner,hs6,kg,value\n2026,DE,850511,1,1\n2026,DE,850511,2,2\n", "m.csv")
