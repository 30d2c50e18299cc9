import Foundation
import Testing

@testable import QwenAudioTokenizer

/// The real Qwen2-Audio tokenizer files and the transformers goldens, shared by the suites.
///
/// The files are too large to commit (11 MB): `Tools/make_tokenizer_files.py` derives them from the dashscope
/// wheel, and `.ci/run` runs it before the tests. A test that needs them fails, naming the command, when they
/// are missing: a skipped tokenizer suite would look like a passing one.
enum TokenizerFixture {
    /// Why the fixture could not be set up; its description is what the failing test prints.
    struct SetupError: Error, CustomStringConvertible, Sendable {
        var description: String
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let requiredFiles = ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json", "qwen.tiktoken"]

    /// `$QWEN_AUDIO_TOKENIZER_DIR`, else `<repo>/.cache/tokenizer`, once all the files are there.
    static func directory() throws(SetupError) -> URL {
        let directory: URL
        if let path = ProcessInfo.processInfo.environment["QWEN_AUDIO_TOKENIZER_DIR"], !path.isEmpty {
            directory = URL(fileURLWithPath: path)
        } else {
            directory = repositoryRoot.appendingPathComponent(".cache/tokenizer")
        }
        let missing = requiredFiles.filter {
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        if !missing.isEmpty {
            throw SetupError(
                description: "The Qwen2-Audio tokenizer files are missing from \(directory.path) "
                    + "(\(missing.joined(separator: ", "))). Create them from the repository root with:\n"
                    + "    python3 Tools/make_tokenizer_files.py .cache/tokenizer\n"
                    + "or point QWEN_AUDIO_TOKENIZER_DIR at a directory that has them."
            )
        }
        return directory
    }

    /// The tokenizer loaded from `tokenizer.json`, loaded once for all tests.
    static func tokenizer() throws -> Tokenizer { try fromTokenizerJSON.get() }

    private static let fromTokenizerJSON: Result<Tokenizer, SetupError> = Result { () throws(SetupError) in
        let url = try directory()
        do {
            return try Tokenizer(directory: url)
        } catch {
            throw SetupError(description: "loading \(url.path) failed: \(error)")
        }
    }

    /// A temporary directory with copies of some of the fixture files, so that loading takes another form.
    static func directory(with files: [String]) throws -> URL {
        let source = try directory()
        let target = FileManager.default.temporaryDirectory
            .appendingPathComponent("qwen-audio-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for file in files {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(file),
                to: target.appendingPathComponent(file)
            )
        }
        return target
    }

    // MARK: - Goldens

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String?
        var text: String
        var ids: [Int]
        var decoded: String
        var decodedSkip: String

        enum CodingKeys: String, CodingKey {
            case name, text, ids, decoded
            case decodedSkip = "decoded_skip"
        }

        var testDescription: String { name ?? String(text.prefix(40)).debugDescription }
    }

    struct DecodeCase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var ids: [Int]
        var decoded: String
        var decodedSkip: String

        enum CodingKeys: String, CodingKey {
            case name, ids, decoded
            case decodedSkip = "decoded_skip"
        }

        var testDescription: String { name }
    }

    struct Goldens: Decodable, Sendable {
        var cases: [Case]
        var random: [Case]
        var decodeCases: [DecodeCase]

        enum CodingKeys: String, CodingKey {
            case cases, random
            case decodeCases = "decode_cases"
        }
    }

    /// `Fixtures/goldens.json`, written by `Tools/make_tokenizer_goldens.py` with transformers.
    static func goldens() throws -> Goldens { try loadedGoldens.get() }

    private static let loadedGoldens: Result<Goldens, SetupError> = Result { () throws(SetupError) in
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/goldens.json")
        do {
            return try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url))
        } catch {
            throw SetupError(
                description:
                    "\(url.path): \(error); regenerate it with /tmp/venv/bin/python Tools/make_tokenizer_goldens.py"
            )
        }
    }

    /// Named cases and random strings together.
    static func allCases() throws -> [Case] {
        let goldens = try goldens()
        return goldens.cases + goldens.random
    }
}

extension String {
    /// The scalars, for comparisons that must see normalization: `String ==` compares canonical equivalence, so
    /// `"é" == "e\u{301}"` would hide an NFC bug.
    var scalarArray: [UInt32] { unicodeScalars.map(\.value) }
}
