#!/usr/bin/env python3
"""Build a large arXiv Atom feed for the benchmark from the seed feed.

    Scripts/make-bench-atom.py --mb 50 -o .build-bench/bench-50mb.xml

The seed's entries are repeated in turn until the feed has at least the asked size; each
copy gets its own identifier (YYMM.NNNNN, with the id, abs and pdf links and the arXiv DOI
rewritten), so readers see distinct papers. Deterministic: the same seed gives the same
bytes.
"""
import argparse
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, required=True, help="size in 10^6 bytes")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", default=str(ROOT / "seeds" / "martin-jaggi-arxiv.xml"))
    args = ap.parse_args()

    text = pathlib.Path(args.seed).read_text(encoding="utf-8")
    head, _, rest = text.partition("<entry>")
    body, _, _ = rest.rpartition("</feed>")
    entries = ["<entry>" + e for e in ("<entry>" + body).split("<entry>")[1:]]
    entries = [e.rstrip() + "\n  " for e in entries]
    ids = [re.search(r"<id>http://arxiv\.org/abs/([^<v]+)v\d+</id>", e).group(1) for e in entries]

    target = int(args.mb * 1_000_000)
    out = pathlib.Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    size = len(head.encode()) + len("</feed>\n")
    parts = []
    while size < target:
        k = count % len(entries)
        yymm = 2001 + (count // 99999) % 1000
        new_id = f"{yymm:04d}.{count % 99999 + 1:05d}"
        e = entries[k].replace(ids[k], new_id)
        parts.append(e)
        size += len(e.encode())
        count += 1
    head = re.sub(r"<opensearch:totalResults>\d+</opensearch:totalResults>",
                  f"<opensearch:totalResults>{count}</opensearch:totalResults>", head)
    head = re.sub(r"<opensearch:itemsPerPage>\d+</opensearch:itemsPerPage>",
                  f"<opensearch:itemsPerPage>{count}</opensearch:itemsPerPage>", head)
    with out.open("w", encoding="utf-8") as f:
        f.write(head)
        f.writelines(parts)
        f.write("</feed>\n")
    print(f"{out}: {out.stat().st_size} bytes, {count} entries")


if __name__ == "__main__":
    main()
