public import Foundation

extension DashScope {
    /// One `event:result` frame, byte for byte as spec §6.1 shows it:
    /// `id:N\nevent:result\n:HTTP_STATUS/200\ndata:{…}\n\n`.
    /// - Parameters:
    ///   - id: the event number, 1, 2, 3, … within the stream.
    ///   - response: the payload; `finish_reason` `"null"` until the last event.
    public static func resultEvent(id: Int, _ response: GenerationResponse) -> Data {
        ServerSentEvent(id: String(id), event: "result", comment: "HTTP_STATUS/200", data: WireJSON.string(response))
            .bytes
    }

    /// One `event:error` frame that ends a stream (spec §6.5):
    /// `id:N\nevent:error\nstatus:500\n:HTTP_STATUS/500\ndata:{"code":…,"message":…,"request_id":…}\n\n`.
    /// - Parameters:
    ///   - id: the number after the last result event.
    ///   - error: what failed; its status goes in `status:` and the comment.
    ///   - requestID: the stream's request id.
    ///   - statusLine: send `status:` (our choice: the SDK then reports the real status instead of 400).
    public static func errorEvent(id: Int, _ error: APIError, requestID: String, statusLine: Bool = true) -> Data {
        ServerSentEvent(
            id: String(id),
            event: "error",
            status: statusLine ? error.status : nil,
            comment: "HTTP_STATUS/\(error.status)",
            data: WireJSON.string(ErrorBody(error, requestID: requestID))
        ).bytes
    }

    /// Turns a model's text deltas into the frames of one native stream (spec §6.1–6.2), counting ids and, in
    /// cumulative mode, carrying the whole text so far.
    ///
    /// ```swift
    /// var stream = DashScope.StreamEncoder(requestID: id, incremental: request.incremental)
    /// write(stream.delta("这段", usage: usage))                 // finish_reason "null"
    /// write(stream.finish(.stop, usage: finalUsage))           // then end the body
    /// ```
    public struct StreamEncoder: Sendable {
        public let requestID: String
        public let incremental: Bool
        /// The id of the last frame written (0 before the first).
        public private(set) var lastID = 0
        /// Everything produced so far.
        public private(set) var text = ""

        public init(requestID: String, incremental: Bool) {
            self.requestID = requestID
            self.incremental = incremental
        }

        /// A mid-stream event for `delta` (which may be empty: the event then has `content: []` when
        /// incremental). `usage.outputTokens` is the count so far.
        public mutating func delta(_ delta: String, usage: Usage) -> Data {
            text += delta
            return frame(incremental ? delta : text, .null, usage)
        }

        /// The last event: `finish_reason` `stop` or `length`. Incremental streams send `trailing` text (usually
        /// empty, so `content: []` as in spec §6.1); cumulative streams repeat the complete answer.
        public mutating func finish(_ reason: FinishReason, trailing: String = "", usage: Usage) -> Data {
            text += trailing
            return frame(incremental ? trailing : text, reason, usage)
        }

        /// The error frame that ends the stream after a failure.
        public mutating func error(_ error: APIError) -> Data {
            lastID += 1
            return DashScope.errorEvent(id: lastID, error, requestID: requestID)
        }

        private mutating func frame(_ content: String, _ reason: FinishReason, _ usage: Usage) -> Data {
            lastID += 1
            let response = GenerationResponse(text: content, finishReason: reason, usage: usage, requestID: requestID)
            return DashScope.resultEvent(id: lastID, response)
        }
    }
}
