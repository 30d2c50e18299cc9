/// Why a tokenizer directory could not be loaded.
///
/// Every message names the file (its full path), the field inside it where there is one, and the fix.
/// Encoding and decoding never throw: once loaded, every string has an encoding and every id list a decoding.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory holds none of `tokenizer.json`, `vocab.json` + `merges.txt`, `qwen.tiktoken`.
    case noTokenizerFiles(directory: String)
    /// The directory holds part of a format, but a file that format needs is missing.
    case missingFile(file: String, neededFor: String)
    /// A file exists but could not be read.
    case unreadableFile(file: String, reason: String)
    /// A JSON file does not parse, or its top level is not an object.
    case invalidJSON(file: String, reason: String)
    /// A field the tokenizer needs is absent or has the wrong JSON type.
    case missingField(file: String, field: String, expected: String)
    /// A field is present but its value is wrong (an id used twice, a merge that names an unknown token, …).
    case invalidValue(file: String, field: String, detail: String)
    /// A field asks for a tokenizer feature this implementation does not have (a model other than byte-level BPE,
    /// another pre-tokenizer regex, …). Loading refuses rather than encode differently from the reference.
    case unsupported(file: String, field: String, value: String)

    /// The file the error is about (the directory for ``noTokenizerFiles(directory:)``).
    public var file: String {
        switch self {
        case .noTokenizerFiles(let directory): directory
        case .missingFile(let file, _), .unreadableFile(let file, _), .invalidJSON(let file, _),
            .missingField(let file, _, _), .invalidValue(let file, _, _), .unsupported(let file, _, _):
            file
        }
    }

    /// A sentence that says what is wrong, where, and how to fix it.
    public var description: String {
        let regenerate =
            "regenerate the tokenizer files (python3 Tools/make_tokenizer_files.py DIR) or re-download them"
        switch self {
        case .noTokenizerFiles(let directory):
            return "\(directory): no tokenizer files; expected tokenizer.json, or vocab.json + merges.txt + "
                + "tokenizer_config.json, or qwen.tiktoken. Point the tokenizer at the model directory, or create "
                + "the files with: python3 Tools/make_tokenizer_files.py \(directory)"
        case .missingFile(let file, let neededFor):
            return
                "\(file): missing; it is needed for \(neededFor). Copy it from the model repository or \(regenerate)."
        case .unreadableFile(let file, let reason):
            return "\(file): cannot be read (\(reason)); check that it exists and is readable."
        case .invalidJSON(let file, let reason):
            return "\(file): not a valid JSON object (\(reason)); the file is damaged or truncated: \(regenerate)."
        case .missingField(let file, let field, let expected):
            return "\(file): field '\(field)' is missing or is not \(expected); \(regenerate)."
        case .invalidValue(let file, let field, let detail):
            return "\(file): field '\(field)': \(detail); \(regenerate)."
        case .unsupported(let file, let field, let value):
            return "\(file): field '\(field)' is \(value), which this tokenizer does not implement (it implements "
                + "the Qwen2 byte-level BPE pipeline); use the Qwen2-Audio tokenizer files."
        }
    }
}
