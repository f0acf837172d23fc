"""OpenSanctions' production matcher (nomenklatura's LogicV2) on labelled pairs, each pair alone:
the baseline `screening.py` prints beside reetrace. Run in its own environment, as nomenklatura
pins other versions of the libraries reetrace locks (duckdb):

    python bench/logic_v2.py PAIRS.jsonl ENTITIES.ftm.jsonl   # one score a line, in pair order

`screening.py` makes that environment (`bench/.venv-baseline`, nomenklatura 4.17.4 from the
package index) the first time it runs.
"""

from __future__ import annotations

import json
import sys

SCHEMA = {"person": "Person", "company": "Company", "organisation": "Organization"}


def main(pairs_path: str, entities_path: str) -> None:
    from followthemoney import model
    from nomenklatura.matching.logic_v2.model import LogicV2
    from nomenklatura.matching.types import ScoringConfig

    entities = {}
    with open(entities_path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                entity = json.loads(line)
                entities[entity["id"]] = entity
    config = ScoringConfig.defaults()
    with open(pairs_path, encoding="utf-8") as lines:
        for i, line in enumerate(lines):  # unique ids: the matcher caches what it reads of an entity by id
            p = json.loads(line)
            schema = SCHEMA[p["category"]]
            props: dict[str, list[str]] = {"name": [p["query"]]}
            if p.get("birth_date") and schema == "Person":
                props["birthDate"] = [p["birth_date"]]
            if p.get("country"):
                props["nationality" if schema == "Person" else "country"] = [p["country"]]
            query = model.get_proxy({"id": f"query-{i}", "schema": schema, "properties": props})
            listed = entities[p["entity"]]
            result = model.get_proxy({**listed, "id": f"listed-{i}-{listed['id']}"})
            print(LogicV2.compare(query, result, config).score)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
