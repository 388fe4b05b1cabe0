"""hft_core speed, beside nautilus-trader's Rust OrderBook on the same workloads, in one table.

Run: ``python -m bench.hft`` (or ``.venv/bin/python bench/hft.py``). Options: ``--quick`` (a
tenth of the sizes), ``--no-nautilus``, ``--no-mypyc``.

Workloads (seeded, identical for both sides):

* 1,000,000 L2 deltas, levels around 100.00 (tick 0.01, distance from the touch drawn from an
  exponential with mean 20 ticks), about 10 % deletes; best bid/ask read after every delta.
  Ours receives ``(side, ticks, lots)`` ints; nautilus is measured two ways per delta: from
  ``(side, price, size)`` floats through ``Price``/``Quantity``/``BookOrder``/
  ``OrderBookDelta``, and from the same ints through ``OrderBookDelta.from_raw`` (its fastest
  build path). The 1.3x target is checked against the faster of the two.
* matching engine: 500,000 operations, 60 % limit, 30 % cancel, 10 % market.
* cross-venue arbitrage scan over 6 venues x 50 symbols; triangular over 98 markets.
* the matching flow again with ``hft_core``'s orders/queues/matching modules compiled by
  mypyc (unchanged source; mypy in ``.venv-mypyc``): the proposed step where pure Python
  falls short of the 0.8 M orders/s target.

Nautilus runs in its own virtualenv (``.venv-nautilus``, created on first use) in a child
process. Throughputs are measured in CPU time of the measuring process (``process_time``) and
are the best of ``REPEATS`` runs, so that other tenants of a shared machine count as little as
possible; p50/p99 come from timing single operations with ``perf_counter_ns`` (wall clock)
and include the timer's own cost, printed under the table.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from hft_core.arbitrage import Market, Quote, TriangularScanner, scan_cross_venue  # noqa: E402
from hft_core.book import OrderBook  # noqa: E402
from hft_core.matching import MatchingEngine  # noqa: E402
from hft_core.orders import Order, Side  # noqa: E402
from hft_core.scale import TickScale  # noqa: E402

NAUTILUS_VERSION = "1.221.0"
NAUTILUS_VENV = ROOT / ".venv-nautilus"
REPEATS = 3
SCALE = TickScale.of("0.01", "1")


def generate_deltas(count: int, seed: int = 42) -> list[tuple[int, int, int]]:
    """``(side, price ticks, size lots)``; side 0 bid, 1 ask; size 0 deletes (about 10 %)."""
    rng = random.Random(seed)
    deltas = []
    for _ in range(count):
        side = 0 if rng.random() < 0.5 else 1
        distance = int(rng.expovariate(1 / 20))
        price = 10000 - distance if side == 0 else 10001 + distance
        size = 0 if rng.random() < 0.1 else rng.randint(1, 1000)
        deltas.append((side, price, size))
    return deltas


def generate_flow(count: int, seed: int = 7) -> list[tuple[int, int, Side | None, int, int | None]]:
    """``(kind, id, side, quantity, price)``: kind 0 limit (60 %), 1 cancel (30 %), 2 market (10 %).

    Limit prices cluster at the touch (a quarter are marketable) and cancels always name an
    order that is still resting, so the book reaches a steady state of a few thousand orders
    instead of growing without bound. A scratch engine tracks which orders are live.
    """
    rng = random.Random(seed)
    scratch = MatchingEngine(SCALE)
    ops: list[tuple[int, int, Side | None, int, int | None]] = []
    live: list[int] = []
    for index in range(count):
        draw = rng.random()
        while live and scratch.order(str(live[-1])) is None:
            live.pop()
        if draw < 0.6 or not live:
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            distance = int(rng.expovariate(1 / 6)) - 1
            price = 10000 - distance if side == Side.BUY else 10001 + distance
            ops.append((0, index, side, rng.randint(1, 100), price))
            scratch.submit(Order(str(index), side, ops[-1][3], price))
            live.append(index)
        elif draw < 0.9:
            pick = rng.randrange(len(live))
            while scratch.order(str(live[pick])) is None:
                live[pick] = live[-1]
                live.pop()
                pick = rng.randrange(len(live)) if live else 0
            if not live:
                continue
            live[pick], live[-1] = live[-1], live[pick]
            ops.append((1, live.pop(), None, 0, None))
            scratch.cancel(str(ops[-1][1]))
        else:
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            ops.append((2, index, side, rng.randint(1, 192), None))
            scratch.submit(Order(str(index), side, ops[-1][3]))
    return ops


# ----------------------------------------------------------------------------- our side
def _best_rate(run, count: int) -> float:
    best = 0.0
    for _ in range(REPEATS):
        elapsed = run()
        best = max(best, count / elapsed)
    return best


def _percentiles(samples: list[int]) -> tuple[float, float]:
    samples.sort()
    return samples[len(samples) // 2] / 1e3, samples[int(len(samples) * 0.99)] / 1e3


def bench_book(deltas: list[tuple[int, int, int]]) -> dict[str, float]:
    def per_delta() -> float:
        book = OrderBook("BENCH", SCALE)
        apply = book.apply_delta
        start = time.process_time()
        for side, price, size in deltas:
            apply(side, price, size)
            book.best_bid_ticks, book.best_ask_ticks  # noqa: B018  # the read being measured
        return time.process_time() - start

    def batch() -> float:
        book = OrderBook("BENCH", SCALE)
        start = time.process_time()
        book.apply_deltas(deltas)
        return time.process_time() - start

    loaded = OrderBook("BENCH", SCALE)
    loaded.apply_deltas(deltas)

    def reads() -> float:
        start = time.process_time()
        for _ in deltas:
            loaded.best_bid_ticks, loaded.best_ask_ticks  # noqa: B018
        return time.process_time() - start

    count = len(deltas)
    return {
        "delta": _best_rate(per_delta, count),
        "batch": _best_rate(batch, count),
        "reads": _best_rate(reads, count),
        **_book_latency(deltas[:200_000]),
        "text": _text_rate(deltas[:100_000]),
    }


def _book_latency(deltas: list[tuple[int, int, int]]) -> dict[str, float]:
    book = OrderBook("BENCH", SCALE)
    apply, clock, samples = book.apply_delta, time.perf_counter_ns, []
    for side, price, size in deltas:
        start = clock()
        apply(side, price, size)
        book.best_bid_ticks, book.best_ask_ticks  # noqa: B018
        samples.append(clock() - start)
    p50, p99 = _percentiles(samples)
    return {"delta_p50": p50, "delta_p99": p99}


def _text_rate(deltas: list[tuple[int, int, int]]) -> float:
    """Deltas arriving as venue text (``"100.25"``, ``"17"``), converted at the edge per delta."""
    texts = [(side, str(SCALE.price(price)), str(size)) for side, price, size in deltas]

    def run() -> float:
        book = OrderBook("BENCH", SCALE)
        apply, to_ticks, to_lots = book.apply_delta, SCALE.to_ticks, SCALE.to_lots
        start = time.process_time()
        for side, price, size in texts:
            apply(side, to_ticks(price), to_lots(size))
        return time.process_time() - start

    return _best_rate(run, len(texts))


def bench_matching(ops: list[tuple[int, int, Side | None, int, int | None]]) -> dict[str, float]:
    ids = [(kind, str(order_id), side, quantity, price) for kind, order_id, side, quantity, price in ops]

    def run() -> float:
        engine = MatchingEngine(SCALE)
        submit, cancel = engine.submit, engine.cancel
        start = time.process_time()
        for kind, order_id, side, quantity, price in ids:
            if kind == 1:
                cancel(order_id)
            else:
                submit(Order(order_id, side, quantity, price))  # type: ignore[arg-type]
        return time.process_time() - start

    engine, clock, samples = MatchingEngine(SCALE), time.perf_counter_ns, []
    for kind, order_id, side, quantity, price in ids[:200_000]:
        start = clock()
        if kind == 1:
            engine.cancel(order_id)
        else:
            engine.submit(Order(order_id, side, quantity, price))  # type: ignore[arg-type]
        samples.append(clock() - start)
    p50, p99 = _percentiles(samples)
    return {"ops": _best_rate(run, len(ids)), "p50": p50, "p99": p99, "yardstick": _yardstick_rate(ids)}


def _yardstick_rate(ids: list[tuple[int, str, Side | None, int, int | None]]) -> float:
    """The issue's yardstick on the same flow: a plain SortedDict of price -> deque engine.

    Limit, market and (lazy) cancel only: no STP, FOK, post-only, amend or trade objects. Run
    in the same process so that the machine's load of the moment affects both alike.
    """
    from collections import deque

    from sortedcontainers import SortedDict

    def run() -> float:
        books, index = (SortedDict(), SortedDict()), {}  # bids keyed by -price, asks by price
        start = time.process_time()
        for kind, order_id, side, quantity, price in ids:
            if kind == 1:
                entry = index.pop(order_id, None)
                if entry is not None:
                    entry[1] = 0
                continue
            own_key = None if price is None else (-price if side == 0 else price)
            opposite, fills = books[1 - side], []  # type: ignore[operator]
            while quantity and opposite:
                key, queue = opposite.peekitem(0)
                if own_key is not None and key > -own_key:
                    break
                entry = queue[0]
                take = min(quantity, entry[1])
                if take:
                    fills.append((entry[0], take))
                    entry[1] -= take
                    quantity -= take
                if not entry[1]:
                    queue.popleft()
                    index.pop(entry[0], None)
                    if not queue:
                        del opposite[key]
            if quantity and own_key is not None:
                entry = [order_id, quantity]
                books[side].setdefault(own_key, deque()).append(entry)  # type: ignore[index]
                index[order_id] = entry
        return time.process_time() - start

    return _best_rate(run, len(ids))


def _venue_quotes(rng: random.Random, venues: int, symbols: int) -> dict[str, dict[str, Quote]]:
    """Venues agree to within a few cents (no arbitrage after 0.1 % fees), except two planted symbols."""
    quotes: dict[str, dict[str, Quote]] = {}
    planted = {rng.randrange(symbols) for _ in range(2)}
    for venue in range(venues):
        quotes[f"venue{venue}"] = {}
        for symbol in range(symbols):
            mid = Decimal(100 + symbol) + Decimal(rng.randint(-5, 5)) / 100
            if venue == 0 and symbol in planted:
                mid += 1  # this venue's bid is now well above the others' asks
            size = Decimal(rng.randint(1, 50)) / 10
            quotes[f"venue{venue}"][f"SYM{symbol}/USDT"] = Quote(
                mid - Decimal("0.01"), size, mid + Decimal("0.01"), size
            )
    return quotes


def _triangle_quotes(rng: random.Random, assets: int) -> tuple[list[Market], dict[str, Quote]]:
    markets, quotes = (
        [Market("BTC/USDT", "BTC", "USDT")],
        {"BTC/USDT": Quote(Decimal(30000), Decimal(1), Decimal(30001), Decimal(1))},
    )
    for asset in range(assets):
        usdt = Decimal(10 + asset) * (1 + Decimal(rng.randint(-20, 20)) / 10000)
        btc = (Decimal(10 + asset) / 30000).quantize(Decimal("0.00000001"))
        markets += [Market(f"A{asset}/USDT", f"A{asset}", "USDT"), Market(f"A{asset}/BTC", f"A{asset}", "BTC")]
        quotes[f"A{asset}/USDT"] = Quote(usdt, Decimal(5), usdt + Decimal("0.001"), Decimal(5))
        quotes[f"A{asset}/BTC"] = Quote(btc, Decimal(5), btc + Decimal("0.00000001"), Decimal(5))
    return markets, quotes


def bench_arbitrage(scans: int) -> dict[str, float]:
    rng = random.Random(3)
    snapshots = [_venue_quotes(rng, 6, 50) for _ in range(10)]
    fees = {venue: Decimal("0.001") for venue in snapshots[0]}
    markets, quotes = _triangle_quotes(rng, 48)
    scanner = TriangularScanner(markets, fee=Decimal("0.001"))
    cross = _timed(scans, lambda index: scan_cross_venue(snapshots[index % 10], fees))
    triangles = _timed(scans, lambda index: scanner.scan(quotes))
    found = sum(len(scan_cross_venue(snapshot, fees)) for snapshot in snapshots) / len(snapshots)
    return {**{f"cross_{k}": v for k, v in cross.items()}, **{f"tri_{k}": v for k, v in triangles.items()},
            "found": found, "cycles": len(scanner.cycles)}  # fmt: skip


def _timed(count: int, scan) -> dict[str, float]:
    """Mean CPU microseconds per call, and wall-clock p50/p99 of single calls."""
    start = time.process_time()
    for index in range(count):
        scan(index)
    mean = (time.process_time() - start) / count * 1e6
    clock, samples = time.perf_counter_ns, []
    for index in range(count):
        began = clock()
        scan(index)
        samples.append(clock() - began)
    p50, p99 = _percentiles(samples)
    return {"mean": mean, "p50": p50, "p99": p99}


# ------------------------------------------------------------------------ nautilus side
_NAUTILUS_WORKLOAD = """
def run_nautilus(count, repeats):
    import time
    import nautilus_trader
    from nautilus_trader.model.book import OrderBook
    from nautilus_trader.model.data import BookOrder, OrderBookDelta, OrderBookDeltas
    from nautilus_trader.model.enums import BookAction, BookType, OrderSide
    from nautilus_trader.model.identifiers import InstrumentId
    from nautilus_trader.model.objects import Price, Quantity

    iid = InstrumentId.from_str("BENCH.SIM")
    sides = (OrderSide.BUY, OrderSide.SELL)
    update, delete = BookAction.UPDATE, BookAction.DELETE
    values = [(sides[s], p / 100, float(q)) for s, p, q in generate_deltas(count)]

    def build(i, side, price, size):
        order = BookOrder(side, Price(price, 2), Quantity(size, 0), 0)
        return OrderBookDelta(iid, update if size else delete, order, 0, i + 1, 0, 0)

    def build_and_apply():
        book = OrderBook(iid, BookType.L2_MBP)
        apply, bid, ask = book.apply_delta, book.best_bid_price, book.best_ask_price
        start = time.process_time()
        for i, (side, price, size) in enumerate(values):
            apply(build(i, side, price, size)); bid(); ask()
        return time.process_time() - start

    raw_scale = Price(1.0, 0).raw  # 10**9, or 10**16 in high-precision builds
    tick_raw, lot_raw = raw_scale // 100, raw_scale
    ints = generate_deltas(count)

    def build_raw_and_apply():
        book = OrderBook(iid, BookType.L2_MBP)
        apply, bid, ask, from_raw = book.apply_delta, book.best_bid_price, book.best_ask_price, OrderBookDelta.from_raw
        start = time.process_time()
        for i, (side, ticks, lots) in enumerate(ints):
            apply(from_raw(iid, update if lots else delete, sides[side], ticks * tick_raw, 2, lots * lot_raw, 0,
                           0, 0, i + 1, 0, 0))
            bid(); ask()
        return time.process_time() - start

    prebuilt = [build(i, *v) for i, v in enumerate(values)]

    def apply_prebuilt():
        book = OrderBook(iid, BookType.L2_MBP)
        apply, bid, ask = book.apply_delta, book.best_bid_price, book.best_ask_price
        start = time.process_time()
        for delta in prebuilt:
            apply(delta); bid(); ask()
        return time.process_time() - start

    def batch():
        book = OrderBook(iid, BookType.L2_MBP)
        deltas = OrderBookDeltas(iid, prebuilt)
        start = time.process_time()
        book.apply_deltas(deltas)
        return time.process_time() - start

    loaded = OrderBook(iid, BookType.L2_MBP)
    loaded.apply_deltas(OrderBookDeltas(iid, prebuilt))

    def reads():
        bid, ask = loaded.best_bid_price, loaded.best_ask_price
        start = time.process_time()
        for _ in range(count):
            bid(); ask()
        return time.process_time() - start

    def best(run):
        return max(count / run() for _ in range(repeats))

    book, clock, samples = OrderBook(iid, BookType.L2_MBP), time.perf_counter_ns, []
    for i, (side, price, size) in enumerate(values[:200_000]):
        start = clock()
        book.apply_delta(build(i, side, price, size)); book.best_bid_price(); book.best_ask_price()
        samples.append(clock() - start)
    samples.sort()
    return {"version": nautilus_trader.__version__, "delta": best(build_and_apply), "raw": best(build_raw_and_apply),
            "prebuilt": best(apply_prebuilt), "batch": best(batch), "reads": best(reads),
            "delta_p50": samples[len(samples) // 2] / 1e3, "delta_p99": samples[int(len(samples) * 0.99)] / 1e3}
"""


def _nautilus_python() -> tuple[Path | None, str]:
    """The nautilus venv's interpreter, creating the venv on first use; or None and why not."""
    python = NAUTILUS_VENV / "bin" / "python"
    if python.exists():
        return python, ""
    try:
        subprocess.run([sys.executable, "-m", "venv", str(NAUTILUS_VENV)], check=True, capture_output=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"nautilus_trader=={NAUTILUS_VERSION}"],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        return None, f"install failed: {str(error)[:80]} {detail.decode(errors='replace')[-200:]}"
    return python, ""


def bench_nautilus(count: int) -> tuple[dict[str, float] | None, str]:
    python, reason = _nautilus_python()
    if python is None:
        return None, reason
    script = "\n".join(
        ["import json, random", inspect.getsource(generate_deltas), _NAUTILUS_WORKLOAD,
         f"print(json.dumps(run_nautilus({count}, {REPEATS})))"]
    )  # fmt: skip
    try:
        done = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=1200, check=True)
    except subprocess.SubprocessError as error:
        return None, f"nautilus workload failed: {getattr(error, 'stderr', '') or error}"[-300:]
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


# ------------------------------------------------------------- the compiled-core proposal
MYPYC_VENV = ROOT / ".venv-mypyc"
MYPYC_MODULES = ("orders.py", "queues.py", "matching.py")


def bench_matching_mypyc(count: int) -> tuple[float | None, str]:
    """The same matching flow with orders/queues/matching compiled by mypyc, unchanged.

    This is the proposed step past pure Python; the sources are compiled into
    ``bench/out/mypyc-<hash>`` (gitignored) with mypy from its own venv, then measured in a
    child process of this interpreter. Returns orders/s, or None and the reason.
    """
    import hashlib
    import shutil

    sources = b"".join((ROOT / "hft_core" / name).read_bytes() for name in MYPYC_MODULES)
    build = ROOT / "bench" / "out" / f"mypyc-{hashlib.sha256(sources).hexdigest()[:12]}"
    try:
        if not (build / "hft_core" / "matching.py").exists() or not list((build / "hft_core").glob("matching*.so")):
            mypyc = MYPYC_VENV / "bin" / "mypyc"
            if not mypyc.exists():
                subprocess.run([sys.executable, "-m", "venv", str(MYPYC_VENV)], check=True, capture_output=True)
                pip = [str(MYPYC_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "mypy>=1.10", "setuptools"]
                subprocess.run(pip, check=True, capture_output=True, timeout=600)
            shutil.rmtree(build, ignore_errors=True)
            shutil.copytree(ROOT / "hft_core", build / "hft_core", ignore=shutil.ignore_patterns("__pycache__"))
            modules = [f"hft_core/{name}" for name in MYPYC_MODULES]
            subprocess.run([str(mypyc), *modules], cwd=build, check=True, capture_output=True, timeout=600)
        code = (
            f"import sys, json; sys.path[:0] = [{str(build)!r}, {str(ROOT)!r}]\n"
            "import hft_core.matching as m; assert m.__file__.endswith('.so'), m.__file__\n"
            "from bench.hft import bench_matching, generate_flow\n"
            f"print(json.dumps(bench_matching(generate_flow({count}))['ops']))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", "") or ""
        detail = detail.decode(errors="replace") if isinstance(detail, bytes) else detail
        return None, f"mypyc build or run failed: {error} {detail[-200:]}"
    return float(done.stdout.strip().splitlines()[-1]), ""


# ----------------------------------------------------------------------------------- table
def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1e6:.2f} M/s"


def _ratio(ours: float | None, theirs: float | None, *, lower_is_better: bool = False) -> str:
    if ours is None or theirs is None:
        return "n/a"
    return f"{(theirs / ours if lower_is_better else ours / theirs):.2f}x"


def render(book: dict, matching: dict, arb: dict, theirs: dict | None, why_not: str, timer_ns: float) -> str:
    them = theirs or {}
    rows = [
        ("L2 deltas from Python values + top read", _rate(book["delta"]), _rate(them.get("delta")),
         _ratio(book["delta"], them.get("delta")), ">= 3.00 M/s", book["delta"] >= 3e6),
        ("  p50 / p99 per delta (us)", f"{book['delta_p50']:.2f} / {book['delta_p99']:.2f}",
         f"{them['delta_p50']:.2f} / {them['delta_p99']:.2f}" if theirs else "n/a", "", "", None),
        ("L2 deltas from ints, theirs via from_raw", _rate(book["delta"]), _rate(them.get("raw")),
         _ratio(book["delta"], them.get("raw")), ">= 1.3x their best build", None if theirs is None
         else book["delta"] >= 1.3 * max(them["delta"], them["raw"])),
        ("L2 deltas, pre-built objects (theirs)", _rate(book["delta"]), _rate(them.get("prebuilt")),
         _ratio(book["delta"], them.get("prebuilt")), "", None),
        ("L2 deltas, one batch of all", _rate(book["batch"]), _rate(them.get("batch")),
         _ratio(book["batch"], them.get("batch")), "approach theirs", None),
        ("L2 deltas from venue text (edge conv.)", _rate(book["text"]), "n/a", "", "", None),
        ("top-of-book reads (bid+ask pairs)", _rate(book["reads"]), _rate(them.get("reads")),
         _ratio(book["reads"], them.get("reads")), ">= 5.00 M/s", book["reads"] >= 5e6),
        ("matching, mixed flow 60/30/10", _rate(matching["ops"]), "n/a (no engine)", "",
         ">= 0.80 M/s", matching["ops"] >= 8e5),
        ("  p50 / p99 per order (us)", f"{matching['p50']:.2f} / {matching['p99']:.2f}", "", "", "", None),
        ("  yardstick: SortedDict+deque engine", _rate(matching["yardstick"]), "", "", "~0.8 M/s (issue)", None),
        ("  same code compiled by mypyc (proposal)", _rate(matching.get("mypyc")), "", "", ">= 0.80 M/s",
         None if matching.get("mypyc") is None else matching["mypyc"] >= 8e5),
        ("cross-venue scan 6x50: CPU mean (us)", f"{arb['cross_mean']:.0f}", "n/a", "", "< 1000 us",
         arb["cross_mean"] < 1000),
        ("  p50 / p99 wall (us)", f"{arb['cross_p50']:.0f} / {arb['cross_p99']:.0f}", "", "", "", None),
        (f"triangular scan, {arb['cycles']} cycles (us)", f"{arb['tri_mean']:.0f}", "n/a", "", "", None),
    ]  # fmt: skip
    header = (
        "workload",
        "hft_core",
        f"nautilus {them.get('version', NAUTILUS_VERSION)}",
        "ours/theirs",
        "target",
        "status",
    )
    widths = [max(len(str(row[i])) for row in [*rows, header]) for i in range(5)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * width for width in [*widths, 6]))
    for row in rows:
        verdict = "" if row[5] is None else ("met" if row[5] else "MISSED")
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, verdict]).rstrip())
    if theirs is None:
        lines.append(f"nautilus-trader NOT MEASURED: {why_not}")
    if matching.get("mypyc_why_not"):
        lines.append(f"mypyc row NOT MEASURED: {matching['mypyc_why_not']}")
    lines.append(
        f"throughput: best of {REPEATS} runs, CPU time; p50/p99 include ~{timer_ns:.0f} ns of timer cost; "
        f"cross-venue scan found {arb['found']:.1f} opportunities per scan; Python {sys.version.split()[0]}"
    )
    return "\n".join(lines)


def _timer_cost() -> float:
    clock = time.perf_counter_ns
    samples = []
    for _ in range(100_000):
        start = clock()
        samples.append(clock() - start)
    samples.sort()
    return float(samples[len(samples) // 2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the workload sizes")
    parser.add_argument("--no-nautilus", action="store_true", help="skip the nautilus-trader comparison")
    parser.add_argument("--no-mypyc", action="store_true", help="skip the compiled-matching (mypyc) row")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    deltas = generate_deltas(1_000_000 // scale)
    theirs, why_not = (None, "skipped (--no-nautilus)") if args.no_nautilus else bench_nautilus(len(deltas))
    book = bench_book(deltas)
    flow = generate_flow(500_000 // scale)
    matching = bench_matching(flow)
    if args.no_mypyc:
        matching["mypyc"], matching["mypyc_why_not"] = None, "skipped (--no-mypyc)"
    else:
        matching["mypyc"], matching["mypyc_why_not"] = bench_matching_mypyc(len(flow))
    arbitrage = bench_arbitrage(500)
    print(render(book, matching, arbitrage, theirs, why_not, _timer_cost()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
