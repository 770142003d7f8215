#!/usr/bin/env bash
# Instructions per input byte for bibkit's hot paths, counted by valgrind's callgrind: a
# number that does not move with the machine's load, so regressions show.
#   Scripts/instructions.sh [OUT.md]       (default: .build-bench/instructions.md)
# Inputs are 2 MB: a make-bench-bib.py file, the RIS and CSL-JSON bibkit makes from it,
# and a make-bench-atom.py feed; and the 10 MB bench file, which is converted in batches.
# For each path the table gives the total, the count per input byte (start-up included,
# about 35 M instructions), and the functions with the largest inclusive counts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/.build-bench/instr"; mkdir -p "$work"
out="${1:-$root/.build-bench/instructions.md}"
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
swift build -c release --product bibkit --package-path "$root" 2>&1 | tail -1
bin="$root/.build/release/bibkit"
[ -f "$work/in.bib" ] || python3 "$root/../shared/oracles/make-bench-bib.py" --mb 2 -o "$work/in.bib" >/dev/null
[ -f "$work/in.ris" ] || "$bin" convert "$work/in.bib" --to ris -o "$work/in.ris" -q
[ -f "$work/in.json" ] || "$bin" convert "$work/in.bib" --to csl-json -o "$work/in.json" -q
[ -f "$work/in.xml" ] || python3 "$root/Scripts/make-bench-atom.py" --mb 2 -o "$work/in.xml" >/dev/null

measure() { # NAME INPUT ARGS...
  set +o pipefail
  local name="$1" input="$2"; shift 2
  local cg="$work/$(echo "$name" | tr -c 'A-Za-z0-9' '_').out"
  valgrind --tool=callgrind --callgrind-out-file="$cg" "$bin" "$@" >/dev/null 2>"$work/valgrind.log" || true
  local total; total=$(grep -E '^(summary|totals):' "$cg" | head -1 | awk '{print $2}')
  local bytes; bytes=$(stat -c %s "$input")
  printf '\n### %s\n\n%s instructions for %s bytes: **%.0f per byte**\n\n' "$name" "$total" "$bytes" "$(echo "$total / $bytes" | bc -l)"
  echo "| inclusive instructions | per byte | function |"
  echo "|---|---|---|"
  callgrind_annotate --auto=no --inclusive=yes "$cg" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | grep -E 'BibKit|JSON' \
    | grep -vE 'witness|thunk|partial apply|closure #1 in closure|runMain|Conversion|bibkit_main|ArgumentParser' | head -24 \
    | while read -r n _ rest; do
        fn=$(echo "$rest" | sed -E 's/ \[.*//; s/^[^$]*:(\$s)/\1/' | swift demangle --simplified | sed -E 's/^specialized //' | cut -c1-90)
        case "$fn" in *"protocol witness"*|*"partial apply"*|*"closure #1 in closure"*) continue ;; esac
        c=$(echo "$n" | tr -d ,)
        printf '| %s | %.1f | `%s` |\n' "$n" "$(echo "$c / $bytes" | bc -l)" "$fn"
      done | awk -F'|' '!seen[$4]++'
}

{
  echo "Counted $(date -u +%Y-%m-%d) by \`Scripts/instructions.sh\` (valgrind --tool=callgrind, release build)."
  measure "BibTeX read (bibkit check)" "$work/in.bib" check "$work/in.bib" --from bibtex
  measure "BibTeX → CSL-JSON" "$work/in.bib" convert "$work/in.bib" --to csl-json -q
  # Inputs of 8 MiB or more are converted a batch at a time (a second parse runs ahead to
  # find crossref parents): the 10 MB bench file takes that path.
  [ -f "$root/.build-bench/bench-10mb.bib" ] || python3 "$root/../shared/oracles/make-bench-bib.py" --mb 10 -o "$root/.build-bench/bench-10mb.bib" >/dev/null
  measure "BibTeX → CSL-JSON, 10 MB, in batches" "$root/.build-bench/bench-10mb.bib" convert "$root/.build-bench/bench-10mb.bib" --to csl-json -q
  measure "BibTeX → RIS" "$work/in.bib" convert "$work/in.bib" --to ris -q
  measure "RIS → CSL-JSON" "$work/in.ris" convert "$work/in.ris" --to csl-json -q
  measure "CSL-JSON → BibTeX" "$work/in.json" convert "$work/in.json" --to bibtex -q
  # The CSL-JSON of the 10 MB bench file (16 MB) is read in batches, as the bench's is.
  [ -f "$work/in10.json" ] || "$bin" convert "$root/.build-bench/bench-10mb.bib" --to csl-json -o "$work/in10.json" -q
  measure "CSL-JSON → BibTeX, 16 MB, in batches" "$work/in10.json" convert "$work/in10.json" --to bibtex -q
  measure "Atom → BibTeX" "$work/in.xml" convert "$work/in.xml" --to bibtex -q
  # Feeds of 8 MiB or more are read twice, a batch at a time: a first pass for the keys.
  [ -f "$root/.build-bench/bench-10mb.xml" ] || python3 "$root/Scripts/make-bench-atom.py" --mb 10 -o "$root/.build-bench/bench-10mb.xml" >/dev/null
  measure "Atom → BibTeX, 10 MB, in batches" "$root/.build-bench/bench-10mb.xml" convert "$root/.build-bench/bench-10mb.xml" --to bibtex -q
  if command -v bibtex >/dev/null; then
    # The reference: bibtex 0.99d with plain.bst over every entry of the same BibTeX file.
    d=$(mktemp -d); ln -s "$work/in.bib" "$d/in.bib"
    printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{in}\n' > "$d/t.aux"
    (cd "$d" && valgrind --tool=callgrind --callgrind-out-file="$work/bibtex.out" bibtex -terse t >/dev/null 2>&1) || true
    rm -rf "$d"
    total=$(grep -E '^(summary|totals):' "$work/bibtex.out" | head -1 | awk '{print $2}')
    printf '\n### bibtex 0.99d + plain.bst (reference)\n\n%s instructions for %s bytes: **%.0f per byte**\n' \
      "$total" "$(stat -c %s "$work/in.bib")" "$(echo "$total / $(stat -c %s "$work/in.bib")" | bc -l)"
  fi
} > "$out"
cat "$out"
