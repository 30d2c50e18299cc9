import Foundation

/// Reads the three on-disk forms of the Qwen2 tokenizer into a ``TokenizerModel``.
///
/// * `tokenizer.json`: the HF fast-tokenizer file (tokenizers' `Tokenizer::from_file`). Its normalizer,
///   pre-tokenizer and decoder are checked against the Qwen2 pipeline this module implements.
/// * `vocab.json` + `merges.txt` + `tokenizer_config.json`: what transformers' `Qwen2Tokenizer` reads; the added
///   tokens come from `added_tokens_decoder`, the pipeline is Qwen2's (NFC, the Qwen2 split, byte level).
/// * `qwen.tiktoken`: the rank file of dashscope and Qwen-7B (`base64(token) rank` per line); the merges are derived
///   from the ranks and Qwen2-Audio's special tokens are appended (model spec §9).
enum TokenizerFiles {
    static let tokenizerJSON = "tokenizer.json"
    static let vocabJSON = "vocab.json"
    static let mergesTxt = "merges.txt"
    static let tokenizerConfigJSON = "tokenizer_config.json"
    static let tiktoken = "qwen.tiktoken"

    /// The split regex of Qwen2's tokenizer.json; ``PreTokenizer`` implements exactly this one.
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Qwen2-Audio's added tokens, in id order after the last rank of `qwen.tiktoken` (151643…151648).
    static let qwen2AudioSpecialTokens = [
        "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|AUDIO|>", "<|audio_bos|>", "<|audio_eos|>",
    ]

    /// Loads the first complete form found in `directory`, in the order above.
    static func load(directory: URL) throws(TokenizerError) -> TokenizerModel {
        let manager = FileManager.default
        func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { manager.fileExists(atPath: url(name).path) }

        if exists(tokenizerJSON) { return try loadTokenizerJSON(url(tokenizerJSON)) }
        if exists(vocabJSON) || exists(mergesTxt) {
            let form = "the vocab.json + merges.txt + tokenizer_config.json form"
            for name in [vocabJSON, mergesTxt, tokenizerConfigJSON] where !exists(name) {
                throw .missingFile(file: url(name).path, neededFor: form)
            }
            return try loadVocabAndMerges(
                vocab: url(vocabJSON),
                merges: url(mergesTxt),
                config: url(tokenizerConfigJSON)
            )
        }
        if exists(tiktoken) { return try loadTiktoken(url(tiktoken)) }
        throw .noTokenizerFiles(directory: directory.path)
    }

    // MARK: - tokenizer.json

    static func loadTokenizerJSON(_ url: URL) throws(TokenizerError) -> TokenizerModel {
        let file = url.path
        let root = try readJSONObject(url)
        guard let model = root["model"] as? [String: Any] else {
            throw .missingField(file: file, field: "model", expected: "an object")
        }
        if let type = model["type"] as? String, type != "BPE" {
            throw .unsupported(file: file, field: "model.type", value: "'\(type)'")
        }
        if let dropout = model["dropout"] as? Double, dropout > 0 {
            throw .unsupported(file: file, field: "model.dropout", value: "\(dropout)")
        }
        for field in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[field] as? String, !value.isEmpty {
                throw .unsupported(file: file, field: "model.\(field)", value: "'\(value)'")
            }
        }
        if let fallback = model["byte_fallback"] as? Bool, fallback {
            throw .unsupported(file: file, field: "model.byte_fallback", value: "true")
        }
        // ignore_merges=true would look whole words up in the vocabulary before merging; Qwen2 has false.
        if let ignore = model["ignore_merges"] as? Bool, ignore {
            throw .unsupported(file: file, field: "model.ignore_merges", value: "true")
        }
        let vocab = try vocabulary(model["vocab"], file: file, field: "model.vocab")
        guard let mergeList = model["merges"] as? [Any] else {
            throw .missingField(file: file, field: "model.merges", expected: "an array")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeList.count)
        for (index, entry) in mergeList.enumerated() {
            // Older tokenizers write "a b"; tokenizers ≥ 0.20 writes ["a", "b"] (then a token may contain a space).
            if let line = entry as? String {
                guard let pair = splitMerge(line) else {
                    throw .invalidValue(
                        file: file,
                        field: "model.merges[\(index)]",
                        detail: "'\(line)' is not two tokens separated by one space"
                    )
                }
                merges.append(pair)
            } else if let parts = entry as? [Any], parts.count == 2, let left = parts[0] as? String,
                let right = parts[1] as? String
            {
                merges.append((left, right))
            } else {
                throw .invalidValue(
                    file: file,
                    field: "model.merges[\(index)]",
                    detail: "expected \"a b\" or [\"a\", \"b\"]"
                )
            }
        }
        var added: [AddedToken] = []
        if let list = root["added_tokens"], !(list is NSNull) {
            guard let list = list as? [Any] else {
                throw .missingField(file: file, field: "added_tokens", expected: "an array")
            }
            for (index, item) in list.enumerated() {
                let field = "added_tokens[\(index)]"
                guard let object = item as? [String: Any] else {
                    throw .missingField(file: file, field: field, expected: "an object")
                }
                guard let id = intValue(object["id"]) else {
                    throw .missingField(file: file, field: "\(field).id", expected: "an integer")
                }
                added.append(try addedToken(object, id: id, file: file, field: field))
            }
        }
        let normalizesNFC = try checkNormalizer(root["normalizer"], file: file)
        try checkPreTokenizer(root["pre_tokenizer"], file: file)
        try checkDecoder(root["decoder"], file: file)
        return try TokenizerModel(
            vocab: vocab,
            merges: merges,
            added: added,
            normalizesNFC: normalizesNFC,
            file: file,
            vocabField: "model.vocab",
            mergesFile: file,
            mergesField: "model.merges"
        )
    }

    /// `null` (no normalization) or NFC, possibly inside a one-element Sequence.
    private static func checkNormalizer(_ value: Any?, file: String) throws(TokenizerError) -> Bool {
        guard let value, !(value is NSNull) else { return false }
        guard let object = value as? [String: Any], let type = object["type"] as? String else {
            throw .missingField(file: file, field: "normalizer", expected: "null or an object with a 'type'")
        }
        if type == "NFC" { return true }
        if type == "Sequence", let list = object["normalizers"] as? [Any] {
            if list.isEmpty { return false }
            if list.count == 1 { return try checkNormalizer(list[0], file: file) }
        }
        throw .unsupported(file: file, field: "normalizer", value: "'\(type)' (only NFC or none)")
    }

    /// The Qwen2 pre-tokenizer: a Split with ``qwen2Pattern`` (isolated) and a ByteLevel that neither adds a
    /// prefix space nor splits again.
    private static func checkPreTokenizer(_ value: Any?, file: String) throws(TokenizerError) {
        var steps: [[String: Any]] = []
        func flatten(_ value: Any?) throws(TokenizerError) {
            guard let object = value as? [String: Any], let type = object["type"] as? String else {
                throw .missingField(file: file, field: "pre_tokenizer", expected: "an object with a 'type'")
            }
            if type == "Sequence" {
                guard let list = object["pretokenizers"] as? [Any] else {
                    throw .missingField(file: file, field: "pre_tokenizer.pretokenizers", expected: "an array")
                }
                for item in list { try flatten(item) }
            } else {
                steps.append(object)
            }
        }
        try flatten(value)
        let types = steps.map { $0["type"] as? String ?? "?" }
        guard types == ["Split", "ByteLevel"] else {
            throw .unsupported(
                file: file,
                field: "pre_tokenizer",
                value: "[\(types.joined(separator: ", "))] (expected [Split, ByteLevel])"
            )
        }
        let split = steps[0]
        let pattern = (split["pattern"] as? [String: Any])?["Regex"] as? String
        guard pattern == qwen2Pattern else {
            throw .unsupported(
                file: file,
                field: "pre_tokenizer Split.pattern.Regex",
                value: "'\(pattern ?? "(none)")' (expected the Qwen2 split regex)"
            )
        }
        if let behavior = split["behavior"] as? String, behavior != "Isolated" {
            throw .unsupported(file: file, field: "pre_tokenizer Split.behavior", value: "'\(behavior)'")
        }
        if let invert = split["invert"] as? Bool, invert {
            throw .unsupported(file: file, field: "pre_tokenizer Split.invert", value: "true")
        }
        let byteLevel = steps[1]
        for flag in ["add_prefix_space", "use_regex"] {
            if let on = byteLevel[flag] as? Bool, on {
                throw .unsupported(file: file, field: "pre_tokenizer ByteLevel.\(flag)", value: "true")
            }
        }
    }

    private static func checkDecoder(_ value: Any?, file: String) throws(TokenizerError) {
        guard let value, !(value is NSNull) else { return }
        let type = (value as? [String: Any])?["type"] as? String
        guard type == "ByteLevel" else {
            throw .unsupported(file: file, field: "decoder.type", value: "'\(type ?? "?")' (expected ByteLevel)")
        }
    }

    // MARK: - vocab.json + merges.txt + tokenizer_config.json

    static func loadVocabAndMerges(
        vocab vocabURL: URL,
        merges mergesURL: URL,
        config configURL: URL
    )
        throws(TokenizerError) -> TokenizerModel
    {
        let vocab = try vocabulary(readJSONObject(vocabURL), file: vocabURL.path, field: "(top level)")
        let text = try readText(mergesURL)
        var merges: [(String, String)] = []
        var lineNumbers: [Int] = []
        merges.reserveCapacity(vocab.count)
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            // Qwen2Tokenizer strips each line and skips blank ones and the "#version" header.
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty || (lineNumber == 1 && trimmed.hasPrefix("#version")) { continue }
            guard let pair = splitMerge(trimmed) else {
                throw .invalidValue(
                    file: mergesURL.path,
                    field: "line \(lineNumber)",
                    detail: "'\(trimmed)' is not two tokens separated by one space"
                )
            }
            merges.append(pair)
            lineNumbers.append(lineNumber)
        }
        let config = try readJSONObject(configURL)
        var added: [AddedToken] = []
        if let decoder = config["added_tokens_decoder"] {
            guard let decoder = decoder as? [String: Any] else {
                throw .missingField(file: configURL.path, field: "added_tokens_decoder", expected: "an object")
            }
            for (key, item) in decoder.sorted(by: { $0.key < $1.key }) {
                let field = "added_tokens_decoder.\(key)"
                guard let id = Int(key) else {
                    throw .invalidValue(file: configURL.path, field: field, detail: "the key is not an integer id")
                }
                guard let object = item as? [String: Any] else {
                    throw .missingField(file: configURL.path, field: field, expected: "an object")
                }
                added.append(try addedToken(object, id: id, file: configURL.path, field: field))
            }
        }
        do {
            return try TokenizerModel(
                vocab: vocab,
                merges: merges,
                added: added,
                normalizesNFC: true,
                file: vocabURL.path,
                vocabField: "(top level)",
                mergesFile: mergesURL.path,
                mergesField: "merge"
            )
        } catch {
            // Merge errors carry the merge's index; merges.txt readers want the line number.
            if case .invalidValue(let file, let field, let detail) = error, file == mergesURL.path,
                let open = field.firstIndex(of: "["), let index = Int(field[field.index(after: open)...].dropLast()),
                index < lineNumbers.count
            {
                throw .invalidValue(file: file, field: "line \(lineNumbers[index])", detail: detail)
            }
            throw error
        }
    }

    // MARK: - qwen.tiktoken

    /// Reads a tiktoken rank file and derives its merges.
    ///
    /// Each multi-byte token, in rank order, is BPE-encoded with the merges of the lower ranks found so far; that
    /// leaves exactly two parts, whose merge gets the token's rank. This is how `Tools/make_tokenizer_files.py`
    /// writes merges.txt, so the three forms encode identically (a test checks it on the goldens).
    static func loadTiktoken(_ url: URL) throws(TokenizerError) -> TokenizerModel {
        let file = url.path
        let data = try readData(url)
        var tokensByRank: [Int: [UInt8]] = [:]
        var lineNumberByRank: [Int: Int] = [:]
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 2, let token = Data(base64Encoded: Data(fields[0])),
                let rank = Int(String(decoding: fields[1], as: UTF8.self)), rank >= 0
            else {
                throw .invalidValue(
                    file: file,
                    field: "line \(lineNumber)",
                    detail: "expected 'base64(token) rank', found '\(String(decoding: line.prefix(80), as: UTF8.self))'"
                )
            }
            guard !token.isEmpty else {
                throw .invalidValue(file: file, field: "line \(lineNumber)", detail: "the token is empty")
            }
            if let previous = lineNumberByRank[rank] {
                throw .invalidValue(
                    file: file,
                    field: "line \(lineNumber)",
                    detail: "rank \(rank) was already given on line \(previous)"
                )
            }
            tokensByRank[rank] = Array(token)
            lineNumberByRank[rank] = lineNumber
        }
        guard !tokensByRank.isEmpty else {
            throw .invalidValue(file: file, field: "(whole file)", detail: "the file has no ranks")
        }
        var byteIDs = [Int32](repeating: -1, count: 256)
        var entries: [(id: Int, token: String, bytes: [UInt8])] = []
        entries.reserveCapacity(tokensByRank.count)
        var seen: [[UInt8]: Int] = [:]
        seen.reserveCapacity(tokensByRank.count)
        for (rank, bytes) in tokensByRank {
            if let other = seen[bytes] {
                throw .invalidValue(
                    file: file,
                    field: "line \(lineNumberByRank[rank]!)",
                    detail: "the token of rank \(rank) repeats the token of rank \(other)"
                )
            }
            seen[bytes] = rank
            if bytes.count == 1 { byteIDs[Int(bytes[0])] = Int32(rank) }
            entries.append((rank, ByteLevel.string(for: bytes), bytes))
        }
        if let missing = byteIDs.firstIndex(of: -1) {
            throw .invalidValue(
                file: file,
                field: "(whole file)",
                detail: "there is no token for the byte 0x\(String(missing, radix: 16, uppercase: true))"
            )
        }
        var table = MergeTable(capacity: tokensByRank.count)
        var symbols: [Int32] = []
        var ranks: [UInt64] = []
        for rank in tokensByRank.keys.sorted() {
            let bytes = tokensByRank[rank]!
            guard bytes.count >= 2 else { continue }
            symbols.removeAll(keepingCapacity: true)
            for b in bytes { symbols.append(byteIDs[Int(b)]) }
            BPE.mergeByScan(&symbols, table: table, ranks: &ranks)
            guard symbols.count == 2 else {
                throw .invalidValue(
                    file: file,
                    field: "line \(lineNumberByRank[rank]!)",
                    detail: "the token of rank \(rank) does not split into two tokens of lower rank, so it has no merge"
                )
            }
            table.insert(left: symbols[0], right: symbols[1], rank: rank, merged: Int32(rank))
        }
        let firstSpecial = tokensByRank.keys.max()! + 1
        let added = qwen2AudioSpecialTokens.enumerated().map { offset, content in
            AddedToken(content: content, id: firstSpecial + offset, special: true, normalized: false)
        }
        return try TokenizerModel(
            entries: entries,
            merges: table,
            added: added,
            normalizesNFC: true,
            file: file,
            vocabField: "(whole file)"
        )
    }

    // MARK: - Helpers

    private static func readData(_ url: URL) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadableFile(file: url.path, reason: "\(error.localizedDescription)")
        }
    }

    private static func readText(_ url: URL) throws(TokenizerError) -> String {
        let data = try readData(url)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .invalidValue(file: url.path, field: "(whole file)", detail: "the file is not valid UTF-8")
        }
        return text
    }

    private static func readJSONObject(_ url: URL) throws(TokenizerError) -> [String: Any] {
        let data = try readData(url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalidJSON(file: url.path, reason: "\(error.localizedDescription)")
        }
        guard let dictionary = object as? [String: Any] else {
            throw .invalidJSON(file: url.path, reason: "the top level is not an object")
        }
        return dictionary
    }

    /// A token → id object.
    private static func vocabulary(_ value: Any?, file: String, field: String) throws(TokenizerError) -> [String: Int] {
        guard let object = value as? [String: Any] else {
            throw .missingField(file: file, field: field, expected: "an object of token → id")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(object.count)
        for (token, id) in object {
            guard let id = intValue(id) else {
                throw .invalidValue(file: file, field: field, detail: "the id of '\(token)' is not an integer")
            }
            vocab[token] = id
        }
        return vocab
    }

    private static func addedToken(
        _ object: [String: Any],
        id: Int,
        file: String,
        field: String
    )
        throws(TokenizerError) -> AddedToken
    {
        guard let content = object["content"] as? String, !content.isEmpty else {
            throw .missingField(file: file, field: "\(field).content", expected: "a non-empty string")
        }
        // Stripping neighbouring spaces or requiring word boundaries would change which text matches; the
        // Qwen2-Audio tokens have none of it, and a silent difference from transformers is worse than a refusal.
        for flag in ["lstrip", "rstrip", "single_word"] {
            if let on = object[flag] as? Bool, on {
                throw .unsupported(file: file, field: "\(field).\(flag)", value: "true")
            }
        }
        return AddedToken(
            content: content,
            id: id,
            special: object["special"] as? Bool ?? false,
            normalized: object["normalized"] as? Bool ?? false
        )
    }

    /// "a b" → ("a", "b"); byte-level tokens contain no space (0x20 is `Ġ`), so exactly one space separates them.
    private static func splitMerge(_ line: some StringProtocol) -> (String, String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    private static func intValue(_ value: Any?) -> Int? {
        if let int = value as? Int { return int }
        if let number = value as? NSNumber, !(value is Bool) { return number.intValue }
        return nil
    }
}
