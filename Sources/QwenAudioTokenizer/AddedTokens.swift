/// A token the tokenizer recognises as a whole before normalization and BPE (`<|im_start|>`, `<|AUDIO|>`, …).
struct AddedToken: Sendable, Equatable {
    var content: String
    var id: Int
    /// Special tokens are the ones `decode(_:skipSpecialTokens: true)` leaves out.
    var special: Bool
    /// tokenizers matches `normalized` tokens in the NFC-normalized text, the others in the raw text.
    var normalized: Bool
}

/// Finds added tokens in UTF-8 text, leftmost first and longest at a position, like the Aho-Corasick
/// `LeftmostLongest` automaton in tokenizers' `AddedVocabulary`.
///
/// A handful of tokens with distinct first bytes makes a first-byte index enough: at each byte only the tokens
/// that start with it are compared.
struct AddedTokenMatcher: Sendable {
    private var tokens: [(bytes: [UInt8], id: Int)] = []
    /// For each first byte, indices into `tokens`, longest token first.
    private var byFirstByte: [[Int]] = Array(repeating: [], count: 256)

    init(_ added: [AddedToken]) {
        for token in added where !token.content.isEmpty {
            tokens.append((Array(token.content.utf8), token.id))
        }
        for (index, token) in tokens.enumerated() { byFirstByte[Int(token.bytes[0])].append(index) }
        for b in 0..<256 {
            byFirstByte[b].sort { tokens[$0].bytes.count > tokens[$1].bytes.count }
        }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Splits `text` into the runs between added tokens and the tokens themselves, in order. Empty runs are not
    /// reported. Token bytes are valid UTF-8 that starts with a lead byte, so a match never splits a scalar.
    func split(_ text: UnsafeBufferPointer<UInt8>, run: (Range<Int>) -> Void, token: (Int) -> Void) {
        if tokens.isEmpty {
            if !text.isEmpty { run(0..<text.count) }
            return
        }
        var runStart = 0
        var i = 0
        let n = text.count
        search: while i < n {
            for index in byFirstByte[Int(text[i])] {
                let candidate = tokens[index].bytes
                if candidate.count <= n - i,
                    candidate.withUnsafeBufferPointer({ c in
                        for k in 1..<c.count where c[k] != text[i + k] { return false }
                        return true
                    })
                {
                    if runStart < i { run(runStart..<i) }
                    token(tokens[index].id)
                    i += candidate.count
                    runStart = i
                    continue search
                }
            }
            i += 1
        }
        if runStart < n { run(runStart..<n) }
    }
}
