#!/usr/bin/env python3
"""Recomputes an inspection plan's draw from its public document, with nothing but hashlib.

Usage: draw.py PLAN.json   (the document of GET /inspections/{plan}.json)
Prints whether the published draw is the one the seed gives; exits 1 if it is not."""
import hashlib
import json
import sys


# The draw, as the README gives it.
def draw(seed_hex, plan_id, permits, sample_size, roster_size, conflicts):
    seed, counter, words = bytes.fromhex(seed_hex), 0, []

    def below(n):  # uniform in 0..n: words at or above the largest multiple of n are skipped
        nonlocal counter
        while True:
            if not words:
                block = hashlib.sha256(seed + plan_id.encode() + counter.to_bytes(8, "big")).digest()
                words.extend(int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8))
                counter += 1
            x = words.pop(0)
            if x < (2**64 // n) * n:
                return x % n

    def pick(items, k):  # the first k steps of a Fisher-Yates shuffle
        items = list(items)
        for i in range(k):
            j = i + below(len(items) - i)
            items[i], items[j] = items[j], items[i]
        return items[:k]

    targets = pick(range(len(permits)), sample_size)
    return [(permits[t], pick([r for r in range(roster_size) if r not in conflicts[t]], 2))
            for t in targets]


def main(path):
    with open(path, encoding="utf-8") as file:
        plan = json.load(file)
    permits = [m["permit_number"] for m in plan["population"]["permits"]]
    digest = hashlib.sha256("".join(p + "\n" for p in permits).encode()).hexdigest()
    if digest != plan["population"]["digest"]:
        sys.exit("the population does not match its digest")
    if plan["draw"] is None:
        sys.exit("the plan is not drawn yet")
    conflicts = [m.get("conflicts", []) for m in plan["population"]["permits"]]
    expected = draw(plan["draw"]["seed"], plan["plan_id"], permits, plan["sample_size"],
                    len(plan["roster"]), conflicts)
    published = [(t["permit_number"], t["inspectors"]) for t in plan["draw"]["targets"]]
    if expected != published:
        sys.exit(f"the draw does not match: the seed draws {expected}")
    print(f"the draw matches: {len(published)} of {len(permits)} permits")


if __name__ == "__main__":
    main(sys.argv[1])
