"""Settings: environment variables, the data directory, and refusing unsafe defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kefu.settings import PLACEHOLDER_SECRET, Settings


def test_defaults_write_under_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("KEFU_DATA_DIR", "KEFU_DATABASE_URL", "KEFU_ENV", "KEFU_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.data_dir == Path("var")
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'var' / 'kefu.sqlite3'}"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("KEFU_MAX_MESSAGE_CHARS", "50")
    s = Settings()
    assert s.data_dir == tmp_path / "data"
    assert s.resolved_database_url == "postgresql+psycopg://u@h/db"
    assert s.max_message_chars == 50


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEFU_SHOP_NAME", raising=False)
    (tmp_path / ".env").write_text("KEFU_SHOP_NAME=Tea House\n")
    assert Settings().shop_name == "Tea House"


def test_prod_refuses_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_ENV", "prod")
    monkeypatch.setenv("KEFU_SECRET_KEY", PLACEHOLDER_SECRET)
    with pytest.raises(ValidationError, match="KEFU_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("KEFU_SECRET_KEY", "short")
    with pytest.raises(ValidationError, match="KEFU_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("KEFU_SECRET_KEY", "x" * 40)
    assert Settings().env == "prod"


def test_dev_accepts_the_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_ENV", "dev")
    monkeypatch.delenv("KEFU_SECRET_KEY", raising=False)
    assert Settings().uses_placeholder_secret
    monkeypatch.setenv("KEFU_ENV", "test")
    with pytest.raises(ValidationError):
        Settings()  # only dev and prod exist


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_MAX_MESSAGE_CHARS", "0")
    with pytest.raises(ValidationError):
        Settings()
