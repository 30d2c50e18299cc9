import Foundation
import Testing

@testable import QwenAudioTokenizer

/// Encoding and decoding against transformers' Qwen2 tokenizer (goldens from `Tools/make_tokenizer_goldens.py`).
@Suite("Tokenizer goldens")
struct TokenizerGoldenTests {
    @Test("the golden set is the one the generator writes")
    func goldenSetSize() throws {
        let goldens = try TokenizerFixture.goldens()
        #expect(goldens.cases.count >= 40)
        #expect(goldens.random.count == 200)
        #expect(goldens.decodeCases.count >= 10)
    }

    @Test("every golden text encodes to transformers' ids")
    func encodesLikeTransformers() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for golden in try TokenizerFixture.allCases() {
            let ids = tokenizer.encode(golden.text)
            #expect(ids == golden.ids, "\(golden.testDescription): text \(golden.text.debugDescription)")
        }
    }

    @Test("every golden id list decodes to transformers' text, with and without special tokens")
    func decodesLikeTransformers() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for golden in try TokenizerFixture.allCases() {
            #expect(
                tokenizer.decode(golden.ids).scalarArray == golden.decoded.scalarArray,
                "\(golden.testDescription)"
            )
            #expect(
                tokenizer.decode(golden.ids, skipSpecialTokens: true).scalarArray == golden.decodedSkip.scalarArray,
                "\(golden.testDescription)"
            )
        }
    }

    @Test("ids without a token are dropped and invalid UTF-8 becomes U+FFFD, as transformers decodes")
    func decodeCases() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for golden in try TokenizerFixture.goldens().decodeCases {
            #expect(tokenizer.decode(golden.ids).scalarArray == golden.decoded.scalarArray, "\(golden.name)")
            #expect(
                tokenizer.decode(golden.ids, skipSpecialTokens: true).scalarArray == golden.decodedSkip.scalarArray,
                "\(golden.name)"
            )
        }
    }

    @Test("decode(encode(x)) is NFC(x)")
    func roundTrip() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for golden in try TokenizerFixture.allCases() {
            // Foundation's NFC, not the stdlib's that the tokenizer uses, so the check is independent.
            let expected = golden.text.precomposedStringWithCanonicalMapping
            #expect(
                tokenizer.decode(tokenizer.encode(golden.text)).scalarArray == expected.scalarArray,
                "\(golden.testDescription)"
            )
        }
    }

    @Test("the model spec's ids: the fox sentence and the chat prompt of §8")
    func specIDs() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        #expect(
            tokenizer.encode("The quick brown fox jumps over the lazy dog.")
                == [785, 3974, 13876, 38835, 34208, 916, 279, 15678, 5562, 13]
        )
        #expect(tokenizer.encode("Hello world") == [9707, 1879])
        #expect(tokenizer.encode(" Hello world") == [21927, 1879])
        let audioTokens = 101
        let prompt =
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nAudio 1: <|audio_bos|>"
            + String(repeating: "<|AUDIO|>", count: audioTokens)
            + "<|audio_eos|>\nWhat's that sound?<|im_end|>\n<|im_start|>assistant\n"
        let expected =
            [
                151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 14755, 220, 16, 25,
                220,
                151647,
            ] + [Int](repeating: 151646, count: audioTokens)
            + [151648, 198, 3838, 594, 429, 5112, 30, 151645, 198, 151644, 77091, 198]
        #expect(tokenizer.encode(prompt) == expected)
    }

    @Test(
        "tokenizer.json, vocab.json + merges.txt and qwen.tiktoken give identical ids",
        arguments: [
            ["vocab.json", "merges.txt", "tokenizer_config.json"],
            ["qwen.tiktoken"],
        ]
    )
    func formsAgree(files: [String]) throws {
        let reference = try TokenizerFixture.tokenizer()
        let directory = try TokenizerFixture.directory(with: files)
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = try Tokenizer(directory: directory)
        #expect(other.count == reference.count)
        #expect(other.specialTokenIDs == reference.specialTokenIDs)
        for golden in try TokenizerFixture.allCases() {
            #expect(other.encode(golden.text) == golden.ids, "\(golden.testDescription)")
        }
        for id in stride(from: 0, to: 151_700, by: 97) {
            #expect(other.token(forID: id) == reference.token(forID: id), "id \(id)")
        }
        for id in [0, 255, 151_642, 151_643, 151_648, 151_649] {
            #expect(other.token(forID: id) == reference.token(forID: id), "id \(id)")
        }
    }

    @Test("the merges derived from qwen.tiktoken are merges.txt, in order")
    func tiktokenMergesEqualMergesTxt() throws {
        let directory = try TokenizerFixture.directory()
        let fromTiktoken = try TokenizerFiles.loadTiktoken(directory.appendingPathComponent("qwen.tiktoken"))
        let text = try String(contentsOf: directory.appendingPathComponent("merges.txt"), encoding: .utf8)
        var lines = text.split(separator: "\n").dropFirst()  // "#version: 0.2"
        #expect(lines.count == 151_387)
        var rank = 0
        var checked = 0
        // Every merge's pair must map to the id of the concatenated token, with rank order preserved.
        var previousRank = -1
        while let line = lines.popFirst() {
            let parts = line.split(separator: " ")
            let left = try #require(fromTiktoken.idsByToken[String(parts[0])])
            let right = try #require(fromTiktoken.idsByToken[String(parts[1])])
            let merged = try #require(fromTiktoken.idsByToken[String(parts[0]) + String(parts[1])])
            let found = fromTiktoken.merges.lookup(Int32(left), Int32(right))
            #expect(found != UInt64.max, "line \(rank + 2): \(line)")
            if found != UInt64.max {
                #expect(Int(found & 0xFFFF_FFFF) == merged)
                #expect(Int(found >> 32) > previousRank, "line \(rank + 2) is out of rank order")
                previousRank = Int(found >> 32)
                checked += 1
            }
            rank += 1
        }
        #expect(checked == 151_387)
        #expect(fromTiktoken.merges.count == 151_387)
    }
}
