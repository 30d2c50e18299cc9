import Foundation
import Testing

@testable import QwenAudioTokenizer

/// Loading small hand-made tokenizer files, and the errors for missing, damaged and unsupported ones.
@Suite("Tokenizer loading")
struct TokenizerLoadingTests {
    /// A temporary directory, removed when the test ends.
    final class TemporaryDirectory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-tok-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }

        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: url.appendingPathComponent(name))
        }

        func write(_ name: String, json: Any) throws {
            try JSONSerialization.data(withJSONObject: json).write(to: url.appendingPathComponent(name))
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    // MARK: - A tiny byte-level BPE

    /// The 256 byte tokens (ids 0…255 in byte order) and five merges that spell "hello" and " w".
    static let byteTokens = (0..<256).map { String(ByteLevel.scalarForByte[$0]) }
    static let mergePairs = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w")]
    static var vocab: [String: Int] {
        var vocab: [String: Int] = [:]
        for (id, token) in byteTokens.enumerated() { vocab[token] = id }
        for (offset, pair) in mergePairs.enumerated() { vocab[pair.0 + pair.1] = 256 + offset }
        return vocab
    }
    static var added: [[String: Any]] {
        [
            [
                "id": 261, "content": "<|end|>", "special": true, "normalized": false, "lstrip": false, "rstrip": false,
                "single_word": false,
            ],
            ["id": 262, "content": "<|plain|>", "special": false, "normalized": false],
        ]
    }

    static func tokenizerJSON(arrayMerges: Bool) -> [String: Any] {
        let merges: [Any] = mergePairs.map { pair -> Any in arrayMerges ? [pair.0, pair.1] : "\(pair.0) \(pair.1)" }
        return [
            "version": "1.0",
            "added_tokens": added,
            "normalizer": ["type": "NFC"],
            "pre_tokenizer": [
                "type": "Sequence",
                "pretokenizers": [
                    [
                        "type": "Split", "pattern": ["Regex": TokenizerFiles.qwen2Pattern], "behavior": "Isolated",
                        "invert": false,
                    ],
                    ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false],
                ],
            ],
            "decoder": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "vocab": vocab, "merges": merges],
        ]
    }

    /// "hello" → 259, " w" → 260, "orld" → bytes, "<|end|>" → 261, "<|plain|>" → 262.
    static let expected = [259, 260, 111, 114, 108, 100, 261, 262]
    static let sample = "hello world<|end|><|plain|>"

    @Test("tokenizer.json with \"a b\" merges and with [a, b] merges", arguments: [false, true])
    func tokenizerJSONMergeForms(arrayMerges: Bool) throws {
        let directory = try TemporaryDirectory()
        try directory.write("tokenizer.json", json: Self.tokenizerJSON(arrayMerges: arrayMerges))
        let tokenizer = try Tokenizer(directory: directory.url)
        #expect(tokenizer.encode(Self.sample) == Self.expected)
        #expect(tokenizer.decode(Self.expected) == Self.sample)
        #expect(tokenizer.decode(Self.expected, skipSpecialTokens: true) == "hello world<|plain|>")
        #expect(tokenizer.specialTokenIDs == [261])
        #expect(tokenizer.count == 263)
    }

    @Test("vocab.json + merges.txt + tokenizer_config.json")
    func vocabAndMerges() throws {
        let directory = try TemporaryDirectory()
        try directory.write("vocab.json", json: Self.vocab)
        try directory.write(
            "merges.txt",
            "#version: 0.2\n" + Self.mergePairs.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
        )
        var decoder: [String: Any] = [:]
        for token in Self.added { decoder["\(token["id"]!)"] = token }
        try directory.write("tokenizer_config.json", json: ["added_tokens_decoder": decoder])
        let tokenizer = try Tokenizer(directory: directory.url)
        #expect(tokenizer.encode(Self.sample) == Self.expected)
    }

    @Test("qwen.tiktoken: merges derived from the ranks, Qwen2-Audio specials appended")
    func tiktoken() throws {
        let directory = try TemporaryDirectory()
        var lines = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        for (offset, pair) in Self.mergePairs.enumerated() {
            let bytes = ByteLevel.bytes(for: pair.0 + pair.1)!
            lines.append("\(Data(bytes).base64EncodedString()) \(256 + offset)")
        }
        try directory.write("qwen.tiktoken", lines.joined(separator: "\n") + "\n")
        let tokenizer = try Tokenizer(directory: directory.url)
        #expect(tokenizer.encode("hello world") == Array(Self.expected.prefix(6)))
        #expect(tokenizer.encode("<|im_start|><|audio_eos|>") == [262, 266])
        #expect(tokenizer.specialTokenIDs == Set(261...266))
    }

    // MARK: - Errors

    @Test("an empty directory names the directory and the command that makes the files")
    func noFiles() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        #expect(error == .noTokenizerFiles(directory: directory.url.path))
        #expect(error?.description.contains("make_tokenizer_files.py") == true)
    }

    @Test("a directory that does not exist")
    func missingDirectory() {
        let url = URL(fileURLWithPath: "/nonexistent/qwen-audio-tokenizer")
        #expect(throws: TokenizerError.noTokenizerFiles(directory: url.path)) { try Tokenizer(directory: url) }
    }

    @Test("damaged or truncated tokenizer.json names the file", arguments: ["", "{\"model\": {\"vocab\": {", "[1, 2]"])
    func corruptTokenizerJSON(content: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("tokenizer.json", content)
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        guard case .invalidJSON(let file, _) = error else {
            Issue.record("expected invalidJSON, got \(String(describing: error))")
            return
        }
        #expect(file == directory.path("tokenizer.json"))
        #expect(error?.description.contains("tokenizer.json") == true)
    }

    @Test("a real tokenizer.json cut in half")
    func truncatedRealFile() throws {
        let source = try TokenizerFixture.directory().appendingPathComponent("tokenizer.json")
        let data = try Data(contentsOf: source)
        let directory = try TemporaryDirectory()
        try data.prefix(data.count / 2).write(to: directory.url.appendingPathComponent("tokenizer.json"))
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        #expect(error?.file == directory.path("tokenizer.json"))
    }

    @Test("tokenizer.json fields: missing model, bad merge, unknown token, unsupported parts")
    func tokenizerJSONFields() throws {
        func load(_ edit: (inout [String: Any]) -> Void) throws -> TokenizerError? {
            var json = Self.tokenizerJSON(arrayMerges: false)
            edit(&json)
            let directory = try TemporaryDirectory()
            try directory.write("tokenizer.json", json: json)
            return #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        }
        func field(_ error: TokenizerError?) -> String? {
            switch error {
            case .missingField(_, let field, _), .invalidValue(_, let field, _), .unsupported(_, let field, _): field
            default: nil
            }
        }
        func editModel(_ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { json in
                var model = json["model"] as! [String: Any]
                edit(&model)
                json["model"] = model
            }
        }
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("model", { json in json["model"] = nil }),
            ("model.merges[1]", editModel { model in model["merges"] = ["h e", "l l l"] }),
            ("model.merges[1]", editModel { model in model["merges"] = ["h e", "q z"] }),
            ("model.type", editModel { model in model["type"] = "WordPiece" }),
            (
                "model.vocab",
                editModel { model in
                    var vocab = model["vocab"] as! [String: Int]
                    vocab["a"] = nil
                    model["vocab"] = vocab
                }
            ),
            ("normalizer", { json in json["normalizer"] = ["type": "NFKC"] }),
            (
                "pre_tokenizer Split.pattern.Regex",
                { json in
                    json["pre_tokenizer"] = [
                        "type": "Sequence",
                        "pretokenizers": [
                            ["type": "Split", "pattern": ["Regex": #"\p{N}{1,3}|\s+"#], "behavior": "Isolated"],
                            ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false],
                        ],
                    ]
                }
            ),
            ("pre_tokenizer", { json in json["pre_tokenizer"] = ["type": "Whitespace"] }),
            (
                "added_tokens[0].lstrip",
                { json in
                    var token = Self.added[0]
                    token["lstrip"] = true
                    json["added_tokens"] = [token]
                }
            ),
        ]
        for (expected, edit) in cases {
            let error = try load(edit)
            #expect(field(error) == expected, "\(String(describing: error))")
            #expect(error?.file.hasSuffix("tokenizer.json") == true)
        }
    }

    @Test("vocab.json and merges.txt without tokenizer_config.json names the missing file")
    func missingConfig() throws {
        let directory = try TemporaryDirectory()
        try directory.write("vocab.json", json: Self.vocab)
        try directory.write("merges.txt", "#version: 0.2\nh e\n")
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        guard case .missingFile(let file, _) = error else {
            Issue.record("expected missingFile, got \(String(describing: error))")
            return
        }
        #expect(file == directory.path("tokenizer_config.json"))
    }

    @Test("a bad merges.txt line is reported by its line number")
    func badMergesLine() throws {
        let directory = try TemporaryDirectory()
        try directory.write("vocab.json", json: Self.vocab)
        try directory.write("merges.txt", "#version: 0.2\nh e\n\nl l\nhe zz\n")
        try directory.write("tokenizer_config.json", json: [String: Any]())
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        guard case .invalidValue(let file, let field, _) = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(file == directory.path("merges.txt"))
        #expect(field == "line 5")
    }

    @Test(
        "damaged qwen.tiktoken lines name the line",
        arguments: ["IQ== 0\nnot-a-line\n", "IQ== 0\nIg== 0\n", "IQ== 0\n"]
    )
    func badTiktoken(content: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("qwen.tiktoken", content)
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        #expect(error?.file == directory.path("qwen.tiktoken"))
        guard case .invalidValue = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
    }

    @Test("an unreadable tokenizer.json (a directory) names the file")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("tokenizer.json"),
            withIntermediateDirectories: false
        )
        let error = #expect(throws: TokenizerError.self) { try Tokenizer(directory: directory.url) }
        #expect(error?.file == directory.path("tokenizer.json"))
    }
}
