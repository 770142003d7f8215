import BibKit
import FuzzSupport

runFuzzer(FuzzTarget(reader: CSLJSONReader(), writer: CSLJSONWriter()))
