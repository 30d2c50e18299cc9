public import Foundation

extension OpenAI {
    /// Parses and validates a Chat Completions request (spec §10.1).
    ///
    /// - Parameters:
    ///   - body: the raw request body (UTF-8 JSON).
    ///   - headers: the request headers; only `X-DashScope-OssResourceResolve: enable` matters (it allows
    ///     `oss://` audio, which the OpenAI SDK cannot send without `extra_headers`).
    /// - Returns: the neutral request; `incremental` is always true (OpenAI deltas are incremental),
    ///   `includeUsage` is `stream_options.include_usage` for streams and true otherwise.
    /// - Throws: ``APIError`` 400 for the first fault, naming the field; render it with
    ///   ``APIError/openAIBody(requestID:completionID:)``.
    public static func parseRequest(_ body: Data, headers: [String: String] = [:]) throws(APIError) -> ChatRequest {
        let root = try parseBodyObject(body)
        guard let modelValue = root["model"], modelValue != .null, modelValue != .string("") else {
            throw .missingModel
        }
        guard case .string(let model) = modelValue else {
            throw .invalidParameter(
                "'model' must be a string such as \"qwen-audio-turbo-latest\", got \(describe(modelValue)).",
                field: "model"
            )
        }
        let ossResolve = DashScope.header(DashScope.Header.ossResourceResolve, in: headers)?.lowercased() == "enable"
        let messages = try parseMessages(root["messages"], ossResolve: ossResolve)

        let reader = FieldReader(object: root, prefix: "")
        let sampling = try readSampling(
            reader,
            maxTokensKeys: ["max_completion_tokens", "max_tokens"],
            seedRule: .compatible,
            limits: ModelLimits.known(model) ?? .fallback
        )
        try checkUnsupported(reader)
        let stream = try reader.bool("stream") ?? false
        var includeUsage = true
        if stream {
            includeUsage = false
            if let options = reader.value("stream_options") {
                guard case .object = options else {
                    throw .invalidParameter(
                        "'stream_options' is \(options.withArticle); expected an object such as "
                            + "{\"include_usage\": true}.",
                        field: "stream_options"
                    )
                }
                includeUsage =
                    try FieldReader(object: options, prefix: "stream_options.").bool("include_usage") ?? false
            }
        }
        return ChatRequest(
            model: model,
            messages: messages,
            sampling: sampling,
            stream: stream,
            incremental: true,
            includeUsage: includeUsage,
            resultFormat: .message
        )
    }

    private static func checkUnsupported(_ reader: FieldReader) throws(APIError) {
        if let n = try reader.int("n", rangeMessage: "'n' must be 1"), n != 1 {
            throw .invalidParameter(
                "'n' is \(n) but Qwen-Audio models return one choice per request; set n to 1 or omit it.",
                field: "n"
            )
        }
        try reader.refuseTools()
        try reader.refuseEnabled("logprobs", what: "log probabilities")
        try reader.refuseEnabled("enable_search", what: "web search")
        try reader.refuseEnabled("enable_thinking", what: "thinking mode")
        if let modalities = reader.value("modalities"), modalities != .array([.string("text")]) {
            throw .invalidParameter(
                "'modalities' is \(modalities.typeName == "list" ? "not [\"text\"]" : describe(modalities)): "
                    + "Qwen-Audio models answer in text only; send [\"text\"] or omit it.",
                field: "modalities"
            )
        }
        if reader.value("audio") != nil {
            throw .invalidParameter(
                "'audio' asks for spoken output but Qwen-Audio models answer in text only; remove it.",
                field: "audio"
            )
        }
        if let format = reader.value("response_format"), format["type"] != .string("text") {
            throw .invalidParameter(
                "'response_format' must be {\"type\": \"text\"} or absent: Qwen-Audio models have no JSON mode.",
                field: "response_format"
            )
        }
    }

    private static func parseMessages(_ value: JSONValue?, ossResolve: Bool) throws(APIError) -> [APIMessage] {
        guard let value, value != .null else {
            throw .invalidParameter(
                "'messages' is missing; expected a list of {\"role\": …, \"content\": …} objects.",
                field: "messages"
            )
        }
        return try parseMessageList(value, path: "messages") { item, path throws(APIError) in
            try parseMessage(item, path: path, ossResolve: ossResolve)
        }
    }

    private static func parseMessage(_ item: JSONValue, path: String, ossResolve: Bool) throws(APIError) -> APIMessage {
        guard case .object = item else {
            throw .invalidParameter(
                "'\(path)' is \(item.withArticle); expected an object {\"role\": …, \"content\": …}.",
                field: path
            )
        }
        let role: APIMessage.Role
        let roleValue = item["role"]
        if roleValue == .string("developer") {
            role = .system
        } else if case .string(let text)? = roleValue, let parsed = APIMessage.Role(rawValue: text) {
            role = parsed
        } else {
            throw .invalidParameter(
                "'\(path).role' is \(roleValue.map(describe) ?? "missing"); expected \"system\", \"user\" or "
                    + "\"assistant\" (Qwen-Audio models cannot call tools).",
                field: "\(path).role"
            )
        }
        if let calls = item["tool_calls"], calls != .null, calls != .array([]) {
            throw .toolCallUnsupported(field: "\(path).tool_calls")
        }
        guard let content = item["content"], content != .null else {
            throw .invalidParameter(
                "The content field is a required field. - '\(path).content' is missing; expected a string or a "
                    + "list of text / input_audio / audio_url parts.",
                field: "\(path).content"
            )
        }
        switch content {
        case .string(let text):
            return APIMessage(role: role, parts: [.text(text)])
        case .array(let items) where !items.isEmpty:
            var parts: [APIMessage.Part] = []
            for (index, part) in items.enumerated() {
                parts.append(try parsePart(part, path: "\(path).content[\(index)]", ossResolve: ossResolve))
            }
            return APIMessage(role: role, parts: parts)
        default:
            throw .invalidParameter(
                "'\(path).content' is \(content == .array([]) ? "an empty list" : content.withArticle); expected "
                    + "a string or a non-empty list of text / input_audio / audio_url parts.",
                field: "\(path).content"
            )
        }
    }

    private static func parsePart(_ part: JSONValue, path: String, ossResolve: Bool) throws(APIError) -> APIMessage.Part
    {
        let type = part["type"]
        switch type {
        case .string("text"):
            guard case .string(let text)? = part["text"] else {
                throw .invalidParameter(
                    "'\(path).text' is \(part["text"].map(describe) ?? "missing"); expected a string.",
                    field: "\(path).text"
                )
            }
            return .text(text)
        case .string("input_audio"):
            let field = "\(path).input_audio"
            guard let audio = part["input_audio"], case .object = audio else {
                throw .invalidParameter(
                    "'\(field)' is \(part["input_audio"].map(describe) ?? "missing"); expected an object "
                        + "{\"data\": <base64 or URL>, \"format\": \"wav\"}.",
                    field: field
                )
            }
            let reader = FieldReader(object: audio, prefix: "\(field).")
            guard let data = try reader.string("data"), !data.isEmpty else {
                throw .invalidParameter(
                    "'\(field).data' is missing or empty; expected base64 audio, a data: URI or an http(s) URL.",
                    field: "\(field).data"
                )
            }
            let format = try reader.string("format").map { $0.lowercased() }
            return .audio(
                try AudioSource.parse(
                    data,
                    field: "\(field).data",
                    format: format?.isEmpty == true ? nil : format,
                    bareBase64: true,
                    ossResolve: ossResolve
                )
            )
        case .string("audio_url"):
            let field = "\(path).audio_url.url"
            guard case .string(let url)? = part["audio_url"]?["url"] else {
                throw .invalidParameter(
                    "'\(field)' is missing; expected {\"type\": \"audio_url\", \"audio_url\": {\"url\": …}}.",
                    field: field
                )
            }
            return .audio(try AudioSource.parse(url, field: field, ossResolve: ossResolve))
        default:
            throw .invalidParameter(
                "The provided messages input is invalid. The error info is [Unexpected item type in content.] - "
                    + "'\(path).type' is \(type.map(describe) ?? "missing"); expected \"text\", \"input_audio\" "
                    + "or \"audio_url\".",
                field: "\(path).type"
            )
        }
    }
}
