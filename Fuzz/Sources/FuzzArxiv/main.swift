import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: ArxivAtomReader()))
