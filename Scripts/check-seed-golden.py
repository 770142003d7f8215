#!/usr/bin/env python3
"""Check Fixtures/profile/martin-jaggi.papers.json against the seed text, independently of
BibKit's own reader: a second, simpler parse of the seed in Python must agree on every
block's title, authors, truncation, org tag, date, inferred year, Code badge, category code
and abstract (with --as-of 2026-11-28, so year-less dates are 2026).

    python3 Scripts/check-seed-golden.py
"""
import json
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
seed = (root / "seeds/martin-jaggi-profile.txt").read_text(encoding="utf-8").split("\n")
gold = json.loads((root / "Fixtures/profile/martin-jaggi.papers.json").read_text(encoding="utf-8"))
header = re.compile(r"^([A-Z]{2})(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2})(?:, (\d{4}))?(Code)?$")
months = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
starts = [i for i, line in enumerate(seed) if header.match(line)]
if len(starts) != 50 or len(gold) != 50:
    sys.exit(f"expected 50 blocks and 50 papers, got {len(starts)} and {len(gold)}")
bad = 0
for n, i in enumerate(starts):
    m = header.match(seed[i])
    end = starts[n + 1] if n + 1 < len(starts) else len(seed)
    body = [line for line in seed[i + 1:end] if line.strip()]
    title, authors, abstract = body[0], body[1], "\n".join(body[2:])
    org = None
    if " · " in authors:
        authors, org = authors.rsplit(" · ", 1)
    truncated = authors.endswith(" et al.")
    if truncated:
        authors = authors[: -len(" et al.")]
    names = [a.strip() for a in authors.split(",")]
    g = gold[n]
    extra = {e["name"]: e["value"] for e in g.get("extraFields", [])}
    year = int(m.group(4)) if m.group(4) else 2026
    checks = {
        "title": g["title"] == title,
        "authors": [a["original"] for a in g["authors"]] == names,
        "names": all(" ".join(p for p in (a.get("given"), a.get("particle"), a.get("family")) if p) == a["original"] for a in g["authors"]),
        "truncated": g.get("authorsTruncated", False) == truncated,
        "abstract": g.get("abstract") == abstract,
        "date": (g["issued"]["year"], g["issued"]["month"], g["issued"]["day"]) == (year, months[m.group(2)], int(m.group(3))),
        "inferred": g["issued"].get("yearInferred", False) == (m.group(4) is None),
        "code": g.get("hasCode", False) == bool(m.group(5)),
        "org": extra.get("org") == org,
        "category": extra.get("category-code") == m.group(1),
        "kind": g["kind"] == "article",
    }
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        bad += 1
        print(f"line {i + 1}: {title[:60]}: differs in {', '.join(failed)}")
print(f"seed golden: {len(starts)} blocks checked, {bad} differ")
sys.exit(1 if bad else 0)
