public import Foundation

extension OpenAI {
    /// One streamed chunk (spec §10.3):
    /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[…],"usage":null}`.
    /// Every chunk of a stream has the same `id` and `created`.
    public struct ChatCompletionChunk: Codable, Sendable, Equatable {
        public var id: String
        /// `"chat.completion.chunk"`.
        public var object: String
        public var created: Int
        public var model: String
        /// One choice, or none in the final usage chunk.
        public var choices: [ChunkChoice]
        /// `null` except in the final usage chunk (always written).
        public var usage: Usage?
        /// `nil`: the key is left out; `.some(nil)`: written as `null` (the first chunk of spec §10.3 has it,
        /// the later ones do not).
        public var systemFingerprint: String??

        public init(
            id: String,
            created: Int,
            model: String,
            choices: [ChunkChoice],
            usage: Usage? = nil,
            systemFingerprint: String?? = nil
        ) {
            self.id = id
            object = "chat.completion.chunk"
            self.created = created
            self.model = model
            self.choices = choices
            self.usage = usage
            self.systemFingerprint = systemFingerprint
        }

        enum CodingKeys: String, CodingKey {
            case id, object, created, model, choices, usage
            case systemFingerprint = "system_fingerprint"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            object = try container.decode(String.self, forKey: .object)
            created = try container.decode(Int.self, forKey: .created)
            model = try container.decode(String.self, forKey: .model)
            choices = try container.decode([ChunkChoice].self, forKey: .choices)
            usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
            systemFingerprint =
                container.contains(.systemFingerprint)
                ? .some(try container.decodeIfPresent(String.self, forKey: .systemFingerprint)) : nil
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(object, forKey: .object)
            try container.encode(created, forKey: .created)
            try container.encode(model, forKey: .model)
            try container.encode(choices, forKey: .choices)
            try container.encode(usage, forKey: .usage)
            if let fingerprint = systemFingerprint { try container.encode(fingerprint, forKey: .systemFingerprint) }
        }
    }

    /// A chunk's choice: `index`, `delta`, `finish_reason` (`null` until the end), `logprobs` (`null`).
    public struct ChunkChoice: Codable, Sendable, Equatable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?

        public init(index: Int = 0, delta: Delta, finishReason: String? = nil) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
            case logprobs
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            index = try container.decode(Int.self, forKey: .index)
            delta = try container.decode(Delta.self, forKey: .delta)
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encodeNil(forKey: .logprobs)
        }
    }

    /// New text: `{"role":"assistant","content":""}` first, then `{"content":"…"}`, and `{}` with the finish.
    public struct Delta: Codable, Sendable, Equatable {
        public var role: String?
        public var content: String?

        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    /// Turns a model's text deltas into the frames of one OpenAI stream (spec §10.3): a role chunk, content
    /// chunks, a finish chunk, the usage chunk when asked for, and `data: [DONE]`.
    ///
    /// ```swift
    /// var stream = OpenAI.StreamEncoder(id: "chatcmpl-\(rid)", created: now, model: m, includeUsage: true)
    /// write(stream.start()); write(stream.delta("这段")); write(stream.finish("stop", usage: usage))
    /// ```
    public struct StreamEncoder: Sendable {
        public let id: String
        public let created: Int
        public let model: String
        public let includeUsage: Bool

        public init(id: String, created: Int, model: String, includeUsage: Bool) {
            self.id = id
            self.created = created
            self.model = model
            self.includeUsage = includeUsage
        }

        /// The first chunk: `delta` `{"role":"assistant","content":""}`, with `"system_fingerprint":null`.
        public func start() -> Data {
            OpenAI.event(chunk([ChunkChoice(delta: Delta(role: "assistant", content: ""))], fingerprint: .some(nil)))
        }

        /// A content chunk; empty text gives no frame.
        public func delta(_ text: String) -> Data {
            text.isEmpty ? Data() : OpenAI.event(chunk([ChunkChoice(delta: Delta(content: text))]))
        }

        /// The end: a chunk with `delta: {}` and `finish_reason`, then (with `includeUsage`) the usage chunk with
        /// `choices: []`, then `data: [DONE]`.
        public func finish(_ finishReason: String, usage: Usage) -> Data {
            var out = OpenAI.event(chunk([ChunkChoice(delta: Delta(), finishReason: finishReason)]))
            if includeUsage { out += OpenAI.event(chunk([], usage: usage)) }
            return out + OpenAI.doneEvent
        }

        /// The error frame after a failure mid-stream; end the body after it.
        public func error(_ error: APIError, requestID: String? = nil) -> Data {
            OpenAI.errorEvent(error, requestID: requestID)
        }

        private func chunk(
            _ choices: [ChunkChoice],
            usage: Usage? = nil,
            fingerprint: String?? = nil
        )
            -> ChatCompletionChunk
        {
            ChatCompletionChunk(
                id: id,
                created: created,
                model: model,
                choices: choices,
                usage: usage,
                systemFingerprint: fingerprint
            )
        }
    }
}
