import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: ProfileReader()))
