import Foundation
import Testing

@testable import QwenAudioTokenizer

@Suite("StreamingDetokenizer")
struct StreamingDetokenizerTests {
    /// Feeds ids one at a time; returns the chunks, the text after `finish()` included as the last chunk.
    private func stream(_ ids: [Int], _ tokenizer: Tokenizer, skipSpecialTokens: Bool = false) -> [String] {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: skipSpecialTokens)
        var chunks = ids.map { detokenizer.append($0) }
        chunks.append(detokenizer.finish())
        return chunks
    }

    @Test("emoji and CJK split across ids: no U+FFFD, and the chunks join to decode(ids)")
    func multiByteTokens() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        let texts = [
            "👨‍👩‍👧‍👦 👩🏽‍💻 🏳️‍🌈 🇯🇵🇺🇸 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣",
            "佢哋話咁樣唔係幾好嘅，中华人民共和国国务院总理",
            "𓀀𓀁𓀂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ꙮ 🫠🫡",
            "こんにちは、カタカナ。안녕하세요 Ελληνικά",
        ]
        var heldBack = 0
        for text in texts {
            let ids = tokenizer.encode(text)
            let chunks = stream(ids, tokenizer)
            #expect(chunks.joined().scalarArray == tokenizer.decode(ids).scalarArray, "\(text)")
            #expect(chunks.joined() == text)
            #expect(!chunks.contains { $0.unicodeScalars.contains("\u{FFFD}") }, "\(text)")
            heldBack += chunks.dropLast().filter(\.isEmpty).count
        }
        // The texts were picked so that some ids end inside a character; otherwise this test would prove nothing.
        #expect(heldBack > 10)
    }

    @Test("every golden streams to its decode, with and without special tokens")
    func goldens() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for golden in try TokenizerFixture.allCases() {
            #expect(stream(golden.ids, tokenizer).joined().scalarArray == golden.decoded.scalarArray)
            #expect(
                stream(golden.ids, tokenizer, skipSpecialTokens: true).joined().scalarArray
                    == golden.decodedSkip.scalarArray
            )
            let valid = !golden.decoded.unicodeScalars.contains("\u{FFFD}")
            if valid {
                #expect(!stream(golden.ids, tokenizer).contains { $0.unicodeScalars.contains("\u{FFFD}") })
            }
        }
    }

    @Test("invalid and truncated UTF-8 streams to the same U+FFFD as decode")
    func invalidSequences() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        for golden in try TokenizerFixture.goldens().decodeCases {
            #expect(stream(golden.ids, tokenizer).joined().scalarArray == golden.decoded.scalarArray, "\(golden.name)")
            #expect(
                stream(golden.ids, tokenizer, skipSpecialTokens: true).joined().scalarArray
                    == golden.decodedSkip.scalarArray,
                "\(golden.name)"
            )
        }
    }

    @Test("a character cut at the end is held back until finish(), which returns U+FFFD")
    func finishFlushes() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        let ids = tokenizer.encode("a𓀀")
        #expect(ids.count >= 3)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(detokenizer.append(ids[0]) == "a")
        #expect(detokenizer.append(ids[1]) == "")
        #expect(detokenizer.finish() == "\u{FFFD}")
        #expect(detokenizer.finish() == "")
        // After finish() the detokenizer starts over.
        #expect(detokenizer.append(ids[0]) == "a")
    }

    @Test(
        "complete-prefix rule on raw bytes",
        arguments: [
            ([], 0),
            ([0x61], 1),
            ([0x61, 0xE4], 1),  // lead of a 3-byte character: held
            ([0x61, 0xE4, 0xB8], 1),
            ([0x61, 0xE4, 0xB8, 0xAD], 4),
            ([0xF0, 0x9F, 0x98], 0),
            ([0xF0, 0x9F, 0x98, 0x80], 4),
            ([0xE0, 0x80], 2),  // overlong: can never complete, so it goes out (as U+FFFD U+FFFD)
            ([0xED, 0xA0], 2),  // surrogate
            ([0xF4, 0x90], 2),  // above U+10FFFF
            ([0xC0], 1),
            ([0xFF], 1),
            ([0x80, 0x80, 0x80, 0x80], 4),
            ([0x61, 0xC3], 1),
        ] as [([UInt8], Int)]
    )
    func completePrefix(bytes: [UInt8], expected: Int) {
        #expect(StreamingDetokenizer.completePrefixLength(bytes) == expected)
    }
}
