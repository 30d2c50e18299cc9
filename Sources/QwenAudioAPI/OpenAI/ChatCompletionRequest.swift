extension OpenAI {
    /// The body of `POST /v1/chat/completions` (spec §10.1), for clients. The server reads bodies with
    /// ``OpenAI/parseRequest(_:headers:)``. DashScope extras (`top_k`, `repetition_penalty`) travel at the top
    /// level, as the OpenAI SDK's `extra_body` puts them.
    public struct ChatCompletionRequest: Codable, Sendable, Equatable {
        public var model: String
        public var messages: [Message]
        public var stream: Bool?
        public var streamOptions: StreamOptions?
        public var temperature: Double?
        public var topP: Double?
        public var maxTokens: Int?
        public var maxCompletionTokens: Int?
        public var seed: Int?
        public var stop: Stop?
        /// Must be 1.
        public var n: Int?
        public var presencePenalty: Double?
        public var topK: Int?
        public var repetitionPenalty: Double?

        public init(
            model: String,
            messages: [Message],
            stream: Bool? = nil,
            streamOptions: StreamOptions? = nil,
            temperature: Double? = nil,
            topP: Double? = nil,
            maxTokens: Int? = nil,
            maxCompletionTokens: Int? = nil,
            seed: Int? = nil,
            stop: Stop? = nil,
            n: Int? = nil,
            presencePenalty: Double? = nil,
            topK: Int? = nil,
            repetitionPenalty: Double? = nil
        ) {
            self.model = model
            self.messages = messages
            self.stream = stream
            self.streamOptions = streamOptions
            self.temperature = temperature
            self.topP = topP
            self.maxTokens = maxTokens
            self.maxCompletionTokens = maxCompletionTokens
            self.seed = seed
            self.stop = stop
            self.n = n
            self.presencePenalty = presencePenalty
            self.topK = topK
            self.repetitionPenalty = repetitionPenalty
        }

        enum CodingKeys: String, CodingKey {
            case model, messages, stream
            case streamOptions = "stream_options"
            case temperature
            case topP = "top_p"
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case seed, stop, n
            case presencePenalty = "presence_penalty"
            case topK = "top_k"
            case repetitionPenalty = "repetition_penalty"
        }
    }

    /// `stream_options`.
    public struct StreamOptions: Codable, Sendable, Equatable {
        /// End the stream with a chunk that has `choices: []` and the usage.
        public var includeUsage: Bool?
        public init(includeUsage: Bool?) { self.includeUsage = includeUsage }
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    /// A request message: `role`, then `content` as a string or a list of typed parts.
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: Content

        public init(role: String, content: Content) {
            self.role = role
            self.content = content
        }

        enum CodingKeys: String, CodingKey { case role, content }
    }

    /// `content`: a string or a list of parts.
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
    }

    /// A typed content part: `{"type":"text","text":…}`, `{"type":"input_audio","input_audio":{"data":…,
    /// "format":…}}` or `{"type":"audio_url","audio_url":{"url":…}}` (our extension).
    public enum ContentPart: Codable, Sendable, Equatable {
        case text(String)
        case inputAudio(InputAudio)
        case audioURL(String)

        enum CodingKeys: String, CodingKey {
            case type, text
            case inputAudio = "input_audio"
            case audioURL = "audio_url"
        }

        enum URLKeys: String, CodingKey { case url }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(String.self, forKey: .type) {
            case "text": self = .text(try container.decode(String.self, forKey: .text))
            case "input_audio": self = .inputAudio(try container.decode(InputAudio.self, forKey: .inputAudio))
            case "audio_url":
                let url = try container.nestedContainer(keyedBy: URLKeys.self, forKey: .audioURL)
                self = .audioURL(try url.decode(String.self, forKey: .url))
            case let other:
                throw DecodingError.dataCorruptedError(
                    forKey: .type,
                    in: container,
                    debugDescription: "unexpected content part type \(other)"
                )
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .inputAudio(let audio):
                try container.encode("input_audio", forKey: .type)
                try container.encode(audio, forKey: .inputAudio)
            case .audioURL(let url):
                try container.encode("audio_url", forKey: .type)
                var nested = container.nestedContainer(keyedBy: URLKeys.self, forKey: .audioURL)
                try nested.encode(url, forKey: .url)
            }
        }
    }

    /// `input_audio`: `data` is bare base64, a `data:` URI, or an http(s)/oss URL; `format` is optional.
    public struct InputAudio: Codable, Sendable, Equatable {
        public var data: String
        public var format: String?

        public init(data: String, format: String? = nil) {
            self.data = data
            self.format = format
        }
    }

    /// `stop`: a string or a list of strings.
    public enum Stop: Codable, Sendable, Equatable {
        case string(String)
        case strings([String])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) {
                self = .string(value)
            } else {
                self = .strings(try container.decode([String].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .strings(let value): try container.encode(value)
            }
        }
    }
}
