"""Computed answers end to end: a small report with tables of figures
(tests/reports/harbor-annual-2019.md), indexed with the real model, asked through POST /ask
of the real app through its lifespan; each answer checked for its value, the working it
shows and the cells it cites. (Every answer a test gets from the service is also checked
for numbers it neither cites nor computes: see `tests/conftest.py`.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.config import get_settings
from qa.service import QAService

REPORT = Path(__file__).parent / "reports" / "harbor-annual-2019.md"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, exported: Path) -> Iterator[TestClient]:
    base = tmp_path_factory.mktemp("figures")
    (base / "corpus").mkdir()
    shutil.copy(REPORT, base / "corpus" / REPORT.name)
    settings = get_settings(corpus=base / "corpus", index=base / "index")
    svc = QAService(settings)
    svc.start(build_if_needed=True)
    with TestClient(create_app(settings, service=svc, ui=False)) as c:
        yield c


def ask(client: TestClient, question: str) -> dict:
    resp = client.post("/ask", json={"question": question})
    assert resp.status_code == 200, resp.text
    return resp.json()


def cited(body: dict, label: str) -> dict:
    """The citation of the row with this label."""
    return next(c for c in body["citations"] if c.get("cells", [""])[0] == label)


def test_percentage_change_value_working_and_cells(client: TestClient) -> None:
    body = ask(client, "What was the percentage change in revenue from 2018 to 2019?")
    assert body["value"] == "2.73"
    assert "Revenue changed from $4,987 (2018) to $5,123 (2019)" in body["answer"]
    assert "(5,123 - 4,987) / 4,987 = 2.73% [1]" in body["answer"]
    d = body["derivation"]
    assert d["op"] == "change_ratio" and d["unit"] == "%"
    assert [o["text"] for o in d["operands"]] == ["$5,123", "$4,987"]
    row = cited(body, "Revenue")
    assert row["header"][1:3] == ["2019", "2018"] and {1, 2} <= set(row["highlight"])
    assert {o["id"] for o in d["operands"]} == {row["id"]}


def test_change_keeps_the_sign_of_a_decrease(client: TestClient) -> None:
    body = ask(client, "What was the change in net income from 2018 to 2019?")
    assert body["value"] == "-23.00" or float(body["value"]) == -23
    assert "511 - 534 = -23 (in millions)" in body["answer"]
    assert {1, 2} <= set(cited(body, "Net income")["highlight"])


def test_average_over_three_years(client: TestClient) -> None:
    body = ask(client, "What is the average operating expenses from 2017 to 2019?")
    assert float(body["value"]) == pytest.approx(1346.33)
    assert "(1,402 + 1,350 + 1,287) / 3 = 1,346.33" in body["answer"]
    assert {1, 2, 3} <= set(cited(body, "Operating expenses")["highlight"])


def test_share_of_the_total_cites_both_rows(client: TestClient) -> None:
    body = ask(client, "What percentage of total revenue came from the Atlantic segment in "
                       "2019?")
    assert body["value"] == "60.51"
    assert "3,100 / 5,123 = 60.51%" in body["answer"]
    assert 1 in cited(body, "Atlantic")["highlight"] and 1 in cited(body, "Total")["highlight"]


def test_count_of_years(client: TestClient) -> None:
    body = ask(client, "How many years did revenue exceed $4,900 million?")
    assert body["value"] == "2"
    assert "$5,123" in body["answer"] and "$4,987" in body["answer"]
    assert {1, 2} <= set(cited(body, "Revenue")["highlight"])


def test_a_year_the_table_lacks_is_not_computed(client: TestClient) -> None:
    body = ask(client, "What was the percentage change in revenue from 2015 to 2019?")
    assert "value" not in body and "derivation" not in body


def test_a_lookup_is_not_computed(client: TestClient) -> None:
    body = ask(client, "What was the revenue of the Pacific segment in 2019?")
    assert "value" not in body
    assert "2,023" in body["answer"]
