"""The /retrieve body (`qa.api.models.retrieval_body`): written from each chunk's JSON kept
once, it must be byte for byte what dumping the version and every hit (`hit_json`) writes,
for real retrievals (passages, table rows, scoped) and for the awkward values (non-ASCII
text, a page, scores that round, are negative or are not finite; the last are scripted
hits, since no real search gives them)."""

from __future__ import annotations

import json
import math

import pytest

from qa.api.models import hit_json, retrieval_body
from qa.chunk import Chunk
from qa.retrieve import Hit
from qa.service import QAService, Retrieval


def dumped(res: Retrieval) -> bytes:
    """The body as the route wrote it before: the whole response dumped at once."""
    return json.dumps({"version": res.version, "results": [hit_json(h) for h in res.hits]},
                      ensure_ascii=False).encode()


@pytest.mark.parametrize("query, k, kind", [
    ("regional impact of the military aspect", 5, None),
    ("sanctions", 50, None),
    ("artillery shells", 3, "passage"),
])
def test_the_body_is_the_dump_of_the_hits_on_the_analysis(
        service: QAService, query: str, k: int, kind: str | None) -> None:
    for _ in range(2):  # the second time from the chunks' kept JSON
        res = service.retrieve(query, k, kind=kind)
        assert res.hits
        assert retrieval_body(res) == dumped(res)


def test_the_body_is_the_dump_of_the_hits_on_table_rows(report_service: QAService) -> None:
    doc = report_service.documents().documents[0].name
    for kind in ("table_row", None):
        res = report_service.retrieve("passengers per year", 10, doc, kind)
        assert res.hits
        assert retrieval_body(res) == dumped(res)
        assert all(r["doc"] == doc for r in json.loads(retrieval_body(res))["results"])


def test_awkward_values_are_written_as_json_dumps_writes_them() -> None:
    row = Chunk(id="r1", kind="table_row", doc="Résumé/tabelle.md", section="Übersicht > Zahlen",
                text="Jahr: 2019 | Wert: “12,5 %” \u2028 ☃", line_start=3, line_end=3,
                char_start=10, char_end=60, caption="Tabelle\t1", header=("Jahr", "Wert"),
                cells=("2019", "12,5 %"), table=0, row=1, page=4)
    passage = Chunk(id="p1", kind="passage", doc="a.md", section="", text='quote " and \\',
                    line_start=1, line_end=2, char_start=0, char_end=15)
    res = Retrieval("v000007", [
        Hit(row, 0.123456789, -0.5000004, 1e-9),
        Hit(passage, math.nan, math.inf, -math.inf),
        Hit(passage, 1.0, 0.9999995, 12345678.9),
    ])
    body = retrieval_body(res)
    assert body == dumped(res)
    assert retrieval_body(res) == body  # again, from the kept JSON
    first = json.loads(body)["results"][0]
    assert first["page"] == 4 and first["cells"] == ["2019", "12,5 %"]
    assert first["score"] == 0.123457 and first["scores"] == {"dense": -0.5, "lexical": 0.0}
