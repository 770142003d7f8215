#!/usr/bin/env bash
# Fuzz every BibKit reader with libFuzzer and AddressSanitizer.
#   Scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]     (default: 30 s, all five)
#   BIBKIT_FUZZ_ROUNDTRIP=0 Scripts/fuzz.sh ...   checks only that no reader crashes or hangs
#   (CI's smoke run), not that write(read(x)) reads back equal, nor that reading in chunks
#   or in batches agrees with reading in one piece (BibTeX, Arxiv, RIS, CSLJSON;
#   BIBKIT_FUZZ_CHUNKS=1 turns that check on by itself).
# Seeds come from Fixtures/, seeds/ and, where present, ../shared/corpora (read in place and
# copied only into a scratch corpus folder under .build-fuzz, never into the project). A crash
# leaves its input in .build-fuzz/crashes/<target>/ and fails the run; make it a regression
# fixture in Fixtures/fuzz/<target>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"; shift || true
targets=("${@:-Profile BibTeX Arxiv CSLJSON RIS}")
read -r -a targets <<<"${targets[*]}"
scratch="$root/.build-fuzz"
swift build --package-path "$root/Fuzz" --scratch-path "$scratch" -c debug \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 | tail -1
bin="$scratch/debug"
corpora="$root/../shared/corpora"
seed_dirs() { # TARGET -> folders and files that seed it
  case "$1" in
    Profile) echo "$root/seeds/martin-jaggi-profile.txt $root/Fixtures/profile $root/Fixtures/invalid/profile" ;;
    BibTeX) echo "$root/Fixtures/invalid/bibtex $corpora/bibtex/texlive $corpora/bibtex/probes $corpora/bibtex/typst-biblatex" ;;
    Arxiv) echo "$root/seeds/martin-jaggi-arxiv.xml $root/Fixtures/arxiv $root/Fixtures/invalid/arxiv $corpora/arxiv/api-2025 $corpora/arxiv/api-legacy" ;;
    CSLJSON) echo "$root/Fixtures/invalid/csl-json $corpora/csl-json/better-bibtex-export $corpora/csl-json/citation-js" ;;
    RIS) echo "$root/Fixtures/invalid/ris $corpora/ris/rispy $corpora/ris/jabref $corpora/ris/citation-js" ;;
  esac
}
dict_for() {
  case "$1" in Profile) echo profile ;; BibTeX) echo bibtex ;; Arxiv) echo xml ;; CSLJSON) echo json ;; RIS) echo ris ;; esac
}
status=0
for t in "${targets[@]}"; do
  corpus="$scratch/corpus/$t"; crashes="$scratch/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  for s in $(seed_dirs "$t"); do
    if [ -d "$s" ]; then find "$s" -type f -size -200k -exec cp {} "$corpus/" \; 2>/dev/null || true
    elif [ -f "$s" ]; then cp "$s" "$corpus/"; fi
  done
  regress="$root/Fixtures/fuzz/$t"
  [ -d "$regress" ] && cp "$regress"/* "$corpus/" 2>/dev/null || true
  echo "== Fuzz$t for ${seconds}s"
  if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$bin/Fuzz$t" "$corpus" -dict="$root/Fuzz/dict/$(dict_for "$t").dict" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
      -artifact_prefix="$crashes/" -print_final_stats=1 ${BIBKIT_FUZZ_SEED:+-seed=$BIBKIT_FUZZ_SEED} 2>"$scratch/Fuzz$t.log"; then
    status=1
    tail -30 "$scratch/Fuzz$t.log"
  fi
  grep -E 'stat::number_of_executed_units|cov:' "$scratch/Fuzz$t.log" | tail -2
done
exit $status
