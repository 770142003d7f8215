@_spi(Fuzzing) import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: RISReader(), writer: RISWriter(), check: FuzzChecks.risBatchesAgree))
