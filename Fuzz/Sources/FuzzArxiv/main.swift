@_spi(Fuzzing) import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: ArxivAtomReader(), check: {
  FuzzChecks.arxivChunksAgree($0) && FuzzChecks.arxivBatchesAgree($0) && FuzzChecks.arxivQuickScanAgrees($0)
}))
