import ArgumentParser
import BibKitCLI

BibKitCommand.main()
