// swift-tools-version: 6.2
import PackageDescription

// Upcoming features that keep module boundaries honest: `any` is spelled out, and an import that leaks into
// public API must say `public import`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "QwenAudio",
    products: [
        .executable(name: "qwen-audio", targets: ["QwenAudioCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // FFmpeg 5.1 (Debian 12): demuxing, decoding and resampling. The module map links all four libraries.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswresample-dev"])]
        ),
        // OpenBLAS (pthread build): SGEMM for the spectrogram now, for every dense layer later.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(
            name: "QwenAudioIO",
            dependencies: ["CFFmpeg", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "QwenAudioFeatures", dependencies: ["CBLAS"], swiftSettings: swiftSettings),
        // Kernels are optimised in debug builds too: unoptimised SIMD loops run 50× slower, which turns the
        // parity tests' forward passes from seconds into minutes. Nothing here is a library product.
        .target(
            name: "QwenAudioTensor",
            dependencies: ["CBLAS"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(name: "QwenAudioTokenizer", swiftSettings: swiftSettings),
        .target(name: "QwenAudioAPI", swiftSettings: swiftSettings),
        .target(
            name: "QwenAudioEngine",
            dependencies: ["QwenAudioModels", "QwenAudioTokenizer"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "QwenAudioModels",
            dependencies: ["QwenAudioTensor", "QwenAudioFeatures"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "QwenAudioServer",
            dependencies: [
                "QwenAudioIO",
                "QwenAudioEngine",
                "QwenAudioAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "QwenAudioCLI",
            dependencies: [
                "QwenAudioIO",
                "QwenAudioFeatures",
                "QwenAudioModels",
                "QwenAudioEngine",
                "QwenAudioTokenizer",
                "QwenAudioServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "QwenAudioIOTests",
            dependencies: ["QwenAudioIO"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "QwenAudioTestSupport",
            dependencies: ["QwenAudioTensor", "QwenAudioModels"],
            path: "Tests/TestSupport",
            // Regenerating the fixtures' weights (millions of PRNG draws) takes seconds optimised and a minute
            // without; this test-only target is never a dependency of anything shipped.
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .testTarget(
            name: "QwenAudioModelsTests",
            dependencies: ["QwenAudioModels", "QwenAudioTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QwenAudioServerTests",
            dependencies: ["QwenAudioServer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QwenAudioEngineTests",
            dependencies: ["QwenAudioEngine", "QwenAudioFeatures", "QwenAudioTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QwenAudioTokenizerTests",
            dependencies: ["QwenAudioTokenizer"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QwenAudioTensorTests",
            dependencies: ["QwenAudioTensor"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QwenAudioFeaturesTests",
            dependencies: ["QwenAudioFeatures"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QwenAudioAPITests",
            dependencies: ["QwenAudioAPI"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
