"""Expected loss (``default_probability`` × estimated deficiency): only where the book gives a
probability per loan, exact to the cent against the Decimal engine, validated as 0..1."""

from __future__ import annotations

import dataclasses
import unicodedata
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostile import HOSTILE_TEXT
from underwater.errors import InputError
from underwater.portfolio.defaults import CLTV_BUCKETS, DefaultCurve, parse_default_curve
from underwater.portfolio.exact import exact_inputs, exact_loan
from underwater.portfolio.frames import run_frame
from underwater.portfolio.schema import validate
from underwater.portfolio.stress import stress_path
from underwater.portfolio.synth import synth_book


def _with_probabilities(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    chance = [None if k % 5 == 0 else f"{rng.integers(0, 1_000_001) / 1_000_000:.6f}" for k in range(rows)]
    return synth_book(rows, seed=seed).with_columns(pl.Series("default_probability", chance, dtype=pl.String))


def test_expected_loss_agrees_with_the_exact_engine_and_sums_in_the_summary() -> None:
    frame = _with_probabilities(400, 31)
    run = run_frame(frame, shocks=[15], stress=["fitch_prime_severe_recovery"])
    book, _ = validate(frame)
    specs = (Decimal(15), stress_path("fitch_prime_severe_recovery"))
    columns = ["expected_loss", "expected_loss_shock_15", "expected_loss_stress_fitch_prime_severe_recovery"]
    for i, row in enumerate(run.loans.select(columns).rows()):
        exact = exact_loan(exact_inputs(book, i), specs)
        assert list(row) == [exact[c] for c in columns], i
    assert run.summary["loans_with_default_probability"] == 320
    for scenario, column in zip(run.summary["scenarios"], columns, strict=True):
        total = run.loans[column].sum()
        assert scenario["total_expected_loss"] == f"{total:.2f}"
    # Where a row gives no probability there is no expected loss, whatever its deficiency.
    missing = run.loans.filter(pl.Series(frame["default_probability"].is_null()))
    assert missing["expected_loss"].null_count() == missing.height == 80
    assert run.loans.filter(pl.col("asset_class") == "home")["expected_loss"].null_count() > 0


def test_without_the_column_no_loss_is_invented() -> None:
    run = run_frame(synth_book(200, seed=2), shocks=[10])
    assert run.loans["expected_loss"].null_count() == 200
    assert run.summary["loans_with_default_probability"] == 0
    assert all(s["total_expected_loss"] is None for s in run.summary["scenarios"])


def test_a_one_probability_loses_the_whole_deficiency_and_zero_none() -> None:
    chance = ["1", "0", "0.5"] * 16 + ["1", "1"]
    frame = synth_book(50, seed=5).with_columns(pl.Series("default_probability", chance))
    loans = run_frame(frame).loans.with_columns(pl.Series("chance", chance))
    loans = loans.filter(pl.col("estimated_deficiency").is_not_null())
    ones, zeros = loans.filter(pl.col("chance") == "1"), loans.filter(pl.col("chance") == "0")
    assert ones.height and zeros.height
    assert ones["expected_loss"].to_list() == ones["estimated_deficiency"].to_list()
    assert set(zeros["expected_loss"].to_list()) == {Decimal(0)}


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1.5", "must be at most 1 (a probability)"),
        ("-0.1", "must not be negative"),
        ("0.1234567", "must have at most 6 decimal places"),
        ("2%", "must be a probability from 0 to 1 such as 0.02"),
        ("1e-3", "must be a probability from 0 to 1 such as 0.02"),
    ],
)
def test_a_bad_probability_is_a_reject_naming_the_field(cell: str, reason: str) -> None:
    frame = synth_book(2, seed=1).with_columns(pl.Series("default_probability", ["0.02", cell]))
    run = run_frame(frame)
    assert run.rejects.select("row", "field", "reason").rows() == [(2, "default_probability", reason)]


def test_a_float_probability_in_parquet_is_read_exactly_and_nan_is_a_reject() -> None:
    frame = synth_book(3, seed=1).with_columns(
        pl.Series("default_probability", [0.02, 0.000001, float("nan")])
    )
    run = run_frame(frame)
    book, _ = validate(frame)
    assert book.default_probability.tolist() == [20000, 1]
    assert run.rejects.select("field", "reason").rows() == [
        ("default_probability", "must be a finite number")
    ]


# --- a default probability by CLTV bucket, for loans whose row gives none --------------------

CURVE = "le_80=0.004,80_100=0.012,100_120=0.03,120_140=0.055,gt_140=0.09"


def test_a_curve_by_bucket_agrees_with_the_exact_engine_and_the_own_probability_comes_first() -> None:
    # Every fifth row gives no probability: those take their CLTV bucket's, in the month the
    # deficiency is estimated (today; the trough for a stress path); the others keep their own.
    frame = _with_probabilities(300, 47)
    curve = parse_default_curve(CURVE)
    run = run_frame(frame, shocks=[15], stress=["manheim_2007_09"], default_by_ltv=CURVE)
    book, _ = validate(frame)
    specs = (Decimal(15), stress_path("manheim_2007_09"))
    columns = ["expected_loss", "expected_loss_shock_15", "expected_loss_stress_manheim_2007_09"]
    for i, row in enumerate(run.loans.select(columns).rows()):
        exact = exact_loan(exact_inputs(book, i), specs, default_by_ltv=curve)
        assert list(row) == [exact[c] for c in columns], i
    own = run_frame(frame.filter(pl.col("default_probability").is_not_null()), default_by_ltv=CURVE)
    alone = run_frame(frame.filter(pl.col("default_probability").is_not_null()))
    assert own.loans["expected_loss"].to_list() == alone.loans["expected_loss"].to_list()
    # The summary adds up what the rows say, and counts them.
    for scenario, column in zip(run.summary["scenarios"], columns, strict=True):
        assert scenario["total_expected_loss"] == f"{run.loans[column].sum():.2f}"
        assert scenario["loans_with_expected_loss"] == run.loans[column].is_not_null().sum()
    assert run.summary["default_by_ltv"] == {
        "le_80": "0.004",
        "80_100": "0.012",
        "100_120": "0.03",
        "120_140": "0.055",
        "gt_140": "0.09",
    }


def test_a_bucket_the_curve_leaves_out_gives_no_expected_loss() -> None:
    frame = synth_book(300, seed=8)
    run = run_frame(frame, default_by_ltv={"gt_140": "0.1"})
    loans = run.loans.filter(pl.col("estimated_deficiency").is_not_null())
    deep = loans.filter(pl.col("cltv") > 1.4)
    shallow = loans.filter(pl.col("cltv") <= 1.4)
    assert deep.height and shallow.height
    assert shallow["expected_loss"].null_count() == shallow.height
    assert deep["expected_loss"].to_list() == [
        (d * Decimal("0.1")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        for d in deep["estimated_deficiency"]
    ]


@given(st.lists(st.integers(0, 1_000_000), min_size=5, max_size=5).map(sorted))
def test_a_deeper_path_never_lowers_the_expected_loss_on_a_rising_curve(millionths: list[int]) -> None:
    # Probabilities that rise with the bucket: a path that takes every month's value lower (at
    # its trough, with the same trough month) moves loans up the buckets and deepens each
    # deficiency, so the total can only grow.
    names = ["le_80", "80_100", "100_120", "120_140", "gt_140"]
    curve = {name: Decimal(m) / 1_000_000 for name, m in zip(names, millionths, strict=True)}
    frame = synth_book(150, seed=3)
    base = stress_path("manheim_2007_09")
    deeper = dataclasses.replace(base, name="deeper", levels=tuple(level - 5 for level in base.levels))
    run = run_frame(frame, stress=[base, deeper], default_by_ltv=curve)
    totals = {s.get("stress"): Decimal(s["total_expected_loss"] or 0) for s in run.summary["scenarios"]}
    assert totals["deeper"] >= totals["manheim_2007_09"]


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        ("le_80", "must be bucket=probability pairs such as le_80=0.01,80_100=0.02"),
        ("le_90=0.1", "le_90 is not a bucket: use le_80, 80_100, 100_120, 120_140, gt_140, no_value"),
        ("le_80=0.1,le_80=0.2", "gives le_80 twice"),
        (
            "le_80=1.5",
            "the probability for le_80 must be a decimal from 0 to 1 such as 0.02, at most 6 places",
        ),
        (
            "le_80=0.1234567",
            "the probability for le_80 must be a decimal from 0 to 1 such as 0.02, at most 6 places",
        ),
        (
            "le_80=٠.١",
            "the probability for le_80 must be a decimal from 0 to 1 such as 0.02, at most 6 places",
        ),
    ],
)
def test_a_bad_curve_is_refused_naming_the_rule(given: str, rule: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_default_curve(given)
    assert caught.value.field == "default_by_ltv"
    assert rule in str(caught.value)


_CURVE_PARTS = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=12),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
)
_CURVE_TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(HOSTILE_TEXT),
    # Real and made-up buckets with hostile probabilities: huge numbers, other scripts' digits,
    # exponents, lone surrogates, dates, control characters.
    st.lists(
        st.tuples(st.one_of(st.sampled_from(CLTV_BUCKETS), _CURVE_PARTS), _CURVE_PARTS),
        min_size=1,
        max_size=4,
    ).map(lambda pairs: ",".join(f"{bucket}={probability}" for bucket, probability in pairs)),
)


@given(_CURVE_TEXTS)
def test_any_text_is_a_curve_or_a_clear_refusal(text: str) -> None:
    try:
        curve = parse_default_curve(text)
    except InputError as error:
        assert error.field == "default_by_ltv"
        # The rule never repeats a control character or a lone surrogate raw (a terminal would
        # run an escape sequence): the user's text in it is escaped.
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in error.rule), error.rule
    else:
        assert curve.probabilities and set(curve.probabilities) <= set(CLTV_BUCKETS)
        assert all(0 <= p <= 1 for p in curve.probabilities.values())


def test_a_curve_built_by_hand_is_held_to_the_parsers_rules() -> None:
    # A notebook may build a DefaultCurve directly: 1.5 would give an expected loss above the
    # deficiency, and 0.0000001 would be cut to 0 millionths; both are refused, naming the field.
    for probabilities, message in (
        (
            {"le_80": Decimal("1.5")},
            r"^default_by_ltv: the probability for le_80 must be a decimal from 0 to 1",
        ),
        ({"le_80": Decimal("0.0000001")}, r"at most 6 places"),
        ({"le_90": Decimal("0.1")}, r"^default_by_ltv: le_90 is not a bucket"),
        ({}, r"^default_by_ltv: must give at least one"),
        ({"gt_140": 0.05}, r"^default_by_ltv: the probability for gt_140"),
    ):
        with pytest.raises(InputError, match=message):
            DefaultCurve(probabilities)  # type: ignore[arg-type]
    curve = DefaultCurve({"gt_140": "0.05", "le_80": 0})  # type: ignore[dict-item]
    assert curve.probabilities == {"gt_140": Decimal("0.05"), "le_80": Decimal(0)}
    assert curve.text() == parse_default_curve("le_80=0,gt_140=0.05").text()
