"""The `nianbao` command: extract a batch, bad inputs, resume, schema."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from evals.damage import span_bomb
from pipeline.cli import app
from pipeline.extract import extract_document
from pipeline.ingest import ingest_bytes
from schemas import Record
from tests.conftest import ROOT, SAMPLE_NAMES, SAMPLES

runner = CliRunner()


def test_extract_batch_writes_one_valid_record_per_input(tmp_path):
    result = runner.invoke(app, ["extract", str(SAMPLES), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == len(SAMPLE_NAMES) + 1 and lines[-1].startswith(f"nianbao: {len(SAMPLE_NAMES)} reports in ")
    for name in SAMPLE_NAMES:
        data = json.loads((tmp_path / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
        record = Record.model_validate(data)
        assert record.source.name == name
    assert "template 2021, 200/200 cells read" in result.output


def test_bad_inputs_get_one_line_and_the_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01" * 100)
    (tmp_path / "gbk.txt").write_bytes("一、总体情况\n本年收到申请8件。\n".encode("gbk"))
    out = tmp_path / "out"
    inputs = [str(tmp_path / n) for n in ("empty.txt", "binary.txt", "gbk.txt")] + [str(SAMPLES / SAMPLE_NAMES[1])]
    result = runner.invoke(app, ["extract", *inputs, "-o", str(out)])
    assert result.exit_code == 1
    assert "empty.txt: ERROR (ingest)" in result.output and "binary.txt: ERROR (ingest)" in result.output
    assert (out / "gbk.json").exists() and (out / SAMPLE_NAMES[1].replace(".txt", ".json")).exists()
    gbk = json.loads((out / "gbk.json").read_text(encoding="utf-8"))
    assert any("no 年报 tables" in f["message"] for f in gbk["findings"])


def test_resume_skips_finished_records(tmp_path):
    """A finished record is kept byte for byte; a record of other bytes (the input changed) is redone."""
    source = tmp_path / "in" / SAMPLE_NAMES[2]
    source.parent.mkdir()
    source.write_bytes((SAMPLES / SAMPLE_NAMES[2]).read_bytes())
    out = tmp_path / "out"
    runner.invoke(app, ["extract", str(source), "-o", str(out)])
    (target,) = out.glob("*.json")
    first = target.read_bytes()
    assert b'"template":"2019"' in first  # compact JSON by default
    target.write_bytes(first.replace(b'"template":"2019"', b'"template":"2021"', 1))  # marks the file
    result = runner.invoke(app, ["extract", str(source), "-o", str(out), "--resume"])
    assert result.exit_code == 0 and "already done" in result.output
    assert b'"template":"2021"' in target.read_bytes()  # not rewritten
    source.write_bytes(source.read_bytes() + b"\n")
    result = runner.invoke(app, ["extract", str(source), "-o", str(out), "--resume"])
    assert result.exit_code == 0 and "already done" not in result.output
    record = Record.model_validate_json(target.read_text(encoding="utf-8"))
    assert record.source.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert record.applications is not None and record.applications.template == "2019"


def test_schema_command_matches_the_committed_schema():
    result = runner.invoke(app, ["schema"])
    committed = (ROOT / "schemas" / "record.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.output) == json.loads(committed)
    assert "ActiveDisclosure2021" in committed and "discriminator" in committed


def test_eval_without_gold_files_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["eval", "--gold", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no gold files" in result.output


@pytest.mark.parametrize("umask", [pytest.param(0o022, id="022"), pytest.param(0o077, id="077"),
                                   pytest.param(0o002, id="002")])
def test_records_and_eval_files_honour_the_umask(tmp_path, monkeypatch, umask):
    old = os.umask(umask)
    try:
        runner.invoke(app, ["extract", str(SAMPLES / SAMPLE_NAMES[2]), "-o", str(tmp_path / "out")])
        result = runner.invoke(app, ["eval", "--records", str(tmp_path / "out"), "-o", str(tmp_path / "ev")])
    finally:
        os.umask(old)
    assert result.exit_code in (0, 1), result.output
    files = [p for p in [*(tmp_path / "out").rglob("*"), *(tmp_path / "ev").iterdir()] if p.is_file()]
    assert {p.name for p in files} >= {SAMPLE_NAMES[2].replace(".txt", ".json"), "eval.json", "eval.md", "eval.html"}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o666 & ~umask}


@pytest.mark.parametrize("args", [pytest.param(["-h"], id="top"), pytest.param(["extract", "-h"], id="extract"),
                                  pytest.param(["eval", "-h"], id="eval"), pytest.param(["schema", "-h"], id="schema")])
def test_help_shows_value_names_not_python_types(args):
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0 and "Usage: " in result.output
    types = set(re.findall(r"<[A-Za-z][^>]*>", result.output)) - {"<name>"}
    assert not types, types  # no <list[Path]>, <bool>, <path>, <int> (ranges such as [1<=x<=64] are fine)


def test_extract_help_names_its_values():
    result = runner.invoke(app, ["extract", "--help"], terminal_width=200)
    for shown in ("PATH", "-o", "DIR", "json|tools", "--resume"):
        assert shown in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"nianbao {version('nianbao')}"


@pytest.mark.parametrize("args", [pytest.param(["extract", "x.txt", "--mode", "foo"], id="mode"),
                                  pytest.param(["eval", "--severity", "warnings"], id="severity")])
def test_unknown_choices_are_refused(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "is not one of" in result.output


def test_eval_short_out_option(tmp_path):
    runner.invoke(app, ["extract", str(SAMPLES / SAMPLE_NAMES[2]), "-o", str(tmp_path / "rec")])
    result = runner.invoke(app, ["eval", "--records", str(tmp_path / "rec"), "-o", str(tmp_path / "ev")])
    assert result.exit_code in (0, 1) and (tmp_path / "ev" / "eval.json").is_file(), result.output


def test_not_extracted_says_the_fallback_needs_a_model():
    record = extract_document(ingest_bytes("r.txt", (SAMPLES / SAMPLE_NAMES[0]).read_bytes()))
    note = next(n for n in record.not_extracted if "fallback" in n)
    assert "would try them, but there is no LLM configured (pass --model" in note


def test_a_batch_of_unusual_encodings_and_a_span_bomb_gives_every_record(tmp_path):
    text = (SAMPLES / SAMPLE_NAMES[2]).read_text(encoding="utf-8")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "utf16.txt").write_bytes(text.encode("utf-16"))
    (inputs / "mac.txt").write_bytes(text.replace("\n", "\r").encode("utf-8"))
    (inputs / "big5.txt").write_bytes("一、總體情況\n本機關本年度共收到政府資訊公開申請８件，均已按時答覆。\n".encode("big5") * 3)
    (inputs / "bomb.html").write_bytes(span_bomb(200))
    result = runner.invoke(app, ["extract", str(inputs), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    records = {p.stem: Record.model_validate_json(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")}
    assert set(records) == {"utf16", "mac", "big5", "bomb"}
    for name in ("utf16", "mac"):
        assert [s.key for s in records[name].sections] == [s.key for s in records["utf16"].sections]
        assert records[name].applications is not None and len(records[name].sections) == 6
    assert "ERROR" not in result.output  # Big5 decoded (its traditional headings are not the form's: no sections)
