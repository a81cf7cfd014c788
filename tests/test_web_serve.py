"""``underwater serve`` against slow, idle and too many clients, and heavy requests off the event
loop: every test here talks to a real server on 127.0.0.1 (``web_fakes.serving_logged``), with
bounded loops of raw sockets, and the server stops by itself at the end.

The issue these answer: 700 connections sending partial headers, nothing, or a slow body stayed
open for 60 s; 1,100 idle connections under a 1,024-descriptor limit made the server
unreachable while asyncio logged "Too many open files" 415,116 times; ten clients looping heavy
requests held every cheap one behind theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from underwater.ops import operations
from underwater.web.serve import EXAMPLES
from underwater.web.workers import INLINE_JOBS
from web_fakes import example_pairs, serving_logged

QUICK = ("--header-timeout", "1", "--body-timeout", "1", "--keep-alive-timeout", "1")
"""Timeouts of a second, so that a test sees them run out."""


@pytest.fixture(scope="module")
def quick() -> Iterator[tuple[str, Any]]:
    with serving_logged(*QUICK, "--max-connections", "40") as served:
        yield served


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def _connect(base: str) -> socket.socket:
    sock = socket.create_connection(_address(base), timeout=10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection (10 s at most)."""
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/1.1 ") else 0


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    started = time.monotonic()
    data = _read_all(sock)
    return data, time.monotonic() - started


# -- timeouts ------------------------------------------------------------------------------------


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(quick: tuple[str, Any]) -> None:
    with _connect(quick[0]) as sock:
        data, took = _closed_within(sock, 10)
    assert data == b"" and 0.5 < took < 5


def test_partial_headers_are_answered_408_and_closed(quick: tuple[str, Any]) -> None:
    with _connect(quick[0]) as sock:
        sock.sendall(b"GET /api/equity?owed=1&value=2 HTTP/1.1\r\nHost: x\r\n")  # no blank line
        data, took = _closed_within(sock, 10)
    assert _status(data) == 408 and 0.5 < took < 5
    body = json.loads(data.partition(b"\r\n\r\n")[2])
    assert body["status"] == 408 and "within 1 s" in body["error"]


def test_headers_trickled_byte_by_byte_do_not_hold_a_connection_open(quick: tuple[str, Any]) -> None:
    # The deadline runs from the head's first byte, not from the last one (slowloris).
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    started = time.monotonic()
    with _connect(quick[0]) as sock:
        with contextlib.suppress(OSError):
            for byte in request:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
        data = _read_all(sock)
    assert _status(data) == 408 and time.monotonic() - started < 5


def test_a_slow_body_is_answered_408_and_closed(quick: tuple[str, Any]) -> None:
    head = b"POST /api/equity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    with _connect(quick[0]) as sock:
        sock.sendall(head + b'{"owed": 1')
        data, took = _closed_within(sock, 10)
    assert _status(data) == 408 and 0.5 < took < 5
    assert b"body" in data


def test_a_loan_books_upload_has_longer_than_the_body_timeout(quick: tuple[str, Any]) -> None:
    # A book of up to 50 MB takes longer than a form to send: its body has the upload timeout
    # (120 s by default), not the 1 s body timeout this server has.
    body = b'--b\r\nContent-Disposition: form-data; name="horizon"\r\n\r\n12\r\n--b--\r\n'
    head = (
        b"POST /api/portfolio HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    )
    with _connect(quick[0]) as sock:
        sock.sendall(head + body[:10])
        time.sleep(2.0)
        sock.sendall(body[10:])
        data, _took = _closed_within(sock, 10)
    assert _status(data) == 422, data[:300]
    assert b"choose the book" in data


def test_an_idle_keep_alive_connection_is_closed(quick: tuple[str, Any]) -> None:
    with _connect(quick[0]) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while not first.endswith(b"}"):  # the whole answer: {"ok":true,"version":"…"}
            first += sock.recv(65536)
        assert _status(first) == 200
        data, took = _closed_within(sock, 10)
    assert data == b"" and took < 5


def test_a_request_in_time_is_answered_as_before(quick: tuple[str, Any]) -> None:
    with httpx.Client(base_url=quick[0]) as client:
        assert client.get("/api/equity?owed=80000&value=60000").json()["negative_equity"] == "20000.00"
        posted = client.post("/api/equity", json={"owed": "80000", "value": 60000})
        assert posted.json()["negative_equity"] == "20000.00"


# -- too many connections ----------------------------------------------------------------------


def test_connections_beyond_the_cap_are_refused_503_and_logged_once(quick: tuple[str, Any]) -> None:
    base, log = quick
    held = []
    try:
        for _ in range(40):  # the cap: idle, partial and slow clients
            sock = _connect(base)
            held.append(sock)
        time.sleep(0.2)
        refused = []
        for _ in range(30):
            with _connect(base) as sock:
                refused.append(_read_all(sock))
        assert all(_status(raw) == 503 for raw in refused), refused[:2]
        body = json.loads(refused[0].partition(b"\r\n\r\n")[2])
        assert body["status"] == 503 and "limit of 40 connections" in body["error"]
        assert b"retry-after: 1" in refused[0].lower()
    finally:
        for sock in held:
            sock.close()
    # The held ones are gone (closed, or timed out): the server answers again.
    deadline = time.monotonic() + 10
    while httpx.get(base + "/healthz").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    refusals = [line for line in log().splitlines() if "connections refused" in line]
    assert 1 <= len(refusals) <= 2, refusals  # one line a minute, not one per connection


def test_under_a_descriptor_limit_the_cap_keeps_the_server_up_and_quiet() -> None:
    # 1,100 idle connections under `ulimit -n 1024` made the server unreachable and asyncio log
    # "Too many open files" hundreds of thousands of times. Here: 512 descriptors, a cap of
    # 256 below it, and 400 idle clients.
    with serving_logged("--header-timeout", "30", open_files=512) as (base, log):
        assert "at most 256 connections" in log()
        held = []
        statuses: list[int] = []
        try:
            for _ in range(400):
                held.append(_connect(base))
            for _ in range(20):
                with _connect(base) as sock:
                    statuses.append(_status(_read_all(sock)))
        finally:
            for sock in held:
                sock.close()
        assert statuses == [503] * 20
        deadline = time.monotonic() + 10
        while httpx.get(base + "/healthz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        text = log()
    assert "Too many open files" not in text.replace("out of file descriptors: connections wait", "")
    assert len(text.splitlines()) < 40, text[-2000:]


# -- heavy requests in worker processes ------------------------------------------------------------


def test_a_cheap_request_is_not_held_behind_heavy_ones(quick: tuple[str, Any]) -> None:
    # Ten 600-month comparisons arrive first; a position asked after them is answered before the
    # last of them (on the event loop it waited for all of them). Order, not time, is tested.
    base = quick[0]
    heavy = (
        "/api/options?owed=80000&value=60000&offer=58000&rate_percent=9&remaining_payments=600"
        "&asset_class=class8_sleeper&age_months=24&as_of=2026-12-01"
    )
    finished: list[str] = []

    async def ask(client: httpx.AsyncClient, url: str, label: str) -> None:
        response = await client.get(url)
        assert response.status_code == 200, response.text[:300]
        finished.append(label)

    async def go() -> None:
        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            await client.get(heavy)  # warm
            tasks = [asyncio.create_task(ask(client, heavy, "heavy")) for _ in range(10)]
            await asyncio.sleep(0.05)
            await ask(client, "/api/equity?owed=80000&value=60000", "cheap")
            await asyncio.gather(*tasks)

    asyncio.run(go())
    assert finished.index("cheap") < len(finished) - 1, finished


@pytest.mark.parametrize(
    "job", sorted({"loan", "project", "options", "value", "apr", "deficiency"} - INLINE_JOBS)
)
def test_a_worker_answers_what_the_app_answers(quick: tuple[str, Any], job: str) -> None:
    # The same JSON, page and error as the app in-process (the worker runs the same app).
    from underwater.web.app import create_app

    _argv, pairs = example_pairs(operations()[job].examples[0])
    app = create_app()

    async def local(url: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.get(url)

    query = urlencode(pairs)
    with httpx.Client(base_url=quick[0]) as client:
        for url in (f"/api/{job}?{query}", f"/api/{job}?{query}&rate_percent=abc"):
            served = client.get(url)
            here = asyncio.run(local(url))
            assert served.status_code == here.status_code
            assert served.json() == here.json()
            assert "x-request-id" in served.headers and "content-security-policy" in served.headers
        page = client.get(f"/{job}?{query}")
        assert page.status_code == 200 and "<html" in page.text
        posted = client.post(
            f"/api/{job}", content=b'{"zzz": 1}', headers={"content-type": "application/json"}
        )
        assert posted.status_code == 422 and posted.json()["errors"][0]["field"] == "zzz"
        too_big = client.post(
            f"/api/{job}", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"}
        )
        assert too_big.status_code == 413


def test_serve_help_names_every_limit(capsys: pytest.CaptureFixture[str]) -> None:
    from underwater.cli import main

    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--workers",
        "--max-connections",
        "--header-timeout",
        "--body-timeout",
        "--keep-alive-timeout",
        "--upload-timeout",
    ):
        assert option in out
    assert EXAMPLES[-1] in out


@pytest.mark.parametrize(
    "arguments",
    [
        ["--header-timeout", "0"],
        ["--body-timeout", "x"],
        ["--workers", "0"],
        ["--max-connections", "99999999"],
    ],
)
def test_serve_refuses_a_bad_limit_in_one_line(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from underwater.cli import main

    assert main(["serve", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert arguments[0] in err and "Traceback" not in err


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def _server_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                words = cmdline.read().split(b"\0")
                if b"serve" in words and port.encode() in words:
                    return int(entry)
    raise AssertionError(f"no server process for {base}")


def test_a_killed_worker_is_replaced(quick: tuple[str, Any]) -> None:
    base = quick[0]
    url = "/api/project?owed=24000&rate_percent=7.9&remaining_payments=48&value=20000"
    assert httpx.get(base + url).status_code == 200
    workers = [pid for child in _children(_server_pid(base)) for pid in _children(child)]
    assert workers, "no worker process found"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    answers = [httpx.get(base + url, timeout=60).status_code for _ in range(3)]
    assert answers[-1] == 200 and set(answers) <= {200, 500}, answers


def test_heavy_requests_beyond_the_queue_are_answered_503_at_once() -> None:
    # One worker and no queue: of three heavy requests at once, one is computed and the others
    # are told to come back (Retry-After) rather than held. Threads stand in for processes.
    from underwater.web.app import create_app
    from underwater.web.workers import ThreadPool

    pool = ThreadPool(1, queue_limit=0)
    app = create_app(pool=pool)
    url = "/api/project?owed=24000&rate_percent=7.9&remaining_payments=48&value=20000"

    async def go() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return list(await asyncio.gather(*(client.get(url) for _ in range(3))))

    try:
        answers = asyncio.run(go())
    finally:
        pool.close()
    assert sorted(a.status_code for a in answers) == [200, 503, 503]
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"] == "1" and busy.json()["status"] == 503
    assert "x-request-id" in busy.headers
