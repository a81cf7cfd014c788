"""The OpenAPI document says exactly what the server accepts, field by field.

For every field of every job, values a hostile client might send (hypothesis, plus a fixed list
of the hostile tester's cases) go both to a JSON Schema validator (``jsonschema_rs``, the
Rust validator schemathesis uses, reading patterns as ECMA-262 does) with the field's schema
from ``/openapi.json``, and to the server's own reading (the JSON layer of the app, then the
form). The two must agree, except for the rules the schema says in words because JSON Schema
cannot state them (:func:`web_fakes.beyond_schema`). Cross-field rules are checked the same
way on whole bodies, and every job with a rule across fields has it written down.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from underwater.errors import InputError, NoSolutionError
from underwater.forms import Field, Form, Kind
from underwater.ops import operations
from underwater.web import jsonbody
from underwater.web.openapi import CROSS_FIELD, JOB_RULES, PAIR_NAMES, input_schema, openapi_document
from web_fakes import beyond_schema

OPS = operations()
DOC = openapi_document(OPS, "test")
FIELDS = [(job, f) for job, op in OPS.items() for f in op.form.fields]


def _validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.Draft202012Validator(schema)


BODY = {
    (job, f.name): _validator(input_schema(op)["properties"][f.name])
    for job, op in OPS.items()
    for f in op.form.fields
}
QUERY = {
    (job, p["name"]): _validator(p["schema"])
    for job in OPS
    for p in DOC["paths"][f"/api/{job}"]["get"]["parameters"]
}

TEXTS = st.one_of(
    st.sampled_from(
        [
            "18000",
            "18,000.50",
            "$18,000.50",
            "-$5",
            "$-5",
            "-0",
            "+5",
            "6.9 %",
            ".5",
            "5.",
            " 12 ",
            "\t7\t",
            "٦٠",
            "６０",
            "²",
            "+-5",
            "1 2",
            "12,5",
            "1,2345",
            "1_000",
            "1e5",
            "1E+26",
            "9" * 27,
            "9" * 31,
            "1.005",
            "nan",
            "-inf",
            "Infinity",
            "2026-12-01",
            "2026-02-30",
            "9999-12-31",
            "1899-12-31",
            "2026-W05-1",
            "20261201",
            " 2026-12-01 ",
            "true",
            "FALSE",
            " Yes ",
            "on",
            "maybe",
            "car",
            " CAR ",
            "PIC\u212aUP",
            "pickup",
            "market",
            "365",
            "HELOC=30000",
            "HELOC=",
            "=5",
            " a = 5",
            "x=1.005",
            "2026-01-10=5000",
            "12=1000",
            "0=1",
            "a\x07b",
            "x" * 201,
            "",
            " ",
            "\u3000",
            "\x1c",
            "\u00a0x\u00a0",
            "a\u0085",
            "é",
            "\U0001f600",
            "\ufeff",
            "0" * 30,
            "1" * 30 + "=1",
        ]
    ),
    st.text(alphabet=st.sampled_from("0123456789,.$+-% \t=eE:Tabc\u00a0\u212a\u0663"), max_size=34),
    st.text(max_size=40),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**35), max_value=10**35),
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str),
    st.sampled_from(["1e26", "1e400", "5e-324", "0.07", "1.1", "12.0", "1.5e1", "-0.0", "1e-7", "99.999"]),
)


def _json_values() -> st.SearchStrategy[str]:
    """JSON text of one value, as a client would write it."""
    scalars = st.one_of(
        TEXTS.map(json.dumps),
        NUMBERS.map(str),
        st.sampled_from(["true", "false", "null", "[]", "{}", '[""]', "[null]"]),
    )
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=3).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.tuples(TEXTS, NUMBERS).map(
            lambda p: json.dumps({"name": p[0], "amount": "X"}).replace('"X"', str(p[1]))
        ),
        st.tuples(TEXTS, scalars).map(lambda p: f"[{json.dumps(p[0])}, {p[1]}]"),
    )


def _server_reads(field: Field, raw: dict[str, Any]) -> list[InputError]:
    """The problems the server finds in ``raw`` (this field only): [] when it takes it."""
    problems = jsonbody.input_problems(raw, Form((field,)))
    if problems:
        return problems
    try:
        Form((field,)).parse(raw)
    except InputError as exc:
        return list(exc.problems)
    return []


def _agrees(valid: bool, problems: list[InputError], value: Any, narrowed: bool = False) -> bool:
    if valid == (not problems):
        return True
    if narrowed and not valid:
        # A pair whose name the job reads itself (a payment number or a date): the form takes
        # any name and the job's computation refuses the rest, as the schema does.
        return True
    # Valid by the schema yet refused: fine only for a rule the description states because JSON
    # Schema cannot (a bound on a number written as text, whole cents, a day the month lacks).
    return valid and all(beyond_schema(p.rule, value) for p in problems)


@pytest.mark.parametrize(("job", "field"), FIELDS, ids=[f"{j}.{f.name}" for j, f in FIELDS])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_json_values())
def test_body_schema_of_each_field_matches_the_server(job: str, field: Field, text: str) -> None:
    parsed = jsonbody.read_object(f'{{"{field.name}": {text}}}'.encode())
    problems = _server_reads(field, parsed)
    valid = BODY[job, field.name].is_valid(json.loads(text))
    narrowed = field.name in PAIR_NAMES.get(job, {})
    assert _agrees(valid, problems, parsed[field.name], narrowed), (
        text,
        valid,
        [p.message for p in problems],
    )


@pytest.mark.parametrize(("job", "field"), FIELDS, ids=[f"{j}.{f.name}" for j, f in FIELDS])
@settings(max_examples=12, deadline=None)
@given(values=st.lists(TEXTS, min_size=1, max_size=3))
def test_query_schema_of_each_field_matches_the_server(job: str, field: Field, values: list[str]) -> None:
    raw = {field.name: values[0] if len(values) == 1 else values}
    problems = _server_reads(field, raw)
    # A query parameter is a string, or (repeatable) an array of strings: what the client sends.
    # A box of lines takes its lines one at a time too.
    listed = field.repeat or field.kind == "lines"
    instance: Any = values if listed else values[0]
    if not listed and len(values) > 1:
        assert problems  # the server takes one value; the schema has no way to send two
        return
    valid = QUERY[job, field.name].is_valid(instance)
    narrowed = field.name in PAIR_NAMES.get(job, {})
    assert _agrees(valid, problems, raw[field.name], narrowed), (values, valid, [p.message for p in problems])


# -- patterns read alike in Python and in ECMA-262 ---------------------------------------------

PATTERNS = sorted(
    {
        node["pattern"]
        for node in (lambda walk: walk(walk, DOC))(
            lambda walk, n: (
                [n, *[x for v in n.values() for x in walk(walk, v)]]
                if isinstance(n, dict)
                else [x for v in n for x in walk(walk, v)]
                if isinstance(n, list)
                else []
            )
        )
        if isinstance(node.get("pattern"), str)
    }
)


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"pattern-{i}" for i in range(len(PATTERNS))])
@settings(max_examples=40, deadline=None)
@given(text=TEXTS)
@example(text="5\n")
def test_every_pattern_reads_alike_in_python_and_ecma(pattern: str, text: str) -> None:
    if text.endswith("\n"):
        # Python's "$" also matches before a final newline, ECMA's does not: the parsers take
        # "5\n" as 5 (patterns.py uses re.match; reported, not changed here). JSON Schema
        # validators read patterns the ECMA way, so the schema is the stricter of the two.
        return
    assert bool(re.search(pattern, text)) == _validator({"pattern": pattern}).is_valid(text), text


# -- rules across fields ----------------------------------------------------------------------


def test_every_job_with_a_rule_across_fields_has_it_written() -> None:
    for name, op in OPS.items():
        if op.form.check is not None or name == "loan":  # loan's rules live in its compute
            assert JOB_RULES.get(name), name
    for name, rules in JOB_RULES.items():
        known = {f.name for f in OPS[name].form.fields}
        for rule in rules:
            named = set(re.findall(r"`([a-z_]+)`", rule))
            assert named and named <= known, (name, named - known)
    assert set(CROSS_FIELD) <= set(JOB_RULES)
    assert set(PAIR_NAMES) <= set(OPS)


def test_the_rules_are_in_each_operation_description() -> None:
    for name, rules in JOB_RULES.items():
        for method in ("get", "post"):
            description = DOC["paths"][f"/api/{name}"][method]["description"]
            assert all(rule in description for rule in rules)
            assert not re.search(r"--[a-z]", description)


def _bodies(job: str) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies built from the job's examples with fields dropped, blanked or added from others."""
    from web_fakes import example_pairs

    examples = [dict(example_pairs(e)[1]) for e in OPS[job].examples]
    names = [f.name for f in OPS[job].form.fields if f.kind is not Kind.FLAG]
    pool: dict[str, str] = {}
    for e in examples:
        pool.update(e)
    for f in OPS[job].form.fields:
        if f.example is not None:
            pool.setdefault(f.name, f.example)
    return st.builds(
        lambda base, drop, add, blank: {
            **{k: ("" if k in blank else v) for k, v in base.items() if k not in drop},
            **{k: pool[k] for k in add if k in pool},
        },
        st.sampled_from(examples),
        st.sets(st.sampled_from(names), max_size=4),
        st.sets(st.sampled_from(sorted(pool)), max_size=3),
        st.sets(st.sampled_from(names), max_size=2),
    )


CHECKED = sorted(CROSS_FIELD)
CHECKED_EXAMPLES = 60


@pytest.mark.parametrize("job", CHECKED)
@settings(max_examples=CHECKED_EXAMPLES, deadline=None)
@given(data=st.data())
def test_cross_field_rules_in_the_schema_match_the_check(job: str, data: st.DataObject) -> None:
    body = data.draw(_bodies(job))
    form = OPS[job].form
    for name, value in list(body.items()):
        if form.field(name).repeat:
            body[name] = [value]
    try:
        values = form.parse(body)
        problems: list[InputError] = []
        if job == "loan":  # its rules across fields are checked when it computes
            try:
                OPS[job].compute(values)
            except InputError as exc:
                problems = [p for p in exc.problems if p.rule.startswith("is required unless")]
            except NoSolutionError:
                pass  # well-formed inputs no rate or term satisfies: not the schema's business
    except InputError as exc:
        problems = list(exc.problems)
    valid = _validator(input_schema(OPS[job])).is_valid(body)
    assert _agrees(valid, problems, None), (body, valid, [p.message for p in problems])


def test_decimal_bounds_are_exact_as_json_numbers() -> None:
    # Every bound is written as a JSON number; each must be the field's own bound exactly.
    for job, op in OPS.items():
        for field in op.form.fields:
            for value in (field.minimum, field.maximum):
                if value is not None:
                    assert Decimal(str(float(value))) == Decimal(value) or isinstance(value, int), (
                        job,
                        field.name,
                    )
