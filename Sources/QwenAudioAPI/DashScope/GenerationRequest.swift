import Foundation

extension DashScope {
    /// The body of `POST /api/v1/services/aigc/multimodal-generation/generation` (spec §4), as the SDK
    /// writes it: keys `model`, `parameters`, `input`. For clients; the server reads bodies with
    /// ``DashScope/parseRequest(_:headers:)``, which validates every field.
    public struct GenerationRequest: Codable, Sendable, Equatable {
        public var model: String
        /// Always sent by the SDK (possibly `{}`); raw callers may omit it.
        public var parameters: Parameters?
        public var input: Input

        public init(model: String, parameters: Parameters? = Parameters(), input: Input) {
            self.model = model
            self.parameters = parameters
            self.input = input
        }

        enum CodingKeys: String, CodingKey {
            case model, parameters, input
        }
    }

    /// `input`: the conversation.
    public struct Input: Codable, Sendable, Equatable {
        public var messages: [Message]
        public init(messages: [Message]) { self.messages = messages }
    }

    /// One message: `role` then `content` (a string or a list of parts). Answers use the same type, so an
    /// assistant message from a response can be sent back verbatim in the next turn (spec §4.1).
    public struct Message: Codable, Sendable, Equatable {
        /// `system`, `user` or `assistant`.
        public var role: String
        public var content: Content

        public init(role: String, content: Content) {
            self.role = role
            self.content = content
        }

        /// An assistant answer in the message format: `{"role":"assistant","content":[{"text":…}]}`;
        /// an empty `text` gives `content: []` (spec §6.1).
        public static func assistant(_ text: String) -> Message {
            Message(role: "assistant", content: .parts(text.isEmpty ? [] : [.text(text)]))
        }

        enum CodingKeys: String, CodingKey {
            case role, content
        }
    }

    /// `content`: a plain string or a list of single-key parts.
    public enum Content: Codable, Sendable, Equatable {
        case string(String)
        case parts([ContentPart])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .string(text)
            } else {
                self = .parts(try container.decode([ContentPart].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }

        /// The text parts joined (the answer text of a response message).
        public var text: String {
            switch self {
            case .string(let text): text
            case .parts(let parts): parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
            }
        }
    }

    /// One content part: `{"text": …}`, `{"audio": …}`; `image`/`video` exist on the wire for other models
    /// and are refused by Qwen-Audio (spec §4.1).
    public enum ContentPart: Codable, Sendable, Equatable {
        case text(String)
        /// An http(s)/oss/file URL or a `data:` URI.
        case audio(String)
        case image(String)
        case video(String)

        enum CodingKeys: String, CodingKey {
            case text, audio, image, video
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard let key = container.allKeys.first, container.allKeys.count == 1 else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "expected one of text, audio, image, video")
                )
            }
            let value = try container.decode(String.self, forKey: key)
            switch key {
            case .text: self = .text(value)
            case .audio: self = .audio(value)
            case .image: self = .image(value)
            case .video: self = .video(value)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let value): try container.encode(value, forKey: .text)
            case .audio(let value): try container.encode(value, forKey: .audio)
            case .image(let value): try container.encode(value, forKey: .image)
            case .video(let value): try container.encode(value, forKey: .video)
            }
        }
    }

    /// `parameters` (spec §4.3). Absent fields take the model's defaults; ranges are in ``ChatRequest/Sampling``.
    public struct Parameters: Codable, Sendable, Equatable {
        /// `"text"` or `"message"`; Qwen-Audio answers in the message format either way.
        public var resultFormat: String?
        /// Streamed events carry only new text.
        public var incrementalOutput: Bool?
        public var temperature: Double?
        public var topP: Double?
        public var topK: Int?
        public var seed: Int?
        public var maxTokens: Int?
        public var repetitionPenalty: Double?
        public var presencePenalty: Double?
        public var stop: Stop?
        /// Must be 1 for Qwen-Audio.
        public var n: Int?
        /// Must be absent or false for Qwen-Audio.
        public var enableSearch: Bool?
        /// Must be absent or false for Qwen-Audio.
        public var enableThinking: Bool?

        public init(
            resultFormat: String? = nil,
            incrementalOutput: Bool? = nil,
            temperature: Double? = nil,
            topP: Double? = nil,
            topK: Int? = nil,
            seed: Int? = nil,
            maxTokens: Int? = nil,
            repetitionPenalty: Double? = nil,
            presencePenalty: Double? = nil,
            stop: Stop? = nil,
            n: Int? = nil,
            enableSearch: Bool? = nil,
            enableThinking: Bool? = nil
        ) {
            self.resultFormat = resultFormat
            self.incrementalOutput = incrementalOutput
            self.temperature = temperature
            self.topP = topP
            self.topK = topK
            self.seed = seed
            self.maxTokens = maxTokens
            self.repetitionPenalty = repetitionPenalty
            self.presencePenalty = presencePenalty
            self.stop = stop
            self.n = n
            self.enableSearch = enableSearch
            self.enableThinking = enableThinking
        }

        enum CodingKeys: String, CodingKey {
            case resultFormat = "result_format"
            case incrementalOutput = "incremental_output"
            case temperature
            case topP = "top_p"
            case topK = "top_k"
            case seed
            case maxTokens = "max_tokens"
            case repetitionPenalty = "repetition_penalty"
            case presencePenalty = "presence_penalty"
            case stop, n
            case enableSearch = "enable_search"
            case enableThinking = "enable_thinking"
        }
    }

    /// `stop`: a string, a list of strings, one token-id sequence, or several.
    public enum Stop: Codable, Sendable, Equatable {
        case string(String)
        case strings([String])
        case tokenIDs([Int])
        case tokenIDLists([[Int]])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([String].self) {
                self = .strings(value)
            } else if let value = try? container.decode([Int].self) {
                self = .tokenIDs(value)
            } else {
                self = .tokenIDLists(try container.decode([[Int]].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .strings(let value): try container.encode(value)
            case .tokenIDs(let value): try container.encode(value)
            case .tokenIDLists(let value): try container.encode(value)
            }
        }
    }
}

// MARK: - From the neutral form (for clients)

extension DashScope.GenerationRequest {
    /// The native body for a neutral request: what a Swift client sends. Streaming itself is a header
    /// (`X-DashScope-SSE: enable`), not a body field.
    public init(_ request: ChatRequest) {
        let sampling = request.sampling
        var stop: DashScope.Stop?
        if !sampling.stop.isEmpty {
            stop = sampling.stop.count == 1 ? .string(sampling.stop[0]) : .strings(sampling.stop)
        } else if !sampling.stopTokenSequences.isEmpty {
            stop = .tokenIDLists(sampling.stopTokenSequences)
        }
        let parameters = DashScope.Parameters(
            resultFormat: request.resultFormat.rawValue,
            incrementalOutput: request.stream ? request.incremental : nil,
            temperature: sampling.temperature,
            topP: sampling.topP,
            topK: sampling.topK,
            seed: sampling.seed.map { Int(clamping: $0) },
            maxTokens: sampling.maxTokens,
            repetitionPenalty: sampling.repetitionPenalty,
            presencePenalty: sampling.presencePenalty,
            stop: stop
        )
        let messages = request.messages.map { message in
            DashScope.Message(
                role: message.role.rawValue,
                content: .parts(
                    message.parts.map { part in
                        switch part {
                        case .text(let text): .text(text)
                        case .audio(let source): .audio(source.reference)
                        }
                    }
                )
            )
        }
        self.init(model: request.model, parameters: parameters, input: DashScope.Input(messages: messages))
    }
}

extension AudioSource {
    /// The string form a native `{"audio": …}` part carries: the URL, `oss://key`, `file://path`, or
    /// `data:audio/<format>;base64,…` (`data:;base64,…` without a format).
    public var reference: String {
        switch self {
        case .url(let url): url.absoluteString
        case .ossKey(let key): "oss://" + key
        case .file(let path): "file://" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
        case .data(let bytes, let format):
            "data:" + (format.map { "audio/" + $0 } ?? "") + ";base64," + bytes.base64EncodedString()
        }
    }
}
