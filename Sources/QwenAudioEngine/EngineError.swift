public import QwenAudioModels

/// Why a generation request failed or ended early.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request itself is malformed (the message says which field).
    case invalidRequest(String)
    case contextTooLong(promptTokens: Int, maxTokens: Int, limit: Int)
    /// The model could not run the request.
    case model(ModelError)
    /// The caller stopped listening.
    case cancelled
    /// The queue of waiting requests is full.
    case busy(queued: Int)
    /// The server is stopping and takes no new work.
    case shuttingDown

    public var description: String {
        switch self {
        case .invalidRequest(let message): message
        case .contextTooLong(let prompt, let maxTokens, let limit):
            "the prompt has \(prompt) tokens and max_tokens is \(maxTokens): more than the model's \(limit) positions"
        case .model(let error): error.description
        case .cancelled: "the request was cancelled"
        case .busy(let queued): "the server is busy: \(queued) requests are waiting; retry shortly"
        case .shuttingDown: "the server is shutting down"
        }
    }
}
