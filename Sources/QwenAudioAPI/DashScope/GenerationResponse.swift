extension DashScope {
    /// A native answer (spec §5) and the payload of every SSE `event:result` (spec §6.1):
    /// `{"output":{"choices":[…]},"usage":{…},"request_id":"…"}`.
    public struct GenerationResponse: Codable, Sendable, Equatable {
        /// Never null: the SDK crashes without it.
        public var output: Output
        public var usage: Usage
        /// The same id in every event of a stream, and in the `X-Request-Id` header.
        public var requestID: String

        public init(output: Output, usage: Usage, requestID: String) {
            self.output = output
            self.usage = usage
            self.requestID = requestID
        }

        /// A one-choice answer: `text` as the assistant message (`content: []` when empty).
        public init(text: String, finishReason: FinishReason, usage: Usage, requestID: String) {
            self.init(
                output: Output(choices: [Choice(finishReason: finishReason, message: .assistant(text))]),
                usage: usage,
                requestID: requestID
            )
        }

        enum CodingKeys: String, CodingKey {
            case output, usage
            case requestID = "request_id"
        }
    }

    /// `output`: the choices (one for Qwen-Audio).
    public struct Output: Codable, Sendable, Equatable {
        public var choices: [Choice]
        public init(choices: [Choice]) { self.choices = choices }
    }

    /// One choice: `finish_reason` then `message` (role and a list of `{"text": …}`).
    public struct Choice: Codable, Sendable, Equatable {
        public var finishReason: FinishReason
        public var message: Message

        public init(finishReason: FinishReason, message: Message) {
            self.finishReason = finishReason
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case finishReason = "finish_reason"
            case message
        }
    }

    /// `finish_reason`: the **string** `"null"` while a stream runs, then `"stop"` or `"length"` (spec §6.1).
    public struct FinishReason: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }

        /// Not finished yet (a mid-stream event).
        public static let null: FinishReason = "null"
        /// The model ended its answer or a stop string matched.
        public static let stop: FinishReason = "stop"
        /// `max_tokens` was reached.
        public static let length: FinishReason = "length"

        /// Reads a JSON `null` as ``null`` too.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            rawValue = container.decodeNil() ? "null" : try container.decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// Native `usage` (spec §5): `input_tokens` counts text only, `audio_tokens` counts audio (25 per second,
    /// at least 25 per clip), `output_tokens` is cumulative in every stream event. `total_tokens`, the sum of the
    /// three, is our addition (the hosted service omits it); `nil` leaves it out.
    public struct Usage: Codable, Sendable, Equatable {
        public var inputTokens: Int
        public var outputTokens: Int
        public var audioTokens: Int
        public var totalTokens: Int?

        /// Usage as this server reports it: `total_tokens` filled in.
        public init(inputTokens: Int, outputTokens: Int, audioTokens: Int) {
            self.init(
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                audioTokens: audioTokens,
                totalTokens: inputTokens + outputTokens + audioTokens
            )
        }

        /// Usage with an explicit `total_tokens` (`nil` omits it, as the hosted service does).
        public init(inputTokens: Int, outputTokens: Int, audioTokens: Int, totalTokens: Int?) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.audioTokens = audioTokens
            self.totalTokens = totalTokens
        }

        /// Missing counts read as 0, as the SDK does.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            inputTokens = try container.decodeIfPresent(Int.self, forKey: .inputTokens) ?? 0
            outputTokens = try container.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 0
            audioTokens = try container.decodeIfPresent(Int.self, forKey: .audioTokens) ?? 0
            totalTokens = try container.decodeIfPresent(Int.self, forKey: .totalTokens)
        }

        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case audioTokens = "audio_tokens"
            case totalTokens = "total_tokens"
        }
    }
}
