import ArgumentParser
import BibKitCLI

BibKitCommand.runMain()
