/// Everything a loaded tokenizer knows, in the shapes encoding and decoding read: built once by a loader,
/// immutable after, and shared by every copy of ``Tokenizer`` and ``StreamingDetokenizer``.
final class TokenizerModel: Sendable {
    /// The id of each single byte, the symbols BPE starts from.
    let byteIDs: [Int32]
    let merges: MergeTable
    /// Added tokens matched in the raw text, and those matched after NFC.
    let rawAddedTokens: AddedTokenMatcher
    let normalizedAddedTokens: AddedTokenMatcher
    /// Whether the segments between raw added tokens are NFC-normalized (tokenizer.json `normalizer`).
    let normalizesNFC: Bool
    /// The vocabulary form of each id (`"Ġthe"`, `"<|im_end|>"`); `nil` for ids without a token.
    let tokenStrings: [String?]
    let idsByToken: [String: Int]
    /// The bytes each id decodes to: `decodeBytes[decodeOffsets[id]..<decodeOffsets[id + 1]]`.
    let decodeBytes: [UInt8]
    let decodeOffsets: [Int]
    /// `isSpecial[id]`, for the decode loop; `specialIDs` is the same set for the public API.
    let isSpecial: [Bool]
    let specialIDs: Set<Int>
    let count: Int

    /// Builds the model from a vocabulary (token string → id, byte-level strings), merges in priority order
    /// (pairs of vocabulary strings) and added tokens.
    ///
    /// - Parameters:
    ///   - file: the file errors name.
    ///   - mergesFile: the file the merges came from, for errors.
    ///   - mergesField: the merges' field name in that file, for errors (`model.merges`); the index is appended.
    convenience init(
        vocab: [String: Int],
        merges: [(String, String)],
        added: [AddedToken],
        normalizesNFC: Bool,
        file: String,
        vocabField: String,
        mergesFile: String,
        mergesField: String
    ) throws(TokenizerError) {
        var table = MergeTable(capacity: merges.count)
        for (index, (left, right)) in merges.enumerated() {
            let field = "\(mergesField)[\(index)]"
            guard let leftID = vocab[left] else {
                throw .invalidValue(file: mergesFile, field: field, detail: "'\(left)' is not in the vocabulary")
            }
            guard let rightID = vocab[right] else {
                throw .invalidValue(file: mergesFile, field: field, detail: "'\(right)' is not in the vocabulary")
            }
            guard let mergedID = vocab[left + right] else {
                throw .invalidValue(
                    file: mergesFile,
                    field: field,
                    detail: "the merged token '\(left + right)' is not in the vocabulary"
                )
            }
            // A repeated pair keeps its first (highest-priority) rank, as tokenizers does.
            table.insert(left: Int32(leftID), right: Int32(rightID), rank: index, merged: Int32(mergedID))
        }
        var entries: [(id: Int, token: String, bytes: [UInt8])] = []
        entries.reserveCapacity(vocab.count + added.count)
        for (token, id) in vocab {
            entries.append((id, token, ByteLevel.decodedBytes(for: token)))
        }
        try self.init(
            entries: entries,
            merges: table,
            added: added,
            normalizesNFC: normalizesNFC,
            file: file,
            vocabField: vocabField
        )
    }

    /// Builds the model from id → (vocabulary string, bytes) entries and a finished merge table.
    init(
        entries: [(id: Int, token: String, bytes: [UInt8])],
        merges: MergeTable,
        added: [AddedToken],
        normalizesNFC: Bool,
        file: String,
        vocabField: String
    ) throws(TokenizerError) {
        let maxID = max(entries.map(\.id).max() ?? -1, added.map(\.id).max() ?? -1)
        guard maxID < Int(Int32.max) else {
            throw .invalidValue(file: file, field: vocabField, detail: "id \(maxID) is too large")
        }
        var strings = [String?](repeating: nil, count: maxID + 1)
        var bytesByID = [[UInt8]](repeating: [], count: maxID + 1)
        var byToken: [String: Int] = [:]
        byToken.reserveCapacity(entries.count + added.count)
        for entry in entries {
            guard entry.id >= 0 else {
                throw .invalidValue(
                    file: file,
                    field: vocabField,
                    detail: "'\(entry.token)' has negative id \(entry.id)"
                )
            }
            if let other = strings[entry.id] {
                throw .invalidValue(
                    file: file,
                    field: vocabField,
                    detail: "id \(entry.id) is used by both '\(other)' and '\(entry.token)'"
                )
            }
            strings[entry.id] = entry.token
            bytesByID[entry.id] = entry.bytes
            byToken[entry.token] = entry.id
        }
        var special = [Bool](repeating: false, count: maxID + 1)
        for token in added {
            guard token.id >= 0 else {
                throw .invalidValue(file: file, field: "added tokens", detail: "'\(token.content)' has id \(token.id)")
            }
            // An added token may repeat a vocabulary entry; it then only gains the added-token behaviour.
            strings[token.id] = token.content
            bytesByID[token.id] = ByteLevel.decodedBytes(for: token.content)
            byToken[token.content] = token.id
            special[token.id] = token.special
        }
        var byteIDs = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            guard let id = byToken[String(ByteLevel.scalarForByte[b])] else {
                throw .invalidValue(
                    file: file,
                    field: vocabField,
                    detail: "there is no token for the byte 0x\(String(b, radix: 16, uppercase: true)), so "
                        + "byte-level BPE cannot encode every text"
                )
            }
            byteIDs[b] = Int32(id)
        }
        var offsets = [Int](repeating: 0, count: maxID + 2)
        var flat: [UInt8] = []
        flat.reserveCapacity(bytesByID.reduce(0) { $0 + $1.count })
        for id in 0..<(maxID + 1) {
            offsets[id] = flat.count
            flat.append(contentsOf: bytesByID[id])
        }
        offsets[maxID + 1] = flat.count

        self.byteIDs = byteIDs
        self.merges = merges
        self.rawAddedTokens = AddedTokenMatcher(added.filter { !$0.normalized })
        self.normalizedAddedTokens = AddedTokenMatcher(added.filter(\.normalized))
        self.normalizesNFC = normalizesNFC
        self.tokenStrings = strings
        self.idsByToken = byToken
        self.decodeBytes = flat
        self.decodeOffsets = offsets
        self.isSpecial = special
        self.specialIDs = Set(added.filter(\.special).map(\.id))
        self.count = strings.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
    }

    /// Appends the bytes `id` decodes to; ids without a token add nothing, as in tokenizers.
    @inline(__always)
    func appendBytes(of id: Int, skipSpecialTokens: Bool, to out: inout [UInt8]) {
        guard id >= 0, id < tokenStrings.count else { return }
        if skipSpecialTokens && isSpecial[id] { return }
        let start = decodeOffsets[id]
        let end = decodeOffsets[id + 1]
        if start < end { out.append(contentsOf: decodeBytes[start..<end]) }
    }
}
