extension OpenAI {
    /// A non-streaming answer (spec §10.2):
    /// `{"id":…,"object":"chat.completion","created":…,"model":…,"choices":[…],"usage":{…},`
    /// `"system_fingerprint":null}`.
    public struct ChatCompletion: Codable, Sendable, Equatable {
        /// `chatcmpl-<request id>`.
        public var id: String
        /// `"chat.completion"`.
        public var object: String
        /// Unix seconds.
        public var created: Int
        public var model: String
        public var choices: [Choice]
        public var usage: Usage?
        /// Always `null` from this server.
        public var systemFingerprint: String?

        public init(
            id: String,
            created: Int,
            model: String,
            choices: [Choice],
            usage: Usage?,
            systemFingerprint: String? = nil
        ) {
            self.id = id
            object = "chat.completion"
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

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(object, forKey: .object)
            try container.encode(created, forKey: .created)
            try container.encode(model, forKey: .model)
            try container.encode(choices, forKey: .choices)
            try container.encode(usage, forKey: .usage)
            try container.encode(systemFingerprint, forKey: .systemFingerprint)
        }
    }

    /// One choice: `index`, `message`, `finish_reason`, `logprobs` (always `null`).
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: ResponseMessage
        /// `"stop"` or `"length"`.
        public var finishReason: String?

        public init(index: Int = 0, message: ResponseMessage, finishReason: String?) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
            case logprobs
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            index = try container.decode(Int.self, forKey: .index)
            message = try container.decode(ResponseMessage.self, forKey: .message)
            finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(message, forKey: .message)
            try container.encode(finishReason, forKey: .finishReason)
            try container.encodeNil(forKey: .logprobs)
        }
    }

    /// The answer message: `{"role":"assistant","content":"…"}`.
    public struct ResponseMessage: Codable, Sendable, Equatable {
        public var role: String
        public var content: String

        public init(role: String = "assistant", content: String) {
            self.role = role
            self.content = content
        }
    }

    /// Compatible-mode usage (spec §10.2): **`prompt_tokens` includes the audio tokens**, unlike native
    /// `input_tokens`; the details split it. The final stream chunk omits `completion_tokens_details`.
    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        public var totalTokens: Int
        public var promptTokensDetails: PromptTokensDetails?
        public var completionTokensDetails: CompletionTokensDetails?

        public init(
            promptTokens: Int,
            completionTokens: Int,
            totalTokens: Int,
            promptTokensDetails: PromptTokensDetails? = nil,
            completionTokensDetails: CompletionTokensDetails? = nil
        ) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.totalTokens = totalTokens
            self.promptTokensDetails = promptTokensDetails
            self.completionTokensDetails = completionTokensDetails
        }

        /// The compatible-mode view of native usage: prompt = text + audio.
        /// - Parameter completionDetails: include `completion_tokens_details` (non-stream answers do, the final
        ///   stream chunk does not).
        public init(_ native: DashScope.Usage, completionDetails: Bool) {
            let prompt = native.inputTokens + native.audioTokens
            self.init(
                promptTokens: prompt,
                completionTokens: native.outputTokens,
                totalTokens: prompt + native.outputTokens,
                promptTokensDetails: PromptTokensDetails(
                    audioTokens: native.audioTokens,
                    textTokens: native.inputTokens
                ),
                completionTokensDetails: completionDetails
                    ? CompletionTokensDetails(textTokens: native.outputTokens) : nil
            )
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
            case promptTokensDetails = "prompt_tokens_details"
            case completionTokensDetails = "completion_tokens_details"
        }
    }

    /// `prompt_tokens_details`: `audio_tokens`, `text_tokens`.
    public struct PromptTokensDetails: Codable, Sendable, Equatable {
        public var audioTokens: Int
        public var textTokens: Int

        public init(audioTokens: Int, textTokens: Int) {
            self.audioTokens = audioTokens
            self.textTokens = textTokens
        }

        enum CodingKeys: String, CodingKey {
            case audioTokens = "audio_tokens"
            case textTokens = "text_tokens"
        }
    }

    /// `completion_tokens_details`: `text_tokens`.
    public struct CompletionTokensDetails: Codable, Sendable, Equatable {
        public var textTokens: Int
        public init(textTokens: Int) { self.textTokens = textTokens }
        enum CodingKeys: String, CodingKey { case textTokens = "text_tokens" }
    }
}
