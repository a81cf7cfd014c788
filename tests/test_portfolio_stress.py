"""Stress paths (:mod:`underwater.portfolio.stress`): the kernel agrees with the exact Decimal
engine (``underwater.valuepath.ValuePath`` with an index) to the cent; a flat path is no stress,
a one-step path is a one-time shock, a deeper path never lowers the share under water; the
presets carry their sources; a bad path file is one line and exit 2."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from underwater import cli
from underwater.assets import AssetClass
from underwater.errors import InputError
from underwater.loan import level_payment
from underwater.money import from_cents, to_cents
from underwater.portfolio.cli import SUMMARY, adder
from underwater.portfolio.engine import output_frame
from underwater.portfolio.exact import exact_inputs, exact_loan, exact_months
from underwater.portfolio.frames import run_frame
from underwater.portfolio.kernel import Result, compute
from underwater.portfolio.rollforward import Rolled
from underwater.portfolio.scenarios import Scenarios
from underwater.portfolio.schema import Book, validate
from underwater.portfolio.stress import StressPath, parse_path_csv, preset_paths, stress_path
from underwater.portfolio.synth import synth_book
from underwater.valuepath import ValuePath, pick_curve

FIGURES = (
    "value",
    "equity",
    "negative_equity",
    "crossover_month",
    "first_under_water_month",
    "peak_negative_equity",
    "peak_month",
    "estimated_deficiency",
)


@functools.cache
def _book(rows: int = 400, seed: int = 21) -> Book:
    book, rejects = validate(synth_book(rows, seed=seed))
    assert rejects.height == 0
    return book


def _same_scenario(result: Result, one: Decimal | str, other: Decimal | str) -> None:
    for name in FIGURES:
        assert np.array_equal(getattr(result.scenarios[one], name), getattr(result.scenarios[other], name)), (
            name
        )


def test_presets_agree_with_the_exact_engine_to_the_cent() -> None:
    book = _book(600, 22)
    paths = tuple(
        stress_path(name) for name in ("manheim_2007_09", "manheim_2022_23", "fitch_prime_severe_recovery")
    )
    paths += (StressPath("rebound", (Decimal("70.5"), Decimal(90), Decimal("130.25"), Decimal(60))),)
    scenarios = Scenarios((Decimal(10),), paths, horizon=40)
    result = compute(book, scenarios)
    fast = output_frame(book, result, scenarios)
    columns = [
        c
        for c in fast.columns
        if c not in {"loan_id", "asset_class", "state"} and not c.startswith(("ltv", "cltv"))
    ]
    rolled = Rolled.empty(2 + len(paths), 40, result.rolled.marks)
    mismatches = []
    for i, row in enumerate(fast.select(columns).rows()):
        loan = exact_inputs(book, i)
        exact = exact_loan(loan, (Decimal(10), *paths))
        assert set(exact) == set(fast.columns) - {"loan_id", "asset_class", "state"}
        mismatches += [
            f"{i} {c}: {v!r} != {exact[c]!r}" for c, v in zip(columns, row, strict=True) if v != exact[c]
        ]
        for k, spec in enumerate((Decimal(0), Decimal(10), *paths)):
            path = [(to_cents(b), to_cents(v)) for b, v in exact_months(loan, spec, 40)]
            rolled.add_loan(k, path, to_cents(loan.other_liens))
    assert not mismatches, mismatches[:10]
    assert np.array_equal(result.rolled.months, rolled.months)
    assert np.array_equal(result.rolled.moves, rolled.moves)
    # The stress does something: more loans under water at the trough than in the base case.
    assert result.rolled.months[2, 18, 1] > result.rolled.months[0, 18, 1]


def test_a_flat_path_is_no_stress() -> None:
    result = compute(_book(), Scenarios(paths=(StressPath("flat", (Decimal(100),)),), horizon=60))
    _same_scenario(result, Decimal(0), "flat")
    assert np.array_equal(result.rolled.months[0], result.rolled.months[1])
    assert np.array_equal(result.rolled.moves[0], result.rolled.moves[1])


@pytest.mark.parametrize("shock", ["12.5", "40", "0.0001"])
def test_a_one_step_path_is_the_one_time_shock(shock: str) -> None:
    level = 100 - Decimal(shock)
    result = compute(_book(), Scenarios((Decimal(shock),), (StressPath("step", (level,)),), horizon=60))
    _same_scenario(result, Decimal(shock), "step")
    assert np.array_equal(result.rolled.months[1], result.rolled.months[2])
    assert np.array_equal(result.rolled.moves[1], result.rolled.moves[2])


def test_a_path_is_the_single_loan_value_path_with_an_index() -> None:
    # The scalar form: ValuePath with the index is the curve times the index, rounded once.
    curve = pick_curve(AssetClass.CAR, depreciation_rate_percent=Decimal(12))
    path = ValuePath(Decimal(20000), curve, 12, index=(Decimal("0.9"), Decimal("0.8")))
    plain = ValuePath(Decimal(20000), curve, 12).values(13)
    assert path.values(13)[0] == Decimal("18000.00")
    assert path.values(13)[12] == (plain[12] * Decimal("0.8")).quantize(Decimal("0.01"))
    with pytest.raises(InputError, match="index"):
        ValuePath(Decimal(1), curve, index=(Decimal(0),))


levels = st.lists(st.integers(400_000, 1_500_000), min_size=1, max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(levels, st.data())
def test_a_deeper_path_never_lowers_the_share_under_water(upper: list[int], data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, 300_000), min_size=len(upper), max_size=len(upper)))
    high = StressPath("high", tuple(Decimal(v) / 10_000 for v in upper))
    low = StressPath("low", tuple(Decimal(v - c) / 10_000 for v, c in zip(upper, cuts, strict=True)))
    result = compute(_book(), Scenarios(paths=(high, low), horizon=48))
    months = result.rolled.months
    assert np.array_equal(months[1, :, 0], months[2, :, 0])  # the same loans open
    assert (months[2, :, 1] >= months[1, :, 1]).all()  # at least as many under water each month
    assert (months[2, :, 2] >= months[1, :, 2]).all()
    deeper, shallower = result.scenarios["low"], result.scenarios["high"]
    assert ((deeper.first_under_water_month >= 0) >= (shallower.first_under_water_month >= 0)).all()


def test_presets_carry_source_date_and_confidence_and_start_at_100() -> None:
    presets = preset_paths()
    assert set(presets) >= {
        "manheim_2007_09",
        "manheim_april_2020",
        "manheim_2022_23",
        "sp_subprime_2022_recovery",
    }
    # The Fed's 2025 house-price path, quarter by quarter: a third down by the seventh quarter.
    fed = presets["fed_severely_adverse_2025_homes"]
    assert fed.level(21) == Decimal("67.0") and min(fed.levels) == Decimal("67.0")
    for path in presets.values():
        assert path.levels[0] == 100
        assert path.source and path.as_of and path.confidence in {"V", "S", "V/S"}
    # The figures as cited: −14.3 % by November 2008 (month 18 from May 2007); 125.2 against 141.9.
    assert presets["manheim_2007_09"].level(18) == Decimal("85.7")
    assert presets["manheim_april_2020"].level(1) == (Decimal("125.2") * 100 / Decimal("141.9")).quantize(
        Decimal("0.0001")
    )
    assert presets["manheim_2022_23"].level(12) == (Decimal("204.0") * 100 / Decimal("219.3")).quantize(
        Decimal("0.0001")
    )
    assert presets["fitch_prime_severe_recovery"].recovery_percent == 50


def test_a_recovery_stress_raises_only_the_deficiency() -> None:
    run = run_frame(synth_book(500, seed=4), stress=["fitch_prime_severe_recovery"])
    base, stressed = run.summary["scenarios"]
    assert base["by_month"] == stressed["by_month"] and stressed["flipped_under_water"] == 0
    assert Decimal(stressed["total_estimated_deficiency"]) > Decimal(base["total_estimated_deficiency"])
    assert stressed["confidence"] == "V/S" and stressed["recovery_percent"] == "50"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the header must be month,index"),
        ("month,value\n0,100\n", "line 1: the header must be month,index"),
        ("month,index\n", "has no rows"),
        ("month,index\n1,100\n", "line 2: the first month must be 0"),
        ("month,index\n0,100\n-1,90\n", "line 3: month must be a whole number 0 to 600"),
        ("month,index\n0,100\n601,90\n", "line 3: month must be a whole number 0 to 600"),
        ("month,index\n0,100\n5,90\n5,80\n", "line 4: month must be larger"),
        ("month,index\n0,100,1\n", "line 2: must have two cells"),
        ("month,index\n0,0\n", "line 2: index must be above 0"),
        ("month,index\n0,1000.00001\n", "line 2: index must be above 0"),
        ("month,index\n0,1e2\n", "line 2: index must be a number of points"),
        ("month,index\n0,NaN\n", "line 2: index must be a number of points"),
        ("month,index\n0,٩٠\n", "line 2: index must be a number of points"),
    ],
)
def test_path_csv_rules(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        parse_path_csv(text, "mine")
    assert str(raised.value).startswith("stress_file: ")


def test_path_csv_interpolates_and_holds() -> None:
    path = parse_path_csv("\ufeffMonth, Index\r\n0,100\r\n\r\n4,80\r\n", "mine")
    assert path.levels == (Decimal(100), Decimal(95), Decimal(90), Decimal(85), Decimal(80))
    assert path.level(200) == 80 and path.trough_month == 4


@pytest.fixture
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli._EXTRA_COMMANDS, "portfolio", (SUMMARY, adder))


@pytest.mark.usefixtures("_registered")
def test_the_cli_runs_presets_and_files_into_the_summary_and_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "book.parquet"
    synth_book(300, seed=3).write_parquet(book)
    (tmp_path / "Dip 2.csv").write_text("month,index\n0,100\n6,80\n24,95\n")
    out, summary = tmp_path / "out.parquet", tmp_path / "s.json"
    argv = ["portfolio", str(book), "-o", str(out), "--stress", "manheim_2007_09", "--stress-file"]
    argv += [str(tmp_path / "Dip 2.csv"), "--summary-json", str(summary), "--no-progress", "--horizon", "30"]
    assert cli.main(argv) == 0
    data = json.loads(summary.read_text())
    assert [s.get("stress") for s in data["scenarios"]] == [None, "manheim_2007_09", "dip_2"]
    assert data["scenarios"][1]["source"].startswith("Moody's Analytics")
    columns = pl.read_parquet(out).columns
    assert "peak_negative_equity_stress_dip_2" in columns and "negative_equity_stress_dip_2" not in columns
    printed = capsys.readouterr().out
    assert "stress manheim_2007_09" in printed and "flipped under water" in printed


@pytest.mark.usefixtures("_registered")
def test_the_cli_never_writes_the_path_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.parquet"
    synth_book(3).write_parquet(book)
    path = tmp_path / "p.csv"
    path.write_text("month,index\n0,90\n")
    assert (
        cli.main(
            [
                "portfolio",
                str(book),
                "-o",
                str(tmp_path / "o.csv"),
                "--rejects",
                str(path),
                "--stress-file",
                str(path),
            ]
        )
        == 2
    )
    assert path.read_text() == "month,index\n0,90\n"
    assert (
        "--rejects: is the same file as --stress-file: a run never writes a file it reads"
        in capsys.readouterr().err
    )


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
rows = st.lists(st.tuples(cells, cells), max_size=6)


@pytest.mark.usefixtures("_registered")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(rows.map(lambda r: "month,index\n" + "\n".join(f"{a},{b}" for a, b in r)), st.text(max_size=60))
)
def test_fuzzed_path_files_are_a_run_or_one_line_and_exit_2(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    book = folder / "book.parquet"
    synth_book(2).write_parquet(book)
    path = folder / "path.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    status = cli.main(
        [
            "portfolio",
            str(book),
            "-o",
            str(folder / "o.parquet"),
            "--stress-file",
            str(path),
            "--no-progress",
            "--horizon",
            "2",
        ]
    )
    out, err = capsys.readouterr()
    if status == 0:
        assert "stress path" in out
        return
    assert status == 2
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("underwater portfolio: error: --stress-file: "), err
    assert not (folder / "o.parquet").exists()


def test_a_path_built_by_hand_holds_exact_decimals_or_names_the_field() -> None:
    # A notebook writes levels as it likes: exact forms are read into Decimals (the kernel's
    # factors are whole millionths of them), anything else is an InputError naming the field.
    path = StressPath("hand", [100, "87.5", Decimal(90)], recovery_percent=80)  # type: ignore[arg-type]
    assert path.levels == (Decimal(100), Decimal("87.5"), Decimal(90)) and type(path.levels) is tuple
    assert path.recovery_percent == Decimal(80) and hash(path)
    for levels, recovery, message in (
        ((90.5,), Decimal(100), r"^index: .*float"),
        ("90", Decimal(100), r"^index: a path's levels must be a sequence"),
        ((Decimal(90),), "abc", r"^recovery_percent: "),
        ((Decimal(90),), Decimal("NaN"), r"^recovery_percent: "),
        ((Decimal(90),), Decimal(150), r"^recovery_percent: must be above 0 and at most 100"),
        ((Decimal("90.00001"),), Decimal(100), r"^index: must be index points"),
    ):
        with pytest.raises(InputError, match=message):
            StressPath("hand", levels, recovery_percent=recovery)  # type: ignore[arg-type]


stressed_loans = st.fixed_dictionaries(
    {
        "balance": st.integers(0, 5_000_000),
        "rate": st.integers(0, 2_500_000),
        "term": st.integers(1, 400),
        # A payment above the level one pays the loan off before its term.
        "overpay": st.sampled_from([None, None, 0, 2_000, 150_000]),
        "value": st.integers(0, 8_000_000),
        "liens": st.sampled_from([0, 0, 1_000_000]),
        "age": st.integers(0, 200),
        "asset_class": st.sampled_from(["car", "home", "home", "rv", "boat", "ev"]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(stressed_loans, min_size=1, max_size=6),
    st.lists(st.integers(300_000, 2_000_000), min_size=1, max_size=40),
    st.integers(0, 90),
)
def test_random_paths_on_random_loans_agree_with_the_exact_engine(
    drawn: list[dict[str, object]], levels: list[int], horizon: int
) -> None:
    # Paths that fall and rise for up to 40 months, on homes (a curve that never falls) and
    # vehicles, with loans paid off early by a larger payment: every figure and the
    # roll-forward, to the cent, against the Decimal engine.
    payments = []
    for d in drawn:
        balance, rate, term = (int(d[k]) for k in ("balance", "rate", "term"))  # type: ignore[call-overload]
        if d["overpay"] is None or balance == 0:
            payments.append("")
            continue
        level = level_payment(from_cents(balance), Decimal(rate) / 100_000, term)
        payments.append(str(level + from_cents(int(d["overpay"]) + 1)))  # type: ignore[call-overload]
    frame = pl.DataFrame(
        {
            "loan_id": [str(k) for k in range(len(drawn))],
            "balance": [str(from_cents(int(d["balance"]))) for d in drawn],  # type: ignore[call-overload]
            "rate_percent": [str(Decimal(int(d["rate"])) / 100_000) for d in drawn],  # type: ignore[call-overload]
            "remaining_payments": [str(d["term"]) for d in drawn],
            "payment": payments,
            "value": [str(from_cents(int(d["value"]))) for d in drawn],  # type: ignore[call-overload]
            "other_liens": [str(from_cents(int(d["liens"]))) for d in drawn],  # type: ignore[call-overload]
            "asset_age_months": [str(d["age"]) for d in drawn],
            "asset_class": [str(d["asset_class"]) for d in drawn],
        }
    )
    book, rejects = validate(frame)
    path = StressPath("drawn", tuple(Decimal(v) / 10_000 for v in levels))
    scenarios = Scenarios((Decimal(20),), (path,), horizon=horizon)
    result = compute(book, scenarios)
    fast = output_frame(book, result, scenarios)
    columns = [c for c in fast.columns if c not in {"loan_id", "asset_class", "state"}]
    columns = [c for c in columns if not c.startswith(("ltv", "cltv"))]
    rolled = Rolled.empty(3, horizon, result.rolled.marks)
    for i, row in enumerate(fast.select(columns).rows()):
        loan = exact_inputs(book, i)
        exact = exact_loan(loan, (Decimal(20), path))
        assert {c: v for c, v in zip(columns, row, strict=True)} == {c: exact[c] for c in columns}, i
        for k, spec in enumerate((Decimal(0), Decimal(20), path)):
            months = [(to_cents(b), to_cents(v)) for b, v in exact_months(loan, spec, horizon)]
            rolled.add_loan(k, months, to_cents(loan.other_liens))
    assert np.array_equal(result.rolled.months, rolled.months)
    assert np.array_equal(result.rolled.moves, rolled.moves)
    assert rejects.height + len(book) == len(drawn)
