import Testing

@testable import QwenAudioTokenizer

@Suite("Special tokens and vocabulary")
struct SpecialTokenTests {
    static let specials: [(String, Int)] = [
        ("<|endoftext|>", 151_643), ("<|im_start|>", 151_644), ("<|im_end|>", 151_645), ("<|AUDIO|>", 151_646),
        ("<|audio_bos|>", 151_647), ("<|audio_eos|>", 151_648),
    ]

    @Test("the six Qwen2-Audio special tokens have ids 151643…151648, and 151649 ids have a token")
    func ids() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        #expect(tokenizer.count == 151_649)
        #expect(tokenizer.specialTokenIDs == Set(151_643...151_648))
        for (content, id) in Self.specials {
            #expect(tokenizer.id(forToken: content) == id)
            #expect(tokenizer.token(forID: id) == content)
            #expect(tokenizer.encode(content) == [id])
            #expect(tokenizer.decode([id]) == content)
            #expect(tokenizer.decode([id], skipSpecialTokens: true) == "")
        }
    }

    @Test("vocabulary strings are byte-level: Ġ is the space, Ċ the newline")
    func vocabularyForm() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        #expect(tokenizer.id(forToken: "Hello") == 9707)
        #expect(tokenizer.id(forToken: "ĠHello") == 21927)
        #expect(tokenizer.token(forID: 198) == "Ċ")
        #expect(tokenizer.token(forID: 220) == "Ġ")
        #expect(tokenizer.id(forToken: " Hello") == nil)
        #expect(tokenizer.token(forID: 151_649) == nil)
        #expect(tokenizer.token(forID: 156_031) == nil)
        #expect(tokenizer.token(forID: -1) == nil)
        #expect(tokenizer.decode([-5, 151_649, 9707, 1_000_000]) == "Hello")
    }

    @Test("special tokens are found in the raw text: glued to words, repeated, between NFD text")
    func inlineSpecials() throws {
        let tokenizer = try TokenizerFixture.tokenizer()
        #expect(tokenizer.encode("<|AUDIO|><|AUDIO|>") == [151_646, 151_646])
        let hello = tokenizer.encode("Hello")
        #expect(tokenizer.encode("Hello<|im_end|>Hello") == hello + [151_645] + hello)
        // A combining accent right after a special token has nothing to compose with.
        #expect(tokenizer.encode("<|AUDIO|>e\u{301}") == [151_646] + tokenizer.encode("é"))
        // Prefixes of special tokens are plain text.
        #expect(!tokenizer.encode("<|im_start <|AUDIO| <|audio").contains { $0 >= 151_643 })
        // <|extra_0|> is a dashscope token, not a Qwen2-Audio one.
        #expect(!tokenizer.encode("<|extra_0|>").contains { $0 >= 151_643 })
    }

    @Test("leftmost-longest matching of added tokens")
    func leftmostLongest() {
        let matcher = AddedTokenMatcher([
            AddedToken(content: "<|a|>", id: 1, special: true, normalized: false),
            AddedToken(content: "<|a|><|b|>", id: 2, special: true, normalized: false),
            AddedToken(content: "|>", id: 3, special: true, normalized: false),
        ])
        var events: [String] = []
        let text = Array("x<|a|><|b|>y<|a|>z|>".utf8)
        text.withUnsafeBufferPointer { buffer in
            matcher.split(
                buffer,
                run: { range in events.append(String(decoding: buffer[range], as: UTF8.self)) },
                token: { id in events.append("#\(id)") }
            )
        }
        #expect(events == ["x", "#2", "y", "#1", "z", "#3"])
    }
}
