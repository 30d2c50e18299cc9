/// A chat request in neutral form: what either protocol's body means, validated, for the engine side.
///
/// Made by ``DashScope/parseRequest(_:headers:)`` or ``OpenAI/parseRequest(_:)``; every value in it has passed
/// the protocol's type and range checks, so mapping it to an engine request cannot fail on a field. Audio is
/// still a reference (``AudioSource``): fetching, decoding and the 10 MB / 30 s limits come later.
public struct ChatRequest: Sendable, Equatable {
    /// The model name as the client sent it (not checked against the served models here).
    public var model: String
    /// The conversation, oldest first; at least one `user` message, and the last one is `user`.
    public var messages: [APIMessage]
    /// Sampling and stopping.
    public var sampling: Sampling
    /// Stream the answer (native: `X-DashScope-SSE: enable` or `Accept: text/event-stream`; OpenAI: `stream`).
    public var stream: Bool
    /// Each streamed event carries only new text (`incremental_output: true`); otherwise the whole text so far.
    /// OpenAI deltas are always incremental.
    public var incremental: Bool
    /// Report usage: always on the native protocol (every event), on OpenAI streams only with
    /// `stream_options.include_usage: true` (one final chunk), always in OpenAI non-stream answers.
    public var includeUsage: Bool
    /// The requested `result_format`; Qwen-Audio answers in the message format either way (spec §4.3).
    public var resultFormat: ResultFormat

    /// Creates a request; the defaults are a non-streaming call with the service's default sampling.
    public init(
        model: String,
        messages: [APIMessage],
        sampling: Sampling = Sampling(),
        stream: Bool = false,
        incremental: Bool = false,
        includeUsage: Bool = true,
        resultFormat: ResultFormat = .message
    ) {
        self.model = model
        self.messages = messages
        self.sampling = sampling
        self.stream = stream
        self.incremental = incremental
        self.includeUsage = includeUsage
        self.resultFormat = resultFormat
    }

    /// `result_format` values (spec §4.3).
    public enum ResultFormat: String, Sendable, Equatable, CaseIterable {
        case text
        case message
    }

    /// Sampling and stop settings. `nil` means "the model's default" (spec §4.3: temperature 0.00001 and
    /// top_k 1 for qwen-audio-turbo, seed 1234, max_tokens the model's max output).
    public struct Sampling: Sendable, Equatable {
        /// In [0, 2).
        public var temperature: Double?
        /// In (0, 1].
        public var topP: Double?
        /// ≥ 1; `nil` also when the client disabled top-k (`null`, 0, or > 100: spec §4.3).
        public var topK: Int?
        /// ≥ 0 (native: up to Int64.max; OpenAI-compatible: up to 2^31 − 1).
        public var seed: UInt64?
        /// ≥ 1 (the upper bound is the model's; see ``ModelLimits``).
        public var maxTokens: Int?
        /// > 0; 1.0 means no penalty.
        public var repetitionPenalty: Double?
        /// In [-2, 2].
        public var presencePenalty: Double?
        /// Stop strings, in the order given (`stop` as a string or a list of strings).
        public var stop: [String]
        /// Stop token-id sequences (`stop` as `list[int]` — one sequence — or `list[list[int]]`, native only).
        public var stopTokenSequences: [[Int]]

        /// Creates sampling settings; every value defaults to the model's default.
        public init(
            temperature: Double? = nil,
            topP: Double? = nil,
            topK: Int? = nil,
            seed: UInt64? = nil,
            maxTokens: Int? = nil,
            repetitionPenalty: Double? = nil,
            presencePenalty: Double? = nil,
            stop: [String] = [],
            stopTokenSequences: [[Int]] = []
        ) {
            self.temperature = temperature
            self.topP = topP
            self.topK = topK
            self.seed = seed
            self.maxTokens = maxTokens
            self.repetitionPenalty = repetitionPenalty
            self.presencePenalty = presencePenalty
            self.stop = stop
            self.stopTokenSequences = stopTokenSequences
        }
    }

    /// Checks what depends on the served model: `max_tokens` against its maximum output.
    ///
    /// The parsers check the bounds they know from the model name (spec §4.4); the server calls this once it
    /// knows which model answers, with that model's limits.
    /// - Throws: ``APIError`` 400 `InvalidParameter` "Range of max_tokens should be [1, N]".
    public func validate(against limits: ModelLimits) throws(APIError) {
        if let maxTokens = sampling.maxTokens, maxTokens > limits.maxOutputTokens {
            throw APIError.maxTokensOutOfRange(maxTokens, limit: limits.maxOutputTokens, field: "max_tokens")
        }
    }
}

/// One message of a conversation: a role and its parts in order.
public struct APIMessage: Sendable, Equatable {
    /// Who speaks.
    public var role: Role
    /// Text and audio in the order the client gave them (a string `content` becomes one `.text` part).
    public var parts: [Part]

    /// Creates a message.
    public init(role: Role, parts: [Part]) {
        self.role = role
        self.parts = parts
    }

    /// Message roles. OpenAI's `developer` role arrives as `.system`.
    public enum Role: String, Sendable, Equatable, CaseIterable {
        case system
        case user
        case assistant
    }

    /// One content part.
    public enum Part: Sendable, Equatable {
        case text(String)
        case audio(AudioSource)
    }

    /// The text parts joined, for text-only consumers and tests.
    public var text: String {
        parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }
}

/// The output limits of the known model names (spec §4.4).
public struct ModelLimits: Sendable, Equatable {
    /// Largest prompt, in tokens.
    public var maxInputTokens: Int
    /// Largest answer, in tokens: the upper bound of `max_tokens`.
    public var maxOutputTokens: Int

    /// Creates limits.
    public init(maxInputTokens: Int, maxOutputTokens: Int) {
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
    }

    /// qwen-audio-turbo-latest and qwen-audio-turbo-2024-12-04: 6,144 in, 2,048 out.
    public static let turboLatest = ModelLimits(maxInputTokens: 6144, maxOutputTokens: 2048)
    /// qwen-audio-turbo (2024-08-07), qwen2-audio-instruct, qwen-audio-chat: 6,000 in, 1,500 out.
    public static let turbo = ModelLimits(maxInputTokens: 6000, maxOutputTokens: 1500)

    /// The limits of a hosted model name, or `nil` for a name the spec does not list.
    public static func known(_ model: String) -> ModelLimits? {
        switch model {
        case "qwen-audio-turbo-latest", "qwen-audio-turbo-2024-12-04", "qwen-audio-turbo-1204": .turboLatest
        case "qwen-audio-turbo", "qwen-audio-turbo-2024-08-07", "qwen-audio-turbo-0807", "qwen2-audio-instruct",
            "qwen-audio-chat":
            .turbo
        default: nil
        }
    }

    /// The bound the parsers apply to unknown model names: the largest max output of §4.4.
    public static let fallback = turboLatest
}
