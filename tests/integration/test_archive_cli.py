"""``mailflow archive PROJECT --out DIR|FILE.zip``: a static, offline, escaped site; the same DB
gives the same bytes, in a folder or a zip; an unknown project is a clear error, exit 1."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.orm import Session

from mailflow.cli import main
from mailflow.tracker.db import make_engine, upgrade
from tests.conftest import offline_config_text
from tests.project_seed import seed_project

ROOT = "跨部门协作-新产品发布"


def seeded_config(tmp_path: Path) -> Path:
    database = tmp_path / "tracker.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        seed_project(session, meetings=6, items=30)
    engine.dispose()
    config = tmp_path / "mailflow.toml"
    config.write_text(offline_config_text(database), encoding="utf-8")
    return config


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_archive_to_a_folder_is_offline_escaped_and_the_same_bytes_twice(tmp_path: Path) -> None:
    config = seeded_config(tmp_path)
    runner = CliRunner()
    out = tmp_path / "out"
    first = runner.invoke(
        main, ["archive", "新产品发布", "--out", str(out), "--config", str(config)]
    )
    assert first.exit_code == 0, first.output
    site = files(out / ROOT)
    assert {"index.html", "report.html", "items.csv", "items.ics", "requests.html"} <= set(site)
    assert sum(name.startswith("items/") for name in site) == 30
    assert sum(re.fullmatch(r"meetings/m\d{6}\.html", n) is not None for n in site) == 6
    assert any(re.fullmatch(r"meetings/m\d{6}-v02\.html", n) for n in site)
    for name, data in site.items():
        if name.endswith(".html"):
            page = data.decode()
            assert "<script" not in page, name  # "<script>" in an agenda topic is escaped
            assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page), name
            assert "<link" not in page and "@import" not in page, name
    meeting = next(v.decode() for k, v in site.items() if re.fullmatch(r"meetings/m\d+\.html", k))
    assert "Risks &lt;script&gt;" in meeting
    item = site["items/MF-0100000.html"].decode()
    assert "验收确认单" in item and "缺少预算页 &lt;missing&gt;" in item
    assert site["items.csv"].startswith("\ufeffref,".encode())
    report = site["report.html"].decode()
    assert "Retrospective report: 新产品发布" in report and "研发部" in report

    again = runner.invoke(
        main, ["archive", "新产品发布", "--out", str(out), "--config", str(config)]
    )
    assert again.exit_code == 0, again.output
    assert files(out / ROOT) == site


def test_archive_to_a_zip_is_byte_identical_and_sorted(tmp_path: Path) -> None:
    config = seeded_config(tmp_path)
    runner = CliRunner()
    one, two = tmp_path / "a.zip", tmp_path / "b" / "a.zip"
    for target in (one, two):
        result = runner.invoke(
            main, ["archive", "新产品发布", "--out", str(target), "--config", str(config)]
        )
        assert result.exit_code == 0, result.output
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith(f"{ROOT}/") for n in names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.testzip() is None


def test_an_unknown_project_is_a_clear_error(tmp_path: Path) -> None:
    config = seeded_config(tmp_path)
    result = CliRunner().invoke(
        main, ["archive", "No such", "--out", str(tmp_path / "x"), "--config", str(config)]
    )
    assert result.exit_code == 1
    assert "no project called 'No such'" in result.output
    assert not (tmp_path / "x").exists()
