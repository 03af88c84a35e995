"""REST round trip of the assistant vs Rasa's own `rasa init` assistant, measured in the same run.

p50/p99 over 500 sequential turns and over 16 concurrent conversations, for both, and the ratios.
The `rasa init` assistant is trained in a temporary folder (about a minute) as the baseline.

    .venv/bin/python bench/bench_turn.py [--turns 500] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.stack import free_ports, running_stack

OURS = [
    "hello",
    "where's the nearest police station to SE13 6AA",
    "my bike was stolen yesterday",
    "what are my rights in a stop and search",
    "someone is breaking into my house",
]
MOODBOT = ["hello", "I am sad", "yes", "great", "bye"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def turn(url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    response = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return time.perf_counter() - started


def sequential(url: str, messages: list[str], turns: int) -> list[float]:
    sender = str(uuid.uuid4())
    return [turn(url, sender, messages[i % len(messages)]) for i in range(turns)]


def concurrent(
    url: str, messages: list[str], turns: int, workers: int
) -> tuple[list[float], float]:
    def conversation(n: int) -> list[float]:
        sender = str(uuid.uuid4())
        return [turn(url, sender, messages[i % len(messages)]) for i in range(n)]

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(conversation, [turns // workers] * workers))
    elapsed = time.perf_counter() - started
    latencies = [x for r in results for x in r]
    return latencies, len(latencies) / elapsed


def measure(name: str, url: str, messages: list[str], turns: int, workers: int) -> dict:
    sequential(url, messages, 20)  # warm up
    seq = sequential(url, messages, turns)
    conc, throughput = concurrent(url, messages, turns, workers)
    row = {
        "name": name,
        "p50": statistics.median(seq) * 1000,
        "p99": percentile(seq, 0.99) * 1000,
        "c_p50": statistics.median(conc) * 1000,
        "c_p99": percentile(conc, 0.99) * 1000,
        "throughput": throughput,
    }
    print(f"measured {name}", flush=True)
    return row


def with_moodbot(tmp: Path, body: Callable[[str], dict]) -> dict:
    """Trains and serves `rasa init`'s assistant, then runs `body` against its REST URL."""
    project = tmp / "moodbot"
    project.mkdir()  # `rasa init --init-dir` wants an existing folder
    subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir",
                    str(project)], check=True, capture_output=True)
    (port,) = free_ports(1)
    server = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--port", str(port), "--model", "models"],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        return body(f"http://127.0.0.1:{port}/webhooks/rest/webhook")
    finally:
        server.terminate()
        server.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = with_moodbot(Path(tmp), lambda url: measure(
            "rasa init assistant (baseline)", url, MOODBOT, args.turns, args.concurrency))
        with running_stack(Path(tmp) / "run") as stack:
            ours = measure("Met Contact Assistant", f"{stack.rasa}/webhooks/rest/webhook",
                           OURS, args.turns, args.concurrency)
    print(f"\n{args.turns} sequential turns; {args.concurrency} concurrent conversations\n")
    print("| assistant | p50 ms | p99 ms | p50 ms @16 | p99 ms @16 | turns/s @16 |")
    print("|---|---|---|---|---|---|")
    for r in (base, ours):
        print(f"| {r['name']} | {r['p50']:.0f} | {r['p99']:.0f} | {r['c_p50']:.0f} | "
              f"{r['c_p99']:.0f} | {r['throughput']:.1f} |")
    print(f"| ratio (ours / baseline) | {ours['p50'] / base['p50']:.2f} | "
          f"{ours['p99'] / base['p99']:.2f} | {ours['c_p50'] / base['c_p50']:.2f} | "
          f"{ours['c_p99'] / base['c_p99']:.2f} | "
          f"{ours['throughput'] / base['throughput']:.2f} |")


if __name__ == "__main__":
    main()
