"""Settings: QA_* environment variables, validation, and overrides (CLI flags) on top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from qa import config
from qa.config import DEFAULT_MODEL, Settings, get_settings


@pytest.fixture
def fresh_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A clean QA_* environment; the cached settings are re-read before and after."""
    for name in list(__import__("os").environ):
        if name.startswith("QA_"):
            monkeypatch.delenv(name)
    config._from_env.cache_clear()
    yield monkeypatch
    config._from_env.cache_clear()


def test_defaults(fresh_env: pytest.MonkeyPatch) -> None:
    s = get_settings()
    assert s.corpus == Path("corpus") and s.index == Path("index")
    assert s.host == "127.0.0.1" and s.port == 8000
    assert s.model == DEFAULT_MODEL
    assert s.admin_token is None


def test_env_prefix(fresh_env: pytest.MonkeyPatch) -> None:
    fresh_env.setenv("QA_CORPUS", "/data/docs")
    fresh_env.setenv("QA_INDEX", "/data/ix")
    fresh_env.setenv("QA_PORT", "9100")
    fresh_env.setenv("QA_FUSION", "rrf")
    fresh_env.setenv("CORPUS", "/ignored")  # only the prefixed name counts
    s = get_settings()
    assert (s.corpus, s.index, s.port, s.fusion) == (Path("/data/docs"), Path("/data/ix"), 9100,
                                                     "rrf")


def test_overrides_win_over_env_and_none_is_ignored(fresh_env: pytest.MonkeyPatch) -> None:
    fresh_env.setenv("QA_INDEX", "/from/env")
    fresh_env.setenv("QA_PORT", "9100")
    s = get_settings(index=Path("/from/flag"), port=None, host=None)
    assert s.index == Path("/from/flag")
    assert s.port == 9100 and s.host == "127.0.0.1"


@pytest.mark.parametrize("name, value", [("QA_PORT", "0"), ("QA_PORT", "http"),
                                         ("QA_FUSION", "max"), ("QA_DENSE_WEIGHT", "1.5")])
def test_bad_env_values_are_refused(fresh_env: pytest.MonkeyPatch, name: str, value: str) -> None:
    fresh_env.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings()
    assert name.removeprefix("QA_").lower() in str(info.value)


def test_admin_token_is_secret(fresh_env: pytest.MonkeyPatch) -> None:
    fresh_env.setenv("QA_ADMIN_TOKEN", "s3cret-token")
    s = get_settings()
    assert s.admin_token is not None
    assert s.admin_token.get_secret_value() == "s3cret-token"
    assert "s3cret-token" not in repr(s) and "s3cret-token" not in str(s.model_dump())


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        Settings().port = 1  # type: ignore[misc]


def test_overrides_are_validated(fresh_env: pytest.MonkeyPatch) -> None:
    assert isinstance(get_settings(corpus="docs").corpus, Path)
    with pytest.raises(ValidationError):
        get_settings(port=0)
