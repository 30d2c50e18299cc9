/// Why a model directory cannot be loaded or run. Every message names the file, the field and the fix.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingFile(path: String, hint: String)
    case unreadableFile(path: String, reason: String)
    case invalidJSON(path: String, reason: String)
    case invalidConfig(path: String, field: String, reason: String)
    case unsupportedArchitecture(path: String, architectures: [String], supported: [String])
    case invalidSafetensors(path: String, reason: String)
    case missingTensor(name: String, searched: String)
    case tensorShape(name: String, file: String, shape: [Int], expected: [Int])
    case tensorType(name: String, file: String, dtype: String)
    case unusedTensors(names: [String], directory: String)
    case audioTokenMismatch(placeholders: Int, audioTokens: Int)
    case contextTooLong(tokens: Int, limit: Int)

    public var description: String {
        switch self {
        case .missingFile(let path, let hint):
            "\(path) does not exist. \(hint)"
        case .unreadableFile(let path, let reason):
            "\(path) cannot be read: \(reason)."
        case .invalidJSON(let path, let reason):
            "\(path) is not valid JSON: \(reason)."
        case .invalidConfig(let path, let field, let reason):
            "\(path): field '\(field)' \(reason)."
        case .unsupportedArchitecture(let path, let architectures, let supported):
            "\(path): architectures \(architectures) are not supported; this build loads \(supported.joined(separator: ", "))."
        case .invalidSafetensors(let path, let reason):
            "\(path) is not a valid safetensors file: \(reason)."
        case .missingTensor(let name, let searched):
            "tensor '\(name)' is missing from \(searched); the checkpoint is incomplete or of another model."
        case .tensorShape(let name, let file, let shape, let expected):
            "\(file): tensor '\(name)' has shape \(shape), expected \(expected) from config.json."
        case .tensorType(let name, let file, let dtype):
            "\(file): tensor '\(name)' has dtype \(dtype); weights must be F32, BF16 or F16."
        case .unusedTensors(let names, let directory):
            "\(directory) holds \(names.count) tensors this model does not use (first: \(names.prefix(5).joined(separator: ", "))); it is not a checkpoint of this architecture."
        case .audioTokenMismatch(let placeholders, let audioTokens):
            "the prompt has \(placeholders) <|AUDIO|> tokens but the audio yields \(audioTokens) embeddings."
        case .contextTooLong(let tokens, let limit):
            "the conversation needs \(tokens) tokens, more than the model's limit of \(limit)."
        }
    }
}
