@_spi(Fuzzing) import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: CSLJSONReader(), writer: CSLJSONWriter(), check: FuzzChecks.cslJSONBatchesAgree))
