// swift-tools-version: 6.1
// libFuzzer targets for every BibKit reader. Build and run with ../Scripts/fuzz.sh.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which differs between checkouts.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let readers = ["Profile", "BibTeX", "Arxiv", "CSLJSON", "RIS"]

let package = Package(
  name: "BibKitFuzz",
  dependencies: [.package(path: root.path)],
  targets: [
    .target(name: "FuzzSupport", dependencies: [.product(name: "BibKit", package: root.lastPathComponent)])
  ]
    + readers.map { name in
      .executableTarget(
        name: "Fuzz\(name)",
        dependencies: ["FuzzSupport", .product(name: "BibKit", package: root.lastPathComponent)]
      )
    },
  swiftLanguageModes: [.v6]
)
