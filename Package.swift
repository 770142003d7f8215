// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "BibKit",
  products: [
    .library(name: "BibKit", targets: ["BibKit"]),
    .executable(name: "bibkit", targets: ["bibkit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/pointfreeco/swift-custom-dump", from: "1.3.0"),
    // Its IssueReportingTestSupport makes CustomDump's expectNoDifference fail a Swift
    // Testing test; without it a difference is only printed.
    .package(url: "https://github.com/pointfreeco/xctest-dynamic-overlay", from: "1.4.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CLibXML2",
      pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]
    ),
    .target(name: "BibKit", dependencies: ["CLibXML2"]),
    .target(
      name: "BibKitCLI",
      dependencies: [
        "BibKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "bibkit",
      dependencies: [
        "BibKitCLI",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "BibKitTests",
      dependencies: [
        "BibKit",
        .product(name: "CustomDump", package: "swift-custom-dump"),
        .product(name: "IssueReportingTestSupport", package: "xctest-dynamic-overlay"),
      ]
    ),
    .testTarget(
      name: "BibKitCLITests",
      dependencies: [
        "BibKitCLI", "BibKit", "bibkit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
  target.swiftSettings =
    (target.swiftSettings ?? []) + [
      .enableUpcomingFeature("ExistentialAny"),
      .enableUpcomingFeature("InternalImportsByDefault"),
      .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
