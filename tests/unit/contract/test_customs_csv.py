"""Reading the customs declarations and mirror statistics CSV files: column variants, and bad
rows named by line and column, with nothing read from a file that has one."""

from datetime import date

import pytest

from factory import make_uscc
from reetrace.contract.customs_csv import read_declarations, read_mirror_statistics
from reetrace.errors import InvalidInput

EXPORTER = make_uscc(3)
HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _row(number="CD-1", day="2026-03-05", exporter=EXPORTER, hs="8505111000", kg="300", dest="DE",
         license_no="RE-2026-000123", lots="MAG-1;MAG-2") -> str:
    return ",".join([number, day, exporter, hs, kg, dest, license_no, lots])


def test_a_good_file():
    rows = read_declarations(_csv(_row(), _row("CD-2", lots="MAG-3 MAG-4", license_no="", dest="us")), "d.csv")
    assert [line for line, _ in rows] == [2, 3]
    first, second = rows[0][1], rows[1][1]
    assert (first.declaration_no, first.day, first.exporter, first.hs_code, first.net_kg, first.destination,
            first.license_no, first.lots) == ("CD-1", date(2026, 3, 5), EXPORTER, "8505111000", 300.0, "DE",
                                              "RE-2026-000123", ("MAG-1", "MAG-2"))
    assert (second.license_no, second.lots, second.destination) == (None, ("MAG-3", "MAG-4"), "US")


def test_column_name_variants_and_delimiters():
    header = ("Declaration Number;Declaration-Date;Exporter USCC;HS10;Net Weight KG;Destination Country;"
              "Licence No;Lot IDs")
    text = "\ufeff" + _csv(_row().replace(",", ";").replace("MAG-1;MAG-2", "MAG-1"), header=header)
    (_, declaration), = read_declarations(text, "d.csv")
    assert declaration.lots == ("MAG-1",) and declaration.net_kg == 300.0
    # license and lots columns may be left out; HS codes may be written with dots
    text = _csv(f"CD-1,2026-03-05,{EXPORTER},8505.11.10.00,12.5,DE",
                header="declaration_no,date,exporter,hs_code,net_kg,destination")
    (_, declaration), = read_declarations(text, "d.csv")
    assert (declaration.hs_code, declaration.license_no, declaration.lots) == ("8505111000", None, ())


@pytest.mark.parametrize(("row", "line_and_column"), [
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
])
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


def test_a_number_twice_in_a_file():
    rows = read_declarations(_csv(_row(), _row()), "d.csv")
    assert len(rows) == 1  # the same declaration twice counts once
    with pytest.raises(InvalidInput, match=r"line 3, column declaration_no: CD-1 is already on line 2 .*net_kg"):
        read_declarations(_csv(_row(), _row(kg="301")), "d.csv")


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty file"),
    (_csv(header=HEADER + ",remarks"), "unknown column(s) 'remarks'"),
    (_csv(header="declaration_no,date,exporter,hs_code,net_kg"), "missing column(s) destination"),
    (_csv(_row() + ",extra"), "line 2: 9 cells where the header has 8 columns"),
])
def test_a_file_of_the_wrong_shape(text, message):
    with pytest.raises(InvalidInput) as error:
        read_declarations(text, "d.csv")
    assert message in str(error.value)


# -- mirror statistics -------------------------------------------------------------------------


def test_mirror_statistics():
    text = "Year,Partner,HS6,kg,value_usd\n2026,DE,850511,1000.5,25000\n2026,jp,284690,20,\n"
    rows = read_mirror_statistics(text, "m.csv")
    assert [(line, s.key, s.kg, s.value_usd) for line, s in rows] == [
        (2, (2026, "DE", "850511"), 1000.5, 25000.0), (3, (2026, "JP", "284690"), 20.0, None)]


@pytest.mark.parametrize(("row", "where"), [
    ("20x6,DE,850511,1,1", "line 2, column year"),
    ("2026,DEU,850511,1,1", "line 2, column partner"),
    ("2026,DE,85051,1,1", "line 2, column hs6"),
    ("2026,DE,850511,-1,1", "line 2, column kg"),
    ("2026,DE,850511,1,-1", "line 2, column value"),
])
def test_bad_mirror_rows(row, where):
    with pytest.raises(InvalidInput) as error:
        read_mirror_statistics(f"year,partner,hs6,kg,value\n{row}\n", "m.csv")
    assert where in str(error.value)


def test_one_key_twice_in_a_mirror_file():
    with pytest.raises(InvalidInput, match="line 3: 2026 DE 850511 is already on line 2"):
        read_mirror_statistics("year,partner,hs6,kg,value\n2026,DE,850511,1,1\n2026,DE,850511,2,2\n", "m.csv")
