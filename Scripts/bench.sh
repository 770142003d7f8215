#!/usr/bin/env bash
# Benchmark bibkit beside the established tools on the same inputs, in one run, and write a
# Markdown table.
#   Scripts/bench.sh [OUT.md]          (default: .build-bench/results.md)
#   BENCH_QUICK=1 Scripts/bench.sh     bibkit rows and bibtex only
# Inputs (under .build-bench, made once): bench-10mb.bib, bench-50mb.bib and bench-100k.bib
# from ../shared/oracles/make-bench-bib.py; bench-50mb.ris and bench-50mb.json converted
# from bench-50mb.bib by bibkit, and both again without their keys; bench-50mb.xml, an Atom
# feed, from Scripts/make-bench-atom.py. Wall and CPU seconds and peak memory come from /usr/bin/time;
# MB/s is given per wall second and per CPU second (bibkit uses every core, so the two
# differ), entries/s per CPU second. Each row is the fastest of BENCH_RUNS runs (default 3). Other tools run
# where installed: bibtex 0.99d, pandoc 3.9 (from Scripts/check-consumers.sh's venv or the oracles'),
# bibutils, and pybtex and bibtexparser 2 (from ../shared/oracles/setup.sh's venv).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/.build-bench"; mkdir -p "$work"
out="${1:-$work/results.md}"
swift build -c release --product bibkit --package-path "$root" 2>&1 | tail -1
bin="$root/.build/release/bibkit"
make="$root/../shared/oracles/make-bench-bib.py"
for mb in 10 50; do
  [ -f "$work/bench-${mb}mb.bib" ] || python3 "$make" --mb "$mb" -o "$work/bench-${mb}mb.bib" >/dev/null
done
[ -f "$work/bench-100k.bib" ] || python3 "$make" --entries 100000 -o "$work/bench-100k.bib" >/dev/null
[ -f "$work/bench-50mb.json" ] || "$bin" convert "$work/bench-50mb.bib" --to csl-json -o "$work/bench-50mb.json" -q
[ -f "$work/bench-50mb.ris" ] || "$bin" convert "$work/bench-50mb.bib" --to ris -o "$work/bench-50mb.ris" -q
[ -f "$work/bench-50mb.xml" ] || python3 "$root/Scripts/make-bench-atom.py" --mb 50 -o "$work/bench-50mb.xml" >/dev/null
# The same records without keys, whose keys bibkit then generates (read twice, in batches).
[ -f "$work/bench-50mb-nokeys.ris" ] || grep -v '^ID  - ' "$work/bench-50mb.ris" > "$work/bench-50mb-nokeys.ris"
[ -f "$work/bench-50mb-nokeys.json" ] || python3 -c '
import json, sys
items = json.load(open(sys.argv[1], encoding="utf-8"))
for item in items:
    item.pop("id", None); item.pop("citation-key", None)
json.dump(items, open(sys.argv[2], "w", encoding="utf-8"), indent=2, ensure_ascii=False)
' "$work/bench-50mb.json" "$work/bench-50mb-nokeys.json"

entries_of() { # FILE -> number of entries or records
  case "$1" in
    *.bib) echo $(( $(grep -c '^@[A-Za-z]' "$1") - $(grep -ciE '^@(string|preamble|comment)' "$1") )) ;;
    *.ris) grep -c '^TY  -' "$1" ;;
    *.json) grep -c '^  {' "$1" ;;
    *.xml) grep -c '<entry>' "$1" ;;
  esac
}

declare -A CPU WALL
row() { # KEY NAME INPUT COMMAND... -> a table row; CPU[KEY] and WALL[KEY] keep the times
  local key="$1" name="$2" input="$3"; shift 3
  # The run with the least wall time of BENCH_RUNS (default 3): the machine is shared, and
  # other work only ever makes a run slower.
  local tf; tf=$(mktemp)
  local wall="" user sys rss w u s m k
  for ((k = 0; k < ${BENCH_RUNS:-3}; k++)); do
    /usr/bin/time -o "$tf" -f "%e %U %S %M" "$@" >/dev/null 2>/dev/null || true
    read -r w u s m < <(tail -1 "$tf")
    if [ -z "$wall" ] || (( $(echo "$w < $wall" | bc -l) )); then wall=$w user=$u sys=$s rss=$m; fi
  done
  rm -f "$tf"
  local bytes; bytes=$(stat -c %s "$input")
  local n; n=$(entries_of "$input")
  local cpu; cpu=$(echo "$user + $sys" | bc -l)
  CPU[$key]=$cpu; WALL[$key]=$wall
  printf '| %s | %s | %.1f | %s | %.2f | %.2f | %.1f | %.1f | %.0f | %d | %.1f |\n' "$name" "$(basename "$input")" \
    "$(echo "$bytes / 1000000" | bc -l)" "$n" "$wall" "$cpu" "$(echo "$bytes / 1000000 / $wall" | bc -l)" \
    "$(echo "$bytes / 1000000 / $cpu" | bc -l)" \
    "$(echo "$n / $cpu" | bc -l)" "$((rss / 1024))" "$(echo "$rss * 1024 / $bytes" | bc -l)"
}
ratio() { # LABEL A B: how many times faster A is than B, on cpu and on wall seconds
  printf -- '- %s: %.2f× (cpu), %.2f× (wall)\n' "$1" "$(echo "${CPU[$3]} / ${CPU[$2]}" | bc -l)" \
    "$(echo "${WALL[$3]} / ${WALL[$2]}" | bc -l)"
}
bibtex_run() { # INPUT: bibtex with plain.bst on \nocite{*}
  local d; d=$(mktemp -d); ln -s "$1" "$d/in.bib"
  printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{in}\n' > "$d/t.aux"
  (cd "$d" && bibtex -terse t >/dev/null 2>&1 || true); rm -rf "$d"
}
export -f bibtex_run
ORACLE_PY="${ORACLES_VENVS:-$HOME/.cache/bibkit-oracles}/.venv/bin/python"
# pandoc 3.9: from Scripts/check-consumers.sh's venv, else from the oracles' venv
# (../shared/oracles/setup.sh), both pypandoc-binary; not Debian's older pandoc.
pandoc_of() { "$1" -c 'import pypandoc; print(pypandoc.get_pandoc_path())' 2>/dev/null || true; }
PANDOC="$(pandoc_of "$HOME/.cache/bibkit-check/venv/bin/python")"
[ -n "$PANDOC" ] || PANDOC="$(pandoc_of "$ORACLE_PY")"
oracle_bench="$root/../shared/oracles/bench"
b10="$work/bench-10mb.bib" b50="$work/bench-50mb.bib" b100="$work/bench-100k.bib"

{
  echo "Measured $(date -u +%Y-%m-%d) by \`Scripts/bench.sh\` on this machine ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at the start)."
  echo "Each row is the run with the least wall time of ${BENCH_RUNS:-3}. MB/s is given per second of elapsed (wall) time and per CPU second (user + sys, all cores) of the whole process; entries/s is per CPU second; peak/input is peak memory over input size."
  echo
  echo "| run | input | MB | entries | wall s | cpu s | MB/s (wall) | MB/s (cpu) | entries/s (cpu) | peak MiB | peak/input |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  row read "bibkit read (check)" "$b50" "$bin" check "$b50" --from bibtex
  row csl50 "bibkit BibTeX → CSL-JSON" "$b50" "$bin" convert "$b50" --to csl-json -q
  row ris50 "bibkit BibTeX → RIS" "$b50" "$bin" convert "$b50" --to ris -q
  row bib50 "bibkit BibTeX → BibTeX" "$b50" "$bin" convert "$b50" --to biblatex -q
  row risin "bibkit RIS → CSL-JSON" "$work/bench-50mb.ris" "$bin" convert "$work/bench-50mb.ris" --to csl-json -q
  row cslin "bibkit CSL-JSON → BibTeX" "$work/bench-50mb.json" "$bin" convert "$work/bench-50mb.json" --to bibtex -q
  row risnokeys "bibkit RIS without IDs → CSL-JSON" "$work/bench-50mb-nokeys.ris" "$bin" convert "$work/bench-50mb-nokeys.ris" --to csl-json -q
  row cslnokeys "bibkit CSL-JSON without keys → BibTeX" "$work/bench-50mb-nokeys.json" "$bin" convert "$work/bench-50mb-nokeys.json" --to bibtex -q
  row atomread "bibkit Atom read (check)" "$work/bench-50mb.xml" "$bin" check "$work/bench-50mb.xml"
  row atom "bibkit Atom → BibTeX" "$work/bench-50mb.xml" "$bin" convert "$work/bench-50mb.xml" --to bibtex -q
  row csl100 "bibkit BibTeX → CSL-JSON" "$b100" "$bin" convert "$b100" --to csl-json -q
  row csl10 "bibkit BibTeX → CSL-JSON" "$b10" "$bin" convert "$b10" --to csl-json -q
  if command -v bibtex >/dev/null; then
    row bibtex "bibtex 0.99d + plain.bst" "$b50" bash -c 'bibtex_run "$0"' "$b50"
  fi
  if [ -z "${BENCH_QUICK:-}" ]; then
    [ -n "$PANDOC" ] && row pandoc "pandoc 3.9 BibTeX → CSL-JSON" "$b10" "$PANDOC" -f bibtex -t csljson "$b10"
    command -v bib2xml >/dev/null && row bibutils "bibutils bib2xml → xml2ris" "$b10" bash -c 'bib2xml "$0" 2>/dev/null | xml2ris 2>/dev/null' "$b10"
    if [ -x "$ORACLE_PY" ]; then
      "$ORACLE_PY" -c 'import pybtex' 2>/dev/null && row pybtex "pybtex 0.26 parse" "$b10" "$ORACLE_PY" "$oracle_bench/pybtex_parse.py" "$b10"
      "$ORACLE_PY" -c 'import bibtexparser' 2>/dev/null && row btp2 "bibtexparser 2 parse" "$b10" "$ORACLE_PY" "$oracle_bench/btp2_parse.py" "$b10"
    fi
  fi
  echo
  echo "Ratios, from the rows above:"
  echo
  [ -n "${CPU[bibtex]:-}" ] && ratio "bibkit BibTeX → CSL-JSON against bibtex, 50 MB (target ≥ 5×)" csl50 bibtex
  [ -n "${CPU[bibtex]:-}" ] && ratio "bibkit read against bibtex, 50 MB" read bibtex
  [ -n "${CPU[pandoc]:-}" ] && ratio "bibkit BibTeX → CSL-JSON against pandoc, 10 MB (target ≥ 200×)" csl10 pandoc
  [ -n "${CPU[bibutils]:-}" ] && ratio "bibkit BibTeX → CSL-JSON against bibutils, 10 MB" csl10 bibutils
  [ -n "${CPU[pybtex]:-}" ] && ratio "bibkit BibTeX → CSL-JSON against pybtex (parse only), 10 MB" csl10 pybtex
  [ -n "${CPU[btp2]:-}" ] && ratio "bibkit BibTeX → CSL-JSON against bibtexparser 2 (parse only), 10 MB" csl10 btp2
  s100=$(stat -c %s "$b100"); s50=$(stat -c %s "$b50")
  printf -- '- Linearity: the 100k-entry file (%.1f MB) took %.2f× the 50 MB file'"'"'s cpu time; the target is at most %.2f× (1.2 × the size ratio)\n' \
    "$(echo "$s100 / 1000000" | bc -l)" "$(echo "${CPU[csl100]} / ${CPU[csl50]}" | bc -l)" "$(echo "1.2 * $s100 / $s50" | bc -l)"
} > "$out"
cat "$out"
