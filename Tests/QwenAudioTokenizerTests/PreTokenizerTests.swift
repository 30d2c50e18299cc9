import Foundation
import Testing

@testable import QwenAudioTokenizer

/// The hand-written scanner against tokenizers' `Split` with the Qwen2 regex (Oniguruma). The expected pieces are
/// `pre_tokenizers.Split(Regex(pattern), "isolated").pre_tokenize_str(text)` from tokenizers 0.23.3.
@Suite("PreTokenizer")
struct PreTokenizerTests {
    static let cases: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("  x", [" ", " x"]),
        ("\u{9}\u{9}def", ["\u{9}", "\u{9}def"]),
        ("a  \u{A}  b", ["a", "  \u{A}", " ", " b"]),
        (" \u{D} \u{A} x", [" \u{D} \u{A}", " x"]),
        ("a\u{D}\u{D} b", ["a", "\u{D}\u{D}", " b"]),
        ("!!\u{D}\u{A}\u{D}\u{A}abc", ["!!\u{D}\u{A}\u{D}\u{A}", "abc"]),
        ("don't", ["don", "'t"]),
        ("'sam", ["'s", "am"]),
        ("'\u{17F}x", ["'\u{17F}", "x"]),
        ("'LL'", ["'LL", "'"]),
        (" 'll", [" '", "ll"]),
        ("x'\u{FB06}y", ["x", "'\u{FB06}y"]),
        ("a\u{85}b", ["a", "\u{85}b"]),
        ("a\u{85}\u{85}b", ["a", "\u{85}", "\u{85}b"]),
        ("a\u{180E}\u{180E}b", ["a", "\u{180E}\u{180E}", "b"]),
        ("a\u{200B}\u{200B}b", ["a", "\u{200B}\u{200B}", "b"]),
        ("a\u{1C}\u{1C}b", ["a", "\u{1C}\u{1C}", "b"]),
        ("a\u{A0}\u{A0}b", ["a", "\u{A0}", "\u{A0}b"]),
        ("a \u{3000}b", ["a", " ", "\u{3000}b"]),
        ("\u{2028}\u{2029}", ["\u{2028}\u{2029}"]),
        ("123abc", ["1", "2", "3", "abc"]),
        ("abc123", ["abc", "1", "2", "3"]),
        ("   ", ["   "]),
        ("end  ", ["end", "  "]),
        (" ?! x", [" ?!", " x"]),
        ("?!\u{A}\u{A}x", ["?!\u{A}\u{A}", "x"]),
        ("\u{4E2D}\u{6587}\u{FF0C}\u{6D4B}\u{8BD5}", ["\u{4E2D}\u{6587}", "\u{FF0C}\u{6D4B}\u{8BD5}"]),
        ("x\u{A}", ["x", "\u{A}"]),
        ("\u{A}", ["\u{A}"]),
        ("a\u{301}b", ["a", "\u{301}b"]),
        ("2\u{B2}", ["2", "\u{B2}"]),
        ("'s's", ["'s", "'s"]),
        ("'re're", ["'re", "'re"]),
        ("'R", ["'R"]),
        ("'vE", ["'vE"]),
    ]

    private func pieces(_ text: String) -> [String] {
        var preTokenizer = PreTokenizer()
        let bytes = Array(text.utf8)
        var out: [String] = []
        bytes.withUnsafeBufferPointer { buffer in
            preTokenizer.split(buffer) { range in out.append(String(decoding: buffer[range], as: UTF8.self)) }
        }
        return out
    }

    @Test("pieces equal tokenizers' Split for contractions, whitespace runs, newlines, numbers, Unicode classes")
    func matchesTokenizers() {
        for (text, expected) in Self.cases {
            #expect(pieces(text).map(\.scalarArray) == expected.map(\.scalarArray), "\(text.debugDescription)")
        }
    }

    @Test("classes follow Unicode: White_Space, L*, N*")
    func classes() {
        let whitespace: [UInt32] = [
            0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028,
            0x2029, 0x202F, 0x205F, 0x3000,
        ]
        for v in whitespace { #expect(PreTokenizer.classify(v) & PreTokenizer.whitespace != 0, "U+\(v)") }
        for v: UInt32 in [0x1C, 0x1F, 0x180E, 0x200B, 0xFEFF] {
            #expect(PreTokenizer.classify(v) & PreTokenizer.whitespace == 0, "U+\(v)")
        }
        for v: UInt32 in [0x41, 0xDF, 0x01C5, 0x02B0, 0x4E2D, 0xAC00, 0x3042, 0x05D0] {
            #expect(PreTokenizer.classify(v) == PreTokenizer.letter, "U+\(v)")
        }
        for v: UInt32 in [0x30, 0xB2, 0xBD, 0x0663, 0x2160, 0x2462, 0x1D7CE] {
            #expect(PreTokenizer.classify(v) == PreTokenizer.number, "U+\(v)")
        }
        #expect(PreTokenizer.classify(0x0A) == PreTokenizer.whitespace | PreTokenizer.newline)
        #expect(PreTokenizer.classify(0x0301) == 0)
        // The precomputed BMP table agrees with direct lookups.
        for v in stride(from: 0, to: 0x10000, by: 7) where !(0xD800...0xDFFF).contains(v) {
            #expect(PreTokenizer.bmpClasses[v] == PreTokenizer.classify(UInt32(v)))
        }
    }

    @Test("the pieces tile the text")
    func piecesTile() throws {
        for golden in try TokenizerFixture.allCases() {
            let text = golden.text.precomposedStringWithCanonicalMapping
            #expect(pieces(text).joined().scalarArray == text.scalarArray)
            #expect(!pieces(text).contains(""))
        }
    }
}
