#!/usr/bin/env bash
# Check that real consumers accept what bibkit writes for the seed profile:
#   - bibtex (plain.bst) reads the .bib with no error and writes 50 \bibitem;
#   - the CSL-JSON validates against the CSL 1.0.2 schema;
#   - pandoc 3.9 reads the CSL-JSON and the BibTeX and finds 50 references in each;
#   - rispy and bibutils' ris2xml each read 50 RIS records.
# Installs what it needs (apt: texlive-binaries texlive-base bibutils; pip venv: pypandoc-binary
# (pandoc 3.9), rispy, jsonschema) unless BIBKIT_NO_INSTALL=1.
#
#   Scripts/check-consumers.sh [BIBKIT_BINARY]
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
PY="$venv/bin/python"
PANDOC="$("$PY" -c 'import pypandoc; print(pypandoc.get_pandoc_path())')"
# The CSL 1.0.2 schema (MIT) is read in place from shared/, beside the checkout.
schema="${BIBKIT_CSL_SCHEMA:-$root/../shared/spec/csl-data.json}"

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
seed="$root/seeds/martin-jaggi-profile.txt"
"$bin" convert "$seed" --to bibtex -o "$tmp/seed.bib" --quiet
"$bin" convert "$seed" --to csl-json -o "$tmp/seed.json" --quiet
"$bin" convert "$seed" --to ris -o "$tmp/seed.ris" --quiet
"$bin" convert "$seed" --to bibtex --ascii -o "$tmp/ascii.bib" --quiet

failures=0
passed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1: $3"; passed=$((passed + 1)); else echo "FAIL $1: expected $2, got $3"; failures=$((failures + 1)); fi
}

for bib in seed ascii; do
  (cd "$tmp" && printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{%s}\n' "$bib" > "$bib.aux" &&
    bibtex -terse "$bib" > "$bib.blg.txt" 2>&1) && rc=0 || rc=$?
  check "bibtex plain.bst exit status ($bib.bib)" 0 "$rc"
  check "bibtex \\bibitem count ($bib.bib)" 50 "$(grep -c '^\\bibitem' "$tmp/$bib.bbl" || true)"
done

check "CSL-JSON schema errors" 0 "$("$PY" - "$schema" "$tmp/seed.json" <<'PYEOF'
import json, sys
from jsonschema.validators import validator_for
schema = json.load(open(sys.argv[1])); data = json.load(open(sys.argv[2]))
cls = validator_for(schema); cls.check_schema(schema)
errors = list(cls(schema).iter_errors(data))
for e in errors[:5]: print(e.message, file=sys.stderr)
print(len(errors))
PYEOF
)"
count_json='import json,sys; print(len(json.load(sys.stdin)))'
check "pandoc $("$PANDOC" --version | head -1 | cut -d' ' -f2) reads CSL-JSON" 50 \
  "$("$PANDOC" -f csljson -t csljson "$tmp/seed.json" | "$PY" -c "$count_json")"
check "pandoc reads BibTeX" 50 "$("$PANDOC" -f bibtex -t csljson "$tmp/seed.bib" | "$PY" -c "$count_json")"
check "pandoc reads BibLaTeX" 50 "$("$PANDOC" -f biblatex -t csljson "$tmp/seed.bib" | "$PY" -c "$count_json")"
check "rispy records" 50 "$("$PY" -c 'import rispy,sys; print(len(rispy.load(open(sys.argv[1], encoding="utf-8"))))' "$tmp/seed.ris")"
check "rispy authors of the first record" "Chen, Zeming|Cano, Alejandro Hernández|Romanou, Angelika" \
  "$("$PY" -c 'import rispy,sys; print("|".join(rispy.load(open(sys.argv[1], encoding="utf-8"))[0]["authors"]))' "$tmp/seed.ris")"
check "bibutils ris2xml records" 50 "$(ris2xml "$tmp/seed.ris" 2>/dev/null | grep -c '<mods ID=')"

echo "consumers: $passed passed, $failures failed"
[ "$failures" = 0 ]
