"""`ketenlens generate --persons 3000 --seed 11`: the files, the truth, the figures, the repeat."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from toolkit.adapters import builtin_profiles
from toolkit.cli import main

PERSONS = 3000
SEED = 11


def _run(out: Path, capsys) -> str:
    code = main(["generate", "--persons", str(PERSONS), "--seed", str(SEED), "--out", str(out)])
    assert code == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "raw"
    code = main(["generate", "--persons", str(PERSONS), "--seed", str(SEED), "--out", str(out)])
    assert code == 0
    return out


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_writes_every_format_truth_and_manifest(generated):
    names = {p.name for p in generated.iterdir()}
    assert {"ground_truth.json", "dirt_manifest.json"} <= names
    for profile in builtin_profiles().values():
        pattern = re.compile(profile.file_glob.replace(".", r"\.").replace("*", ".+") + "$")
        assert any(pattern.match(n) for n in names), profile.name
    assert "gemeente_zaanstad_statushouders.xlsx" in names
    assert any(re.match(r"coa_bewonersmutaties_\d{4}Q\d\.xlsx$", n) for n in names)
    assert any(re.match(r"ind_zaakmijlpalen_\d{4}Q\d\.csv$", n) for n in names)


def test_realised_figures_inside_the_ranges_of_the_real_chain(generated):
    truth = json.loads((generated / "ground_truth.json").read_text(encoding="utf-8"))
    figures = truth["realised"]["figures"]
    assert 30 <= figures["decision_weeks_median"] <= 60
    assert 0.55 <= figures["approval"] <= 0.80
    assert 25 <= figures["permit_to_moveout_weeks_median"] <= 50
    assert figures["over_housing_norm"] > 0.60
    assert all(truth["realised"]["within_targets"].values())


def test_truth_has_bottlenecks_and_durations_past_the_cutoff(generated):
    truth = json.loads((generated / "ground_truth.json").read_text(encoding="utf-8"))
    assert {b["kind"] for b in truth["bottlenecks"]} == {
        "slow_municipality",
        "office_capacity_loss",
        "relocating_location",
    }
    assert all("effect" in b for b in truth["bottlenecks"])
    cols = truth["durations"]["columns"]
    rows = [dict(zip(cols, r, strict=True)) for r in truth["durations"]["rows"]]
    cutoff = truth["world"]["cutoff"]
    housing = [r for r in rows if r["norm"] == "N13"]
    assert housing
    # people still waiting at the cut-off, whose true end is known only to the truth
    assert any(r["open_at_cutoff"] and r["end"] and r["end"] > cutoff for r in housing)
    assert truth["counts"]["persons"] >= PERSONS
    assert truth["counts"]["nareizigers"] > 0


def test_manifest_rows_match_the_files_read_back(generated):
    manifest = json.loads((generated / "dirt_manifest.json").read_text(encoding="utf-8"))
    profiles = builtin_profiles()
    for entry in manifest["files"]:
        path = generated / entry["path"]
        profile = profiles[entry["profile"]]
        expected = entry["expected"]
        assert (
            expected["events"] + expected["duplicates"] + expected["quarantined"]
            == entry["data_rows"]
        )
        if profile.file_kind == "xlsx":
            rows = (
                CalamineWorkbook.from_path(str(path)).get_sheet_by_name(profile.sheet).to_python()
            )
            header = next(
                i for i, r in enumerate(rows) if list(r[:2]) == list(profile.column_order[:2])
            )
            body = [r for r in rows[header + 1 :] if any(str(c).strip() for c in r)]
            if entry["total_row"]:
                assert str(body[-1][0]).startswith("Totaal:")
                body = body[:-1]
        else:
            text = path.read_bytes().decode(entry["encoding"])
            lines = text.split(profile.line_terminator)[1:]
            body = [ln for ln in lines if ln.strip(profile.delimiter + " \r\n")]
        assert len(body) == entry["data_rows"], entry["path"]
    kinds = set().union(*(e["dirt"] for e in manifest["files"]))
    assert {"exact_duplicate", "vnummer_missing", "date_impossible", "code_unknown"} <= kinds


def test_same_seed_gives_byte_identical_files(generated, tmp_path, capsys):
    again = tmp_path / "again"
    output = _run(again, capsys)
    assert "Realised chain figures" in output
    assert _digest(again) == _digest(generated)


def test_only_the_configured_municipalities_write_exports(tmp_path, capsys):
    config = tmp_path / "two.toml"
    config.write_text(
        '[municipalities]\n"gemeente-xlsx" = ["GM0479"]\n"gemeente-csv" = ["GM0599"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "raw"
    argv = ["generate", "--persons", "1500", "--seed", "5", "--out", str(out)]
    assert main([*argv, "--config", str(config)]) == 0
    capsys.readouterr()
    municipal = sorted(p.name for p in out.iterdir() if p.name.startswith("gemeente_"))
    assert municipal == [
        "gemeente_GM0599_gebeurtenissen.csv",
        "gemeente_zaanstad_statushouders.xlsx",
    ]
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    linked = {row["municipality"] for row in truth["taakstelling"]}
    assert {"GM0479", "GM0599"} < linked  # koppeling to municipalities that send no export too
