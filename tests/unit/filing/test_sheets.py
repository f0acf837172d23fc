"""CSV sheets → contract events: the templates, multi-row events, and problems with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from reetrace.contract.submission import EVENT_TYPES, validate_events
from reetrace.domain.elements import ELEMENTS
from reetrace.filing.prepare import check_drafts, read_drafts, read_json_lines
from reetrace.filing.sheets import TEMPLATES, parse_number, read_csv

REPORTER = "91150200MA0N0P1X25"
BUYER = "91440300MA5F000007"
T = "2026-10-03T08:00:00+08:00"


def sheet(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def events_of(text: str, default_type: str | None = None) -> list[dict]:
    drafts, problems = read_csv(text, "s.csv", default_type)
    assert problems == []
    return [d.event for d in drafts]


def problems_of(text: str, default_type: str | None = None) -> list[str]:
    drafts, problems = read_csv(text, "s.csv", default_type)
    problems += check_drafts(drafts, REPORTER)
    return [str(p) for p in problems]


def test_there_is_a_template_for_every_event_type():
    assert tuple(TEMPLATES) == EVENT_TYPES


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_each_template_example_becomes_a_valid_event(type_):
    drafts, problems = read_csv(TEMPLATES[type_].csv(), "t.csv")
    assert problems == []
    assert [d.event["type"] for d in drafts] == [type_]
    (event,) = validate_events([d.event for d in drafts], REPORTER)
    assert event.type == type_


@pytest.mark.parametrize("type_", EVENT_TYPES)
def test_the_type_column_may_be_left_to_the_type_option(type_):
    template = TEMPLATES[type_]
    rows = template.csv().splitlines()
    without_type = "\n".join(line.split(",", 1)[1] for line in rows) + "\n"
    assert events_of(without_type, default_type=type_) == events_of(template.csv())


def test_all_templates_fit_in_one_sheet():
    columns = list(dict.fromkeys(c for t in TEMPLATES.values() for c in t.columns))
    lines = [",".join(columns)]
    for template in TEMPLATES.values():
        lines += [",".join(row.get(c, "") for c in columns) for row in template.example]
    events = events_of(sheet(*lines))
    assert [e["type"] for e in events] == list(EVENT_TYPES)
    validate_events(events, REPORTER)


def test_extract_row_becomes_the_contract_event():
    (event,) = events_of(TEMPLATES["extract"].csv())
    assert event == {
        "type": "extract",
        "event_id": "EX-2026-0001",
        "time": T,
        "site": f"{REPORTER}/P1",
        "deposit": "rock",
        "outputs": [
            {
                "lot": "BO-ORE-2026-0001",
                "form": "ore",
                "mass_kg": 250000,
                "composition": {"La": 0.012, "Ce": 0.024, "Pr": 0.0025, "Nd": 0.008},
                "hs_code": "2530902000",
            }
        ],
    }
    assert isinstance(event["outputs"][0]["mass_kg"], int)


def test_rows_with_the_same_event_id_form_one_transform():
    text = sheet(
        "event_id,time,process,role,lot,form,mass_kg,Nd,Pr,Dy",
        f"TR-1,{T},separation,input,CONC-1,,6000,,,",
        f"TR-1,{T},separation,input,CONC-2,,4000.5,,,",
        f"TR-1,{T},separation,output,NDPR-1,oxide,1100,0.64,0.21,",
        f"TR-1,{T},separation,output,DY-1,oxide,12.25,,,0.87",
        f"TR-2,{T},repack,input,NDPR-1,,1100,,,",
        f"TR-2,{T},repack,output,NDPR-1a,oxide,1100,0.64,0.21,",
    )
    first, second = events_of(text, default_type="transform")
    assert first["inputs"] == [{"lot": "CONC-1", "mass_kg": 6000}, {"lot": "CONC-2", "mass_kg": 4000.5}]
    assert first["outputs"] == [
        {"lot": "NDPR-1", "form": "oxide", "mass_kg": 1100, "composition": {"Pr": 0.21, "Nd": 0.64}},
        {"lot": "DY-1", "form": "oxide", "mass_kg": 12.25, "composition": {"Dy": 0.87}},
    ]
    assert "site" not in first  # empty optional cells are left out
    assert second["process"] == "repack"
    validate_events([first, second], REPORTER)


def test_ship_receive_export_and_consume_take_a_lot_a_row():
    ship = events_of(
        sheet(
            "type,event_id,time,to,shipment,lot",
            f"ship,SH-1,{T},{BUYER},SHP-1,L-1",
            f"ship,SH-1,{T},{BUYER},SHP-1,L-2",
        )
    )
    receive = events_of(
        sheet(
            "type,event_id,time,from,shipment,mass_kg,lot",
            f"receive,RC-1,{T},{BUYER},SHP-1,2000.0,L-1",
            f"receive,RC-1,{T},{BUYER},SHP-1,,L-2",
        )
    )
    consume = events_of(
        sheet(
            "type,event_id,time,purpose,lot,mass_kg",
            f"consume,CO-1,{T},magnets,L-1,10",
            f"consume,CO-1,{T},magnets,L-2,1e1",
        )
    )
    assert ship[0]["lots"] == ["L-1", "L-2"] and ship[0]["to"] == BUYER
    assert receive[0]["lots"] == ["L-1", "L-2"] and receive[0]["from"] == BUYER
    assert receive[0]["mass_kg"] == 2000.0 and isinstance(receive[0]["mass_kg"], float)
    assert consume[0]["lots"] == [{"lot": "L-1", "mass_kg": 10}, {"lot": "L-2", "mass_kg": 10.0}]
    validate_events(ship + receive + consume, REPORTER)


def test_rows_of_an_event_need_not_be_adjacent_and_keep_their_order():
    events = events_of(
        sheet(
            "type,event_id,time,to,shipment,lot",
            f"ship,SH-1,{T},{BUYER},SHP-1,L-1",
            f"ship,SH-2,{T},{BUYER},SHP-2,L-9",
            f"ship,SH-1,{T},{BUYER},SHP-1,L-2",
        )
    )
    assert [(e["event_id"], e["lots"]) for e in events] == [("SH-1", ["L-1", "L-2"]), ("SH-2", ["L-9"])]


def test_a_sheet_saved_by_excel_is_read(tmp_path):
    """A UTF-8 byte order mark, CRLF line ends, trailing empty rows and Chinese text."""
    text = TEMPLATES["export"].csv().replace("Example GmbH", "某某贸易有限公司").replace("\n", "\r\n")
    path = tmp_path / "export.csv"
    path.write_bytes((text + ",,,,,,,,\r\n\r\n").encode("utf-8-sig"))
    drafts, problems = read_drafts([path])
    assert problems == []
    assert [d.event["consignee"] for d in drafts] == ["某某贸易有限公司"]


def test_a_sheet_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(TEMPLATES["export"].csv().replace("Example GmbH", "某某贸易有限公司").encode("gbk"))
    drafts, problems = read_drafts([path])
    assert drafts == [] and [p.message for p in problems] == ['not UTF-8 text (save the sheet as "CSV UTF-8")']


@pytest.mark.parametrize("text, number", [("12", 12), ("-2", -2), ("0.5", 0.5), ("12.0", 12.0), ("1e3", 1000.0)])
def test_numbers_parse_as_json_does(text, number):
    value = parse_number(text)
    assert value == number and type(value) is type(number)


@pytest.mark.parametrize("text", ["12,5", "1 000", "+3", "0x10", "nan", "Infinity", "5%", "1e999"])
def test_what_json_would_not_read_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_event_level_columns_must_agree_across_rows():
    found = problems_of(
        sheet(
            "type,event_id,time,to,shipment,lot",
            f"ship,SH-1,{T},{BUYER},SHP-1,L-1",
            f"ship,SH-1,2026-10-04T08:00:00+08:00,{BUYER},SHP-2,L-2",
        )
    )
    assert found == [
        f"s.csv:3: event SH-1: time is '2026-10-04T08:00:00+08:00' here but '{T}' on line 2",
        "s.csv:3: event SH-1: shipment is 'SHP-2' here but 'SHP-1' on line 2",
    ]


def test_a_blank_event_level_cell_does_not_agree_with_a_filled_one():
    found = problems_of(
        sheet(
            "type,event_id,time,site,to,shipment,lot",
            f"ship,SH-1,{T},{REPORTER}/P1,{BUYER},SHP-1,L-1",
            f"ship,SH-1,{T},,{BUYER},SHP-1,L-2",
        )
    )
    assert found == [f"s.csv:3: event SH-1: site is empty here but '{REPORTER}/P1' on line 2"]


def test_receive_mass_goes_on_the_first_row_only():
    found = problems_of(
        sheet(
            "type,event_id,time,from,shipment,mass_kg,lot",
            f"receive,RC-1,{T},{BUYER},SHP-1,100,L-1",
            f"receive,RC-1,{T},{BUYER},SHP-1,100,L-2",
        )
    )
    assert found == ["s.csv:3: event RC-1: mass_kg goes on the event's first row only (line 2)"]


def test_an_adjust_is_one_row():
    found = problems_of(
        sheet(
            "type,event_id,time,lot,delta_kg,reason",
            f"adjust,AD-1,{T},L-1,-1,loss",
            f"adjust,AD-1,{T},L-1,-1,loss",
        )
    )
    assert found == ["s.csv:3: event AD-1: an adjust event is one row, and this event_id is already on line 2"]


def test_contract_problems_point_at_the_row_they_come_from():
    found = problems_of(
        sheet(
            "type,event_id,time,process,role,lot,form,mass_kg,Nd,Pr",
            f"transform,TR-1,{T},separation,input,CONC-1,,6000,,",
            f"transform,TR-1,{T},separation,output,NDPR-1,oxide,1100,0.64,0.21",
            f"transform,TR-1,{T},separation,output,DY-1,oxide,0,,",
            f"transform,TR-2,{T},smelting,input,CONC-1,,6000,,",
            f"transform,TR-2,{T},smelting,output,M-1,metal,10,0.9,0.2",
        )
    )
    assert found[0] == "s.csv:4: event TR-1: outputs[1].mass_kg: Input should be greater than 0"
    assert found[1].startswith("s.csv:5: event TR-2: process: Input should be ")
    assert found[2] == "s.csv:6: event TR-2: outputs[0].composition: mass fractions add up to 1.1, more than 1"
    assert len(found) == 3


def test_every_bad_row_is_reported_with_its_line():
    found = problems_of(
        sheet(
            "type,event_id,time,process,role,lot,form,mass_kg,Nd,Colour",
            f"transform,TR-1,{T},separation,inptu,CONC-1,,6000,,",
            f"transform,TR-1,{T},separation,output,NDPR-1,oxide,1100,0.6,",
            f"transform,,{T},separation,output,NDPR-2,oxide,1,,",
            f"transform,TR-3,{T},separation,input,CONC-1,oxide,six,,",
            f"ship,TR-4,{T},separation,input,CONC-1,,6,,",
            f"melt,TR-5,{T},,,,,,,",
            f"transform,TR-6,{T},separation,input,CONC-6,,1,,",
            f"transform,TR-6,{T},separation,output,NDPR-6,oxide,1,1.5,blue",
        )
    )
    assert found == [
        "s.csv:1: unknown column 'Colour'",
        "s.csv:2: role must be input or output, not 'inptu'",
        "s.csv:4: event_id is empty",
        "s.csv:5: form: only output rows describe a lot's form and composition",
        "s.csv:5: mass_kg: 'six' is not a number",
        "s.csv:6: process, role, mass_kg: not a column of ship events",
        "s.csv:7: unknown event type 'melt'; expected one of extract, import, transform, ship, receive, export, "
        "consume, adjust",
        "s.csv:9: Colour: not a column of transform events",
    ]


def test_each_problem_of_an_event_goes_to_its_own_row():
    found = problems_of(
        sheet(
            "type,event_id,time,process,role,lot,form,mass_kg,Nd",
            f"transform,TR-1,{T},separation,input,CONC 1,,6000,",
            f"transform,TR-1,{T},separation,output,NDPR-1,oxide,1100,0.6",
            f"transform,TR-1,{T},separation,output,NDPR-2,oxide,-1,1.5",
        )
    )
    assert [p.split(": ")[0] for p in found] == ["s.csv:2", "s.csv:4", "s.csv:4"]
    assert "inputs[0].lot" in found[0] and "outputs[1].mass_kg" in found[1] and "outputs[1].composition" in found[2]


def test_an_unknown_column_suggests_the_near_one():
    drafts, problems = read_csv(
        sheet("type,event_id,time,deposit,lot,form,mass_kg,ND", f"extract,E,{T},rock,L,ore,1,"), "s.csv"
    )
    assert [str(p) for p in problems] == ["s.csv:1: unknown column 'ND' (did you mean 'Nd'?)"]


def test_a_missing_required_column_is_reported_once_on_the_header():
    found = problems_of(
        sheet(
            "type,event_id,time,shipment,lot",
            f"ship,SH-1,{T},SHP-1,L-1",
            f"ship,SH-2,{T},SHP-2,L-2",
        )
    )
    assert found == ["s.csv:1: no 'to' column, which ship events need"]


def test_without_a_type_column_the_type_option_is_needed():
    assert problems_of(sheet("event_id,time,lot", f"E,{T},L")) == ["s.csv:1: no type column; add one or pass --type"]


def test_a_type_cell_must_match_the_type_option():
    found = problems_of(TEMPLATES["ship"].csv(), default_type="receive")
    assert found[0].startswith("s.csv:2: type is 'ship' but --type is 'receive'")


def test_an_event_id_used_twice_across_files_is_reported_at_both():
    csv_drafts, _ = read_csv(TEMPLATES["adjust"].csv(), "a.csv")
    line = '{"type":"adjust","event_id":"AD-2026-0009","time":"' + T + '","lot":"L","delta_kg":1,"reason":"r"}'
    json_drafts, _ = read_json_lines("\n" + line + "\n", "b.jsonl")
    found = [str(p) for p in check_drafts(csv_drafts + json_drafts, REPORTER)]
    assert found == ["b.jsonl:2: event_id 'AD-2026-0009' is also used at a.csv:2"]


def test_element_columns_cover_the_seventeen_rare_earths():
    assert TEMPLATES["extract"].columns[-17:] == ELEMENTS


def test_the_user_guide_shows_every_template_as_it_is():
    guide = (Path(__file__).parents[3] / "docs" / "filing.md").read_text(encoding="utf-8")
    for template in TEMPLATES.values():
        assert f"### {template.type}\n" in guide and f"```csv\n{template.csv()}```" in guide


def test_a_filled_cell_under_an_unnamed_column_is_not_dropped():
    found = problems_of(sheet("type,event_id,time,lot,delta_kg,reason,", f"adjust,AD-1,{T},L-1,-1,loss,oops"))
    assert found == ["s.csv:2: a filled cell under a column without a name"]


def test_json_lines_refuse_a_repeated_member_and_a_number_that_cannot_be_signed():
    lines = [
        '{"type":"adjust","event_id":"A1","event_id":"A2","time":"' + T + '","lot":"L","delta_kg":1,"reason":"r"}',
        '{"type":"adjust","event_id":"A3","time":"' + T + f'","lot":"L","delta_kg":{2**60},"reason":"r"}}',
        "[1]",
        "{not json",
    ]
    drafts, problems = read_json_lines("\n".join(lines), "e.jsonl")
    problems += check_drafts(drafts, REPORTER)
    assert [str(p) for p in problems] == [
        "e.jsonl:1: member 'event_id' appears twice in an object",
        "e.jsonl:3: an event must be a JSON object",
        "e.jsonl:4: not JSON: Expecting property name enclosed in double quotes at column 2",
        "e.jsonl:2: event A3: a number cannot be signed exactly (integers are limited to ±2^53-1)",
    ]


def test_broken_quoting_is_reported_where_it_breaks():
    text = TEMPLATES["ship"].csv() + 'ship,SH-2,"2026-10-03T08:00:00+08:00,x\n'
    drafts, problems = read_csv(text, "s.csv")
    assert [str(p) for p in problems] == ["s.csv:3: not readable as CSV: unexpected end of data"]
