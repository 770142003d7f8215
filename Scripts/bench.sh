#!/usr/bin/env bash
# Benchmark bibkit beside bibtex 0.99d (and pandoc where installed) on the same inputs, in one
# run, and write a Markdown table.
#   Scripts/bench.sh [OUT.md]          (default: .build-bench/results.md)
# Inputs are made with ../shared/oracles/make-bench-bib.py (bench-10mb.bib, bench-50mb.bib)
# plus RIS, CSL-JSON and Atom inputs converted from them by bibkit. Wall and CPU seconds
# come from /usr/bin/time; MB/s uses CPU seconds (the machine is shared and noisy).
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
[ -f "$work/bench-50mb.json" ] || "$bin" convert "$work/bench-50mb.bib" --to csl-json -o "$work/bench-50mb.json" -q
[ -f "$work/bench-50mb.ris" ] || "$bin" convert "$work/bench-50mb.bib" --to ris -o "$work/bench-50mb.ris" -q

measure() { # NAME INPUT COMMAND... -> a table row
  local name="$1" input="$2"; shift 2
  local tf; tf=$(mktemp)
  /usr/bin/time -o "$tf" -f "%e %U %S %M" "$@" >/dev/null 2>/dev/null || true
  read -r wall user sys rss < "$tf"; rm -f "$tf"
  local bytes; bytes=$(stat -c %s "$input")
  local cpu; cpu=$(echo "$user + $sys" | bc -l)
  printf '| %s | %s | %.2f | %.2f | %.1f | %d |\n' "$name" "$(basename "$input")" "$wall" "$cpu" \
    "$(echo "$bytes / 1000000 / $cpu" | bc -l)" "$((rss / 1024))"
}
bibtex_run() { # INPUT: bibtex with plain.bst on \nocite{*}
  local d; d=$(mktemp -d); ln -s "$1" "$d/in.bib"
  printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{in}\n' > "$d/t.aux"
  (cd "$d" && bibtex -terse t >/dev/null 2>&1 || true); rm -rf "$d"
}
export -f bibtex_run
{
  echo "Measured $(date -u +%Y-%m-%d) by \`Scripts/bench.sh\` on this machine ($(nproc) cores)."
  echo
  echo "| run | input | wall s | cpu s | MB/s (cpu) | peak MiB |"
  echo "|---|---|---|---|---|---|"
  measure "bibkit read (check)" "$work/bench-50mb.bib" "$bin" check "$work/bench-50mb.bib" --from bibtex
  measure "bibkit BibTeX → CSL-JSON" "$work/bench-50mb.bib" "$bin" convert "$work/bench-50mb.bib" --to csl-json -q
  measure "bibkit BibTeX → RIS" "$work/bench-50mb.bib" "$bin" convert "$work/bench-50mb.bib" --to ris -q
  measure "bibkit BibTeX → BibTeX" "$work/bench-50mb.bib" "$bin" convert "$work/bench-50mb.bib" --to biblatex -q
  measure "bibkit RIS → CSL-JSON" "$work/bench-50mb.ris" "$bin" convert "$work/bench-50mb.ris" --to csl-json -q
  measure "bibkit CSL-JSON → BibTeX" "$work/bench-50mb.json" "$bin" convert "$work/bench-50mb.json" --to bibtex -q
  if command -v bibtex >/dev/null; then
    measure "bibtex 0.99d + plain.bst" "$work/bench-50mb.bib" bash -c 'bibtex_run "$0"' "$work/bench-50mb.bib"
  fi
  PANDOC="$("$HOME/.cache/bibkit-check/venv/bin/python" -c 'import pypandoc; print(pypandoc.get_pandoc_path())' 2>/dev/null || true)"
  if [ -n "$PANDOC" ]; then
    measure "bibkit BibTeX → CSL-JSON" "$work/bench-10mb.bib" "$bin" convert "$work/bench-10mb.bib" --to csl-json -q
    measure "pandoc 3.9 BibTeX → CSL-JSON" "$work/bench-10mb.bib" "$PANDOC" -f bibtex -t csljson "$work/bench-10mb.bib"
  fi
} > "$out"
cat "$out"
