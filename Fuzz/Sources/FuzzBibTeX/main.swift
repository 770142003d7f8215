@_spi(Fuzzing) import BibKit
import FuzzSupport

var options = WriteOptions()
options.bibtexDialect = .biblatex
runFuzzer(
  FuzzTarget(
    reader: BibTeXReader(), writer: BibTeXWriter(), writeOptions: options,
    check: { FuzzChecks.bibtexChunksAgree($0) && FuzzChecks.bibtexBatchesAgree($0) },
    writtenKeys: { FuzzChecks.bibtexWrittenKeys($0) }))
