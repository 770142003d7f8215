#!/usr/bin/env bash
# Check that real consumers accept what bibkit writes for the seed profile:
#   - bibtex (plain.bst) reads the .bib with no error and writes 50 \bibitem;
#   - the CSL-JSON validates against the CSL 1.0.2 schema;
#   - pandoc 3.9 reads the CSL-JSON and the BibTeX and finds 50 references in each;
#   - rispy and bibutils' ris2xml each read 50 RIS records.
# The same for the seed feed and, where the corpora are, rispy's example RIS (two records with
# one ID) and a citation-js RIS whose IDs hold spaces; then the TUGboat bibliography, and
# pandoc's and bibutils' output read back.
# Installs what it needs (apt: texlive-binaries texlive-base bibutils; pip venv: pypandoc-binary
# (pandoc 3.9), rispy, jsonschema) unless BIBKIT_NO_INSTALL=1.
#
#   Scripts/check-consumers.sh [BIBKIT_BINARY]
#   Scripts/check-consumers.sh --install-only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/.build/debug/bibkit}"
venv="${BIBKIT_CHECK_VENV:-$HOME/.cache/bibkit-check/venv}"
export DEBIAN_FRONTEND=noninteractive

if [ -z "${BIBKIT_NO_INSTALL:-}" ]; then
  need=()
  command -v bibtex >/dev/null || need+=(texlive-binaries texlive-base)
  command -v ris2xml >/dev/null || need+=(bibutils)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
  "$venv/bin/python" -c 'import pypandoc, rispy, jsonschema' 2>/dev/null ||
    "$venv/bin/pip" install -q --disable-pip-version-check \
      pypandoc-binary==1.17 rispy==0.10.0 jsonschema==4.26.0
fi
[ "${1:-}" = "--install-only" ] && exit 0
PY="$venv/bin/python"
PANDOC="$("$PY" -c 'import pypandoc; print(pypandoc.get_pandoc_path())')"
# The CSL 1.0.2 schema (MIT) is read in place from shared/, beside the checkout.
schema="${BIBKIT_CSL_SCHEMA:-$root/../shared/spec/csl-data.json}"

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
failures=0
passed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1: $3"; passed=$((passed + 1)); else echo "FAIL $1: expected $2, got $3"; failures=$((failures + 1)); fi
}
count_json='import json,sys; print(len(json.load(sys.stdin)))'

# check_input NAME INPUT COUNT: convert INPUT to the three formats and have consumers read them.
check_input() {
  local name="$1" input="$2" n="$3"
  "$bin" convert "$input" --to bibtex -o "$tmp/$name.bib" --quiet
  "$bin" convert "$input" --to bibtex --ascii -o "$tmp/$name-ascii.bib" --quiet
  "$bin" convert "$input" --to csl-json -o "$tmp/$name.json" --quiet
  "$bin" convert "$input" --to ris -o "$tmp/$name.ris" --quiet
  for bib in "$name" "$name-ascii"; do
    (cd "$tmp" && printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{%s}\n' "$bib" > "$bib.aux" &&
      bibtex -terse "$bib" > "$bib.blg.txt" 2>&1) && rc=0 || rc=$?
    check "$name: bibtex plain.bst exit status ($bib.bib)" 0 "$rc"
    check "$name: bibtex \\bibitem count ($bib.bib)" "$n" "$(grep -c '^\\bibitem' "$tmp/$bib.bbl" || true)"
  done
  check "$name: CSL-JSON schema errors" 0 "$("$PY" - "$schema" "$tmp/$name.json" <<'PYEOF'
import json, sys
from jsonschema.validators import validator_for
schema = json.load(open(sys.argv[1])); data = json.load(open(sys.argv[2]))
cls = validator_for(schema); cls.check_schema(schema)
errors = list(cls(schema).iter_errors(data))
for e in errors[:5]: print(e.message, file=sys.stderr)
print(len(errors))
PYEOF
)"
  check "$name: pandoc $("$PANDOC" --version | head -1 | cut -d' ' -f2) reads CSL-JSON" "$n" \
    "$("$PANDOC" -f csljson -t csljson "$tmp/$name.json" | "$PY" -c "$count_json")"
  check "$name: pandoc reads BibTeX" "$n" "$("$PANDOC" -f bibtex -t csljson "$tmp/$name.bib" | "$PY" -c "$count_json")"
  check "$name: pandoc reads BibLaTeX" "$n" "$("$PANDOC" -f biblatex -t csljson "$tmp/$name.bib" | "$PY" -c "$count_json")"
  check "$name: rispy records" "$n" "$("$PY" -c 'import rispy,sys; print(len(rispy.load(open(sys.argv[1], encoding="utf-8"))))' "$tmp/$name.ris")"
  check "$name: bibutils ris2xml records" "$n" "$(ris2xml "$tmp/$name.ris" 2>/dev/null | grep -c '<mods ID=')"
}

check_input profile "$root/seeds/martin-jaggi-profile.txt" 50
check "profile: rispy authors of the first record" "Chen, Zeming|Cano, Alejandro Hernández|Romanou, Angelika" \
  "$("$PY" -c 'import rispy,sys; print("|".join(rispy.load(open(sys.argv[1], encoding="utf-8"))[0]["authors"]))' "$tmp/profile.ris")"

check_input arxiv "$root/seeds/martin-jaggi-arxiv.xml" 6
check "arxiv: entries with eprint, archivePrefix and primaryClass" "6 6 6 6" \
  "$(grep -c '^@misc' "$tmp/arxiv.bib") $(grep -c '  eprint = ' "$tmp/arxiv.bib") $(grep -c '  archivePrefix = {arXiv}' "$tmp/arxiv.bib") $(grep -c '  primaryClass = ' "$tmp/arxiv.bib")"
check "arxiv: MEDITRON-70B authors as pandoc reads the BibTeX" 20 \
  "$("$PANDOC" -f bibtex -t csljson "$tmp/arxiv.bib" | "$PY" -c 'import json,sys; print([len(i["author"]) for i in json.load(sys.stdin) if i["id"] == "chen2023meditron"][0])')"
check "arxiv: MEDITRON-70B authors as rispy reads the RIS" 20 \
  "$("$PY" -c 'import rispy,sys; print([len(r["authors"]) for r in rispy.load(open(sys.argv[1], encoding="utf-8")) if r["id"] == "chen2023meditron"][0])' "$tmp/arxiv.ris")"

# rispy's own example (read in place): two records with the ID 12345, which written as they
# came would be one key twice (bibtex reports "Repeated entry" and keeps one).
rispy_example="$root/../shared/corpora/ris/rispy/example_full.ris"
[ -f "$rispy_example" ] && check_input rispy-example "$rispy_example" 2
# citation-js's RIS with IDs that hold a space ("OEB 205629"), which no BibTeX key can.
cjs_ris="$root/../shared/corpora/ris/citation-js/file-citation-js-citation-js-pull-248-1.ris"
[ -f "$cjs_ris" ] && check_input citation-js-ris "$cjs_ris" "$("$bin" check "$cjs_ris" 2>&1 | tail -1 | cut -d' ' -f1)"

# The TUGboat bibliography (3.8 MB, read in place from the corpus when it is there).
tug="$root/../shared/corpora/bibtex/large/tugboat-texlive2022-v4.10.bib"
if [ -f "$tug" ]; then
  n=$("$bin" check "$tug" 2>&1 | tail -1 | cut -d' ' -f1)
  "$bin" convert "$tug" --to csl-json -o "$tmp/tug.json" --quiet
  "$bin" convert "$tug" --to bibtex -o "$tmp/tug.bib" --quiet
  check "tugboat: CSL-JSON schema errors" 0 "$("$PY" - "$schema" "$tmp/tug.json" <<'PYEOF'
import json, sys
from jsonschema.validators import validator_for
schema = json.load(open(sys.argv[1])); data = json.load(open(sys.argv[2]))
cls = validator_for(schema)
errors = list(cls(schema).iter_errors(data))
for e in errors[:5]: print(e.message, file=sys.stderr)
print(len(errors))
PYEOF
)"
  (cd "$tmp" && printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{tug}\n' > tug.aux && bibtex -terse tug > tug.blg.txt 2>&1) && rc=0 || rc=$?
  check "tugboat: bibtex exit status" 0 "$rc"
  check "tugboat: bibtex \\bibitem count" "$n" "$(grep -c '^\\bibitem' "$tmp/tug.bbl" || true)"
  check "tugboat: pandoc reads our BibTeX" "$n" "$("$PANDOC" -f bibtex -t csljson "$tmp/tug.bib" | "$PY" -c "$count_json")"
fi

# RIS read by rispy: the same records, titles, authors and years as our own CSL-JSON of the
# same input says.
compare_ris() { # NAME
  "$PY" - "$tmp/$1.json" "$tmp/$1.ris" <<'PYEOF'
import json, sys, rispy
items = json.load(open(sys.argv[1], encoding="utf-8"))
recs = rispy.load(open(sys.argv[2], encoding="utf-8"))
def name(a):
    if "literal" in a: return a["literal"]
    fam = " ".join(x for x in (a.get("non-dropping-particle"), a.get("family")) if x)
    return fam + (", " + a["given"] if a.get("given") else "")
bad = 0
for it, r in zip(items, recs):
    want = (it.get("title", ""), [name(a) for a in it.get("author", [])], str(it.get("issued", {}).get("date-parts", [[""]])[0][0]))
    got = (r.get("title", r.get("primary_title", "")), r.get("authors", []), str(r.get("year", "")))
    if want[0] != got[0] or want[1] != got[1] or want[2] != got[2]:
        bad += 1
        if bad <= 3: print("differs:", want, got, file=sys.stderr)
print(f"{len(recs)}/{len(items)} records, {bad} differ")
PYEOF
}
for n in profile arxiv; do
  check "$n: rispy reads our RIS with the same titles, authors and years" \
    "$(grep -c '"id"' "$tmp/$n.json" | tr -d ' ')/$(grep -c '"id"' "$tmp/$n.json" | tr -d ' ') records, 0 differ" "$(compare_ris $n)"
done

# The other direction: what pandoc and bibutils write for corpus files, we read with their counts.
xampl="$root/../shared/corpora/bibtex/texlive/xampl.bib"
if [ -f "$xampl" ] && [ -f "$tug" ]; then
  for f in "$xampl" "$tug"; do
    b=$(basename "$f" .bib)
    "$PANDOC" -f bibtex -t csljson "$f" -o "$tmp/$b.pandoc.json" 2>/dev/null
    theirs=$("$PY" -c "$count_json" < "$tmp/$b.pandoc.json")
    ours=$("$bin" check "$tmp/$b.pandoc.json" 2>&1 | tail -1 | cut -d' ' -f1)
    check "$b: we read pandoc's CSL-JSON with its count" "$theirs" "$ours"
    bib2xml -i utf8 "$f" 2>/dev/null | xml2ris -nb > "$tmp/$b.bibutils.ris" 2>/dev/null
    theirs=$(grep -c '^TY  - ' "$tmp/$b.bibutils.ris")
    ours=$("$bin" check "$tmp/$b.bibutils.ris" 2>&1 | tail -1 | cut -d' ' -f1)
    check "$b: we read bibutils' RIS with its count" "$theirs" "$ours"
  done
  # And what we write from them, rispy and ris2xml read with the same count.
  "$bin" convert "$xampl" --to ris -o "$tmp/xampl.ris" --quiet
  n=$("$bin" check "$xampl" 2>&1 | tail -1 | cut -d' ' -f1)
  check "xampl: rispy reads our RIS" "$n" "$("$PY" -c 'import rispy,sys; print(len(rispy.load(open(sys.argv[1], encoding="utf-8"))))' "$tmp/xampl.ris")"
  check "xampl: ris2xml reads our RIS" "$n" "$(ris2xml "$tmp/xampl.ris" 2>/dev/null | grep -c '<mods ID=')"
fi

echo "consumers: $passed passed, $failures failed"
[ "$failures" = 0 ]
