public import Foundation

extension DashScope {
    /// Parses and validates a native generation request (spec §3–4, errors of §8.3).
    ///
    /// - Parameters:
    ///   - body: the raw request body (UTF-8 JSON).
    ///   - headers: the request headers, names in any case. They decide streaming (`X-DashScope-SSE`,
    ///     `Accept`), refuse `X-DashScope-Async: enable`, and allow `oss://` audio
    ///     (`X-DashScope-OssResourceResolve: enable`).
    /// - Returns: the neutral request; `stream` from the headers, `incremental` from `incremental_output`,
    ///   `includeUsage` always true (every native event carries usage).
    /// - Throws: ``APIError`` with the status, code and message of spec §8.3 for the first fault found.
    public static func parseRequest(_ body: Data, headers: [String: String]) throws(APIError) -> ChatRequest {
        if header(Header.async, in: headers)?.lowercased() == "enable" { throw .asyncNotSupported }
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

        guard let input = root["input"], input != .null else { throw .missingInput }
        guard case .object = input else {
            throw .invalidParameter(
                "'input' is \(input.withArticle); expected an object with \"messages\".",
                field: "input"
            )
        }
        let ossResolve = header(Header.ossResourceResolve, in: headers)?.lowercased() == "enable"
        let messages = try parseMessages(input, ossResolve: ossResolve)

        var parameters = root["parameters"] ?? .object([])
        if parameters == .null { parameters = .object([]) }
        guard case .object = parameters else {
            throw .invalidParameter(
                "'parameters' is \(parameters.withArticle); "
                    + "expected an object such as {\"result_format\": \"message\"}.",
                field: "parameters"
            )
        }
        let reader = FieldReader(object: parameters, prefix: "parameters.")
        return try ChatRequest(
            model: model,
            messages: messages,
            sampling: readSampling(
                reader,
                maxTokensKeys: ["max_tokens"],
                seedRule: .native,
                limits: ModelLimits.known(model) ?? .fallback
            ),
            stream: wantsStream(headers: headers),
            incremental: reader.bool("incremental_output") ?? false,
            includeUsage: true,
            resultFormat: readOptions(reader)
        )
    }

    /// `n`, the features Qwen-Audio lacks, and `result_format`.
    private static func readOptions(_ reader: FieldReader) throws(APIError) -> ChatRequest.ResultFormat {
        if let n = try reader.int("n", rangeMessage: "Range of n should be [1, 4]") {
            guard (1...4).contains(n) else {
                throw .invalidParameter("Range of n should be [1, 4] - 'parameters.n' is \(n)", field: "parameters.n")
            }
            guard n == 1 else {
                throw .invalidParameter(
                    "'parameters.n' is \(n) but Qwen-Audio models return one choice; set n to 1 or omit it.",
                    field: "parameters.n"
                )
            }
        }
        try reader.refuseTools()
        try reader.refuseEnabled("enable_search", what: "web search")
        try reader.refuseEnabled("enable_thinking", what: "thinking mode")
        try reader.refuseEnabled("logprobs", what: "log probabilities")
        guard let text = try reader.string("result_format") else { return .message }
        guard let format = ChatRequest.ResultFormat(rawValue: text) else {
            throw .invalidParameter(
                "'parameters.result_format' is \(quoted(text)); expected \"message\" or \"text\".",
                field: "parameters.result_format"
            )
        }
        return format
    }

    private static func parseMessages(_ input: JSONValue, ossResolve: Bool) throws(APIError) -> [APIMessage] {
        for key in ["text", "voice", "language_type"] where input[key] != nil {
            throw .invalidParameter(
                "'input.\(key)' is a speech-synthesis field; Qwen-Audio models take only 'input.messages'.",
                field: "input.\(key)"
            )
        }
        guard let messagesValue = input["messages"], messagesValue != .null else {
            if input["prompt"] != nil {
                throw .invalidParameter(
                    "'input.prompt' is not supported by Qwen-Audio models; send 'input.messages' instead.",
                    field: "input.prompt"
                )
            }
            throw .invalidParameter(
                #"Either "prompt" or "messages" must exist and cannot both be none - "#
                    + "'input.messages' is missing; expected a list of {\"role\": …, \"content\": …} objects.",
                field: "input.messages"
            )
        }
        return try parseMessageList(messagesValue, path: "input.messages") { item, path throws(APIError) in
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
        let role = try parseRole(item["role"], path: path)
        guard let content = item["content"], content != .null else {
            throw .invalidParameter(
                "The content field is a required field. - '\(path).content' is missing; expected a string "
                    + "or a list of {\"text\": …} / {\"audio\": …} items.",
                field: "\(path).content"
            )
        }
        switch content {
        case .string(let text):
            return APIMessage(role: role, parts: [.text(text)])
        case .array(let items):
            guard !items.isEmpty else {
                throw .invalidParameter(
                    "'\(path).content' is an empty list; "
                        + "expected at least one {\"text\": …} or {\"audio\": …} item.",
                    field: "\(path).content"
                )
            }
            var parts: [APIMessage.Part] = []
            for (index, part) in items.enumerated() {
                parts.append(try parsePart(part, path: "\(path).content[\(index)]", ossResolve: ossResolve))
            }
            return APIMessage(role: role, parts: parts)
        default:
            throw .invalidParameter(
                "'\(path).content' is \(content.withArticle); expected a string or a list of {\"text\": …} / "
                    + "{\"audio\": …} items.",
                field: "\(path).content"
            )
        }
    }

    private static func parseRole(_ value: JSONValue?, path: String) throws(APIError) -> APIMessage.Role {
        guard case .string(let text)? = value, let role = APIMessage.Role(rawValue: text) else {
            let found = value.map(describe) ?? "missing"
            throw .invalidParameter(
                "'\(path).role' is \(found); expected \"system\", \"user\" or \"assistant\".",
                field: "\(path).role"
            )
        }
        return role
    }

    private static func parsePart(_ part: JSONValue, path: String, ossResolve: Bool) throws(APIError) -> APIMessage.Part
    {
        let modalMessage = "The item of content should be a message of a certain modal."
        guard case .object(let members) = part, members.count == 1, let member = members.first else {
            let found =
                if case .object(let members) = part {
                    "an object with keys \(members.map(\.key).joined(separator: ", "))"
                } else {
                    part.withArticle
                }
            throw .invalidParameter(
                "\(modalMessage) - '\(path)' is \(found); "
                    + "expected exactly one key: {\"text\": …} or {\"audio\": …}.",
                field: path
            )
        }
        switch member.key {
        case "text", "audio":
            guard case .string(let value) = member.value else {
                throw .invalidParameter(
                    "'\(path).\(member.key)' is \(member.value.withArticle); expected a string.",
                    field: "\(path).\(member.key)"
                )
            }
            if member.key == "text" { return .text(value) }
            return .audio(try AudioSource.parse(value, field: "\(path).audio", ossResolve: ossResolve))
        case "image", "video":
            throw .invalidParameter(
                "'\(path).\(member.key)': Qwen-Audio models do not accept \(member.key) input; "
                    + "send {\"audio\": …} or {\"text\": …} parts.",
                field: "\(path).\(member.key)"
            )
        default:
            throw .invalidParameter(
                "\(modalMessage) - '\(path)' has key \(quoted(member.key)); "
                    + "expected {\"text\": …} or {\"audio\": …}.",
                field: path
            )
        }
    }
}
