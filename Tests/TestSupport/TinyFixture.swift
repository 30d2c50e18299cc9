public import Foundation
public import QwenAudioModels
import QwenAudioTensor

/// One parity fixture made by `Tools/make_tiny_qwen2audio.py`: reference outputs of transformers on a tiny
/// random Qwen2-Audio whose weights the test regenerates from the same seeded generator.
public final class TinyFixture: @unchecked Sendable {
    public let name: String
    public let directory: URL
    public let reference: [String: Any]
    public let taps: SafetensorsFile
    public let modelDirectory: String
    public let weightChecksums: [String: (computed: UInt64, expected: UInt64)]

    public static let all: [String: TinyFixture] = {
        var fixtures: [String: TinyFixture] = [:]
        for name in ["tiny-mha", "tiny-gqa"] { fixtures[name] = try! TinyFixture(name) }
        return fixtures
    }()

    init(_ name: String) throws {
        self.name = name
        directory = TestPaths.repository.appendingPathComponent("Tests/QwenAudioModelsTests/Fixtures/\(name)")
        let json = try Data(contentsOf: directory.appendingPathComponent("reference.json"))
        reference = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        taps = try SafetensorsFile(path: directory.appendingPathComponent("reference.safetensors").path)

        // The checkpoint, rebuilt in the published layout: config.json and bf16 safetensors (sharded for one).
        let model = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-audio-\(name)-\(getpid())")
        defer { try? Self.copyTokenizer(into: model) }
        try? FileManager.default.removeItem(at: model)
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let config = try JSONSerialization.data(withJSONObject: reference["config"]!, options: [.sortedKeys])
        try config.write(to: model.appendingPathComponent("config.json"))
        let specs = (reference["weights"] as! [String: Any])["tensors"] as! [String: [String: Any]]
        var tensors: [String: Tensor] = [:]
        var checksums: [String: (UInt64, UInt64)] = [:]
        for (tensorName, spec) in specs {
            let shape = (spec["shape"] as! [NSNumber]).map(\.intValue)
            let (tensor, checksum) = FixtureWeights.tensor(name: tensorName, shape: shape)
            tensors[tensorName] = tensor
            let expected = UInt64((spec["fnv1a64"] as! String).dropFirst(2), radix: 16)!
            checksums[tensorName] = (checksum, expected)
        }
        weightChecksums = checksums
        if name == "tiny-gqa" {
            let audio = tensors.filter { !$0.key.hasPrefix("language_model.") }
            let text = tensors.filter { $0.key.hasPrefix("language_model.") }
            let files = ["model-00001-of-00002.safetensors": audio, "model-00002-of-00002.safetensors": text]
            var weightMap: [String: String] = [:]
            for (file, part) in files {
                try SafetensorsFile.write(part, to: model.appendingPathComponent(file).path)
                for key in part.keys { weightMap[key] = file }
            }
            let index = try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap])
            try index.write(to: model.appendingPathComponent("model.safetensors.index.json"))
        } else {
            try SafetensorsFile.write(tensors, to: model.appendingPathComponent("model.safetensors").path)
        }
        modelDirectory = model.path
    }

    public func int(_ key: String) -> Int { (reference[key] as! NSNumber).intValue }

    public func tap(_ name: String) -> [Float] { taps.tensors[name]!.toFloatArray() }

    public func tapShape(_ name: String) -> [Int] { taps.tensors[name]!.shape }

    public var samples: [Float] {
        let data = try! Data(contentsOf: directory.appendingPathComponent("audio.f32"))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// The reference features over all 3000 frames: stored frames, then the floor.
    public var referenceFeatures: [Float] {
        let stored = tap("input_features")
        let frames = tapShape("input_features")[1]
        let floor = Float((reference["features_floor"] as! NSNumber).doubleValue)
        var full = [Float](repeating: floor, count: 128 * 3000)
        for bin in 0..<128 {
            for t in 0..<frames { full[bin * 3000 + t] = stored[bin * frames + t] }
        }
        return full
    }

    public var greedyIDs: [Int] { ((reference["greedy"] as! [String: Any])["ids"] as! [NSNumber]).map(\.intValue) }
    public var inputIDs: [Int] { (reference["input_ids"] as! [NSNumber]).map(\.intValue) }
}

extension TinyFixture {
    /// Tokenizer files from `.cache/tokenizer` (made by `Tools/make_tokenizer_files.py`), when present, so the
    /// fixture directory is a complete model directory for the engine and the CLI.
    static func copyTokenizer(into model: URL) throws {
        let source = TestPaths.tokenizerDirectory
        for file in ["tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"] {
            let from = source.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: from.path) else { continue }
            try? FileManager.default.removeItem(at: model.appendingPathComponent(file))
            try FileManager.default.copyItem(at: from, to: model.appendingPathComponent(file))
        }
    }
}
