import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: RISReader(), writer: RISWriter()))
