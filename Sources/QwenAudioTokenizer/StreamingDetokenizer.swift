/// Turns ids into text one at a time, for streamed output.
///
/// A byte-level token can end in the middle of a UTF-8 character (an emoji or a CJK character is often two or
/// three tokens), so decoding each id on its own would print U+FFFD and then the rest of the character. This type
/// keeps the bytes of an incomplete character until the ids that complete it arrive. Joined, its outputs equal
/// ``Tokenizer/decode(_:skipSpecialTokens:)`` of all the ids: bytes are only cut before a UTF-8 lead byte, and
/// the decoding of what comes before such a cut does not depend on what follows it.
///
/// ```swift
/// var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
/// for id in generatedIDs { send(detokenizer.append(id)) }
/// send(detokenizer.finish())
/// ```
public struct StreamingDetokenizer: Sendable {
    private let model: TokenizerModel
    private let skipSpecialTokens: Bool
    /// Bytes not yet returned: at most 3, the start of one UTF-8 character.
    private var pending: [UInt8] = []

    /// Creates a detokenizer with nothing pending.
    ///
    /// - Parameters:
    ///   - tokenizer: the tokenizer whose ids will be appended.
    ///   - skipSpecialTokens: leave out special tokens, as ``Tokenizer/decode(_:skipSpecialTokens:)`` does.
    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        model = tokenizer.model
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one id and returns the text it completes.
    ///
    /// - Parameter id: the next token id; ids without a token add nothing.
    /// - Returns: the newly completed text, possibly empty. It never ends in part of a character: an incomplete
    ///   trailing UTF-8 sequence is held back. Bytes that can never become valid UTF-8 are returned as U+FFFD at once.
    public mutating func append(_ id: Int) -> String {
        model.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &pending)
        let complete = Self.completePrefixLength(pending)
        if complete == 0 { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Returns whatever is still held back and resets the detokenizer; an incomplete character becomes U+FFFD.
    ///
    /// - Returns: the held-back text, usually empty.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest prefix of `bytes` that can be decoded now: everything but a trailing sequence that
    /// is a valid but incomplete start of a UTF-8 character (the lead byte, and the second byte in the range the
    /// lead allows: E0 A0…BF, ED 80…9F, F0 90…BF, F4 80…8F, else 80…BF).
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var i = n - 1
        while i >= 0 && i >= n - 4 {
            let byte = bytes[i]
            if byte < 0x80 { return n }
            if byte >= 0xC0 {
                let needed: Int
                switch byte {
                case 0xC2...0xDF: needed = 2
                case 0xE0...0xEF: needed = 3
                case 0xF0...0xF4: needed = 4
                default: return n  // C0, C1, F5…FF never start a character
                }
                if n - i >= needed { return n }
                if n - i >= 2 {
                    let second = bytes[i + 1]
                    let allowed: ClosedRange<UInt8> =
                        switch byte {
                        case 0xE0: 0xA0...0xBF
                        case 0xED: 0x80...0x9F
                        case 0xF0: 0x90...0xBF
                        case 0xF4: 0x80...0x8F
                        default: 0x80...0xBF
                        }
                    if !allowed.contains(second) { return n }
                }
                // Bytes after the lead are continuation bytes: the loop only stepped back over those.
                return i
            }
            i -= 1
        }
        // Only continuation bytes in the last four: invalid whatever follows.
        return n
    }
}
