public import Foundation

/// The Qwen2 byte-level BPE tokenizer, as transformers' `Qwen2Tokenizer` (tokenizers backend) runs it for
/// Qwen2-Audio.
///
/// Encoding: added tokens (`<|im_start|>`, `<|AUDIO|>`, …) are found first in the raw text, leftmost and longest;
/// each run of text between them is NFC-normalized, split by the Qwen2 pre-tokenizer regex, mapped to bytes and
/// merged by BPE. No BOS or EOS is added. Decoding concatenates the tokens' bytes and repairs invalid UTF-8 with
/// U+FFFD, as tokenizers' ByteLevel decoder does.
///
/// ```swift
/// let tokenizer = try Tokenizer(directory: URL(fileURLWithPath: "/models/Qwen2-Audio-7B-Instruct"))
/// let ids = tokenizer.encode("<|im_start|>user\nWhat's that sound?<|im_end|>")
/// // [151644, 872, 198, 3838, 594, 429, 5112, 30, 151645]
/// let text = tokenizer.decode(ids, skipSpecialTokens: true)   // "user\nWhat's that sound?"
/// ```
///
/// A `Tokenizer` is an immutable value that shares its tables between copies; use it from any thread.
public struct Tokenizer: Sendable {
    let model: TokenizerModel

    /// Loads the tokenizer files of a model directory.
    ///
    /// The first complete form found is used:
    /// 1. `tokenizer.json` (HF fast-tokenizer: `model.vocab`, `model.merges` as `"a b"` strings or `["a", "b"]`
    ///    pairs, `added_tokens`); its normalizer, pre-tokenizer and decoder must be Qwen2's;
    /// 2. `vocab.json` + `merges.txt` + `tokenizer_config.json` (its `added_tokens_decoder`);
    /// 3. `qwen.tiktoken` (dashscope's rank file), with Qwen2-Audio's special tokens `<|endoftext|>`, `<|im_start|>`,
    ///    `<|im_end|>`, `<|AUDIO|>`, `<|audio_bos|>`, `<|audio_eos|>` appended after the last rank (151643…151648).
    ///
    /// - Parameter directory: the directory that holds the files.
    /// - Throws: ``TokenizerError`` naming the missing, unreadable or malformed file and field.
    public init(directory: URL) throws(TokenizerError) {
        model = try TokenizerFiles.load(directory: directory)
    }

    // MARK: - Encoding

    /// Token ids of `text`, without BOS or EOS.
    ///
    /// Added tokens written in the text (`"<|im_start|>"`) become their ids; to encode such a string as plain
    /// text, there is no switch (transformers' `split_special_tokens=False`, Qwen2-Audio's setting).
    ///
    /// - Parameter text: any string; it is NFC-normalized between added tokens before BPE.
    /// - Returns: the ids, exactly those transformers' tokenizer returns with `add_special_tokens=True` (Qwen2
    ///   adds none).
    public func encode(_ text: String) -> [Int] {
        var text = text
        var output: [Int] = []
        output.reserveCapacity(text.utf8.count / 3 + 1)
        var encoder = Encoder(model: model)
        text.withUTF8 { utf8 in
            model.rawAddedTokens.split(
                utf8,
                run: { range in encoder.encodeRaw(UnsafeBufferPointer(rebasing: utf8[range]), into: &output) },
                token: { id in output.append(id) }
            )
        }
        return output
    }

    // MARK: - Decoding

    /// The text of some token ids.
    ///
    /// - Parameters:
    ///   - ids: token ids; ids that have no token (151649…156031 for Qwen2-Audio, negative ids) are dropped, as
    ///     transformers does.
    ///   - skipSpecialTokens: leave out special tokens (`<|im_end|>`, `<|AUDIO|>`, …).
    /// - Returns: the concatenated bytes of the tokens as UTF-8; each invalid sequence becomes one U+FFFD
    ///   (substitution of maximal subparts, as Rust's `String::from_utf8_lossy`).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { model.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Vocabulary

    /// The id of a token in its vocabulary form (byte-level characters: `"Ġthe"` for `" the"`), or of an added
    /// token (`"<|AUDIO|>"`).
    ///
    /// - Parameter forToken: the token string, as in `vocab.json` or `added_tokens`.
    /// - Returns: its id, or `nil` if there is no such token.
    public func id(forToken token: String) -> Int? { model.idsByToken[token] }

    /// The vocabulary form of an id (`"Ġthe"`, `"<|im_end|>"`), as transformers' `convert_ids_to_tokens`.
    ///
    /// - Parameter forID: a token id.
    /// - Returns: the token string, or `nil` if the id has no token.
    public func token(forID id: Int) -> String? {
        guard id >= 0, id < model.tokenStrings.count else { return nil }
        return model.tokenStrings[id]
    }

    /// The ids of the special added tokens (151643…151648 for Qwen2-Audio).
    public var specialTokenIDs: Set<Int> { model.specialIDs }

    /// How many ids have a token (151649 for Qwen2-Audio: 151643 BPE tokens and 6 added tokens).
    public var count: Int { model.count }
}

/// The per-call state of ``Tokenizer/encode(_:)``: scratch buffers reused across the words of one text.
private struct Encoder {
    let model: TokenizerModel
    var preTokenizer = PreTokenizer()
    var workspace = BPEWorkspace()
    var symbols: [Int32] = []

    init(model: TokenizerModel) { self.model = model }

    /// A run of raw text between added tokens: normalize it, then look for the normalized added tokens.
    mutating func encodeRaw(_ utf8: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        if model.normalizesNFC && Self.mayNeedNFC(utf8) {
            // String's NFC (the stdlib's own Unicode tables) is 5x faster here than Foundation's
            // `precomposedStringWithCanonicalMapping`, and gives the same bytes.
            let normalized = String(decoding: utf8, as: UTF8.self)._nfcCodeUnits
            normalized.withUnsafeBufferPointer { encodeNormalized($0, into: &output) }
        } else {
            encodeNormalized(utf8, into: &output)
        }
    }

    /// Text that has only scalars below U+0300 is already NFC: nothing there decomposes canonically, and every
    /// character that composes with a preceding one is U+0300 or above. In UTF-8 that is: no byte ≥ 0xCC.
    private static func mayNeedNFC(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in utf8 where b >= 0xCC { return true }
        return false
    }

    private mutating func encodeNormalized(_ utf8: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        if model.normalizedAddedTokens.isEmpty {
            encodeText(utf8, into: &output)
            return
        }
        model.normalizedAddedTokens.split(
            utf8,
            run: { range in encodeText(UnsafeBufferPointer(rebasing: utf8[range]), into: &output) },
            token: { id in output.append(id) }
        )
    }

    /// Pre-tokenize, then BPE each piece.
    private mutating func encodeText(_ utf8: UnsafeBufferPointer<UInt8>, into output: inout [Int]) {
        let byteIDs = model.byteIDs
        let merges = model.merges
        var symbols = self.symbols
        var workspace = self.workspace
        preTokenizer.split(utf8) { range in
            if range.count == 1 {
                output.append(Int(byteIDs[Int(utf8[range.lowerBound])]))
                return
            }
            symbols.removeAll(keepingCapacity: true)
            for i in range { symbols.append(byteIDs[Int(utf8[i])]) }
            BPE.merge(&symbols, table: merges, workspace: &workspace, into: &output)
        }
        self.symbols = symbols
        self.workspace = workspace
    }
}
