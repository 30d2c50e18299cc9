public import Foundation

/// The OpenAI-compatible protocol (spec §10): Chat Completions with audio parts, the model list and errors.
///
/// ```swift
/// let request = try OpenAI.parseRequest(body, headers: headers)   // ChatRequest, or APIError
/// var stream = OpenAI.StreamEncoder(id: "chatcmpl-\(requestID)", created: now, model: request.model,
///                                   includeUsage: request.includeUsage)
/// ```
public enum OpenAI {
    /// The chat path under both bases (spec §1): the hosted-style one and our `/v1` alias.
    public static let chatCompletionsPaths = ["/compatible-mode/v1/chat/completions", "/v1/chat/completions"]
    /// The model-list path under both bases.
    public static let modelsPaths = ["/compatible-mode/v1/models", "/v1/models"]

    /// The `data: [DONE]` frame that ends every stream (spec §10.3).
    public static let doneEvent = Data("data: [DONE]\n\n".utf8)

    /// One SSE frame with OpenAI's framing: `data: <json>\n\n` (a space after the colon).
    public static func event(_ payload: some Encodable) -> Data {
        Data("data: \(WireJSON.string(payload))\n\n".utf8)
    }

    /// The frame that reports a failure after streaming began: `data: {"error":{…}}\n\n`; end the body after
    /// it (the OpenAI SDK raises `APIError` with its message, spec §10.4).
    public static func errorEvent(_ error: APIError, requestID: String? = nil) -> Data {
        event(ErrorResponse(error, requestID: requestID))
    }
}
