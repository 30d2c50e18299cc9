import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import QwenAudioAPI
import QwenAudioEngine
import QwenAudioIO
import QwenAudioModels

/// The request handlers of both protocols: parse → authorise → resolve and decode audio → queue on the
/// engine → answer as JSON or as a stream. Every failure becomes an ``APIError`` in ``apiError(_:)``.
struct Handlers: Sendable {
    let configuration: ServerConfiguration
    let slot: EngineSlot
    let logger: Logger
    let fetcher: AudioFetcher

    init(configuration: ServerConfiguration, slot: EngineSlot, logger: Logger) {
        self.configuration = configuration
        self.slot = slot
        self.logger = logger
        fetcher = AudioFetcher(policy: .init(allowPrivateAddresses: configuration.allowPrivateURLs))
    }

    enum WireProtocol {
        case dashScope
        case openAI
    }

    // MARK: - Routes

    func dashScope(_ request: Request) async -> Response {
        await handle(request, protocol: .dashScope)
    }

    func openAI(_ request: Request) async -> Response {
        await handle(request, protocol: .openAI)
    }

    func models(_ request: Request) -> Response {
        let requestID = Self.newRequestID()
        if let error = authorizationError(Self.headers(of: request)) {
            return Self.errorResponse(error, protocol: .openAI, requestID: requestID)
        }
        let created = Int(Date().timeIntervalSince1970)
        let list = OpenAI.ModelList(data: configuration.modelNames.map { OpenAI.Model(id: $0, created: created) })
        return Self.json(WireJSON.data(list), requestID: requestID)
    }

    private func handle(_ request: Request, protocol api: WireProtocol) async -> Response {
        let requestID = Self.newRequestID()
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        do {
            let headers = Self.headers(of: request)
            if let error = authorizationError(headers) { throw error }
            guard let engine = slot.engine else {
                throw APIError(status: 503, code: .modelUnavailable, message: "The model is still loading; retry shortly.")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: configuration.maxBodyBytes)
            } catch {
                throw APIError.tooLarge(limit: configuration.maxBodyBytes)
            }
            let data = Data(body.readableBytesView)
            let chat = api == .dashScope
                ? try DashScope.parseRequest(data, headers: headers) : try OpenAI.parseRequest(data, headers: headers)
            guard configuration.modelNames.contains(chat.model) else {
                throw api == .dashScope
                    ? APIError.modelNotExist(chat.model, served: configuration.modelNames) : APIError.modelNotFound(chat.model)
            }
            let (messages, clips) = try await resolve(chat.messages)
            let parameters = try generationParameters(chat.sampling, defaults: engine.generator.model.generationConfig)
            let events = try engine.submit(messages, audio: clips, parameters: parameters)
            logger.info("generation queued", metadata: ["protocol": "\(api)", "stream": "\(chat.stream)", "clips": "\(clips.count)"])
            if chat.stream {
                return stream(events, chat: chat, protocol: api, requestID: requestID, logger: logger)
            }
            var output: GenerationOutput?
            for try await event in events {
                if case .finished(let result) = event { output = result }
            }
            guard let output else { throw APIError(status: 500, code: .internalError, message: "The generation ended without an answer.") }
            return Self.json(Self.completeBody(output, chat: chat, protocol: api, requestID: requestID), requestID: requestID)
        } catch {
            let apiError = Self.apiError(error)
            logger.notice("request failed", metadata: ["status": "\(apiError.status)", "code": "\(apiError.code.rawValue)"])
            return Self.errorResponse(apiError, protocol: api, requestID: requestID)
        }
    }

    // MARK: - Streaming

    private func stream(
        _ events: AsyncThrowingStream<GenerationEvent, any Error>, chat: ChatRequest, protocol api: WireProtocol,
        requestID: String, logger: Logger
    ) -> Response {
        let contentType = api == .dashScope ? DashScope.eventStreamContentType : "text/event-stream"
        let body = ResponseBody { writer in
            var native = DashScope.StreamEncoder(requestID: requestID, incremental: chat.incremental)
            let openAI = OpenAI.StreamEncoder(
                id: "chatcmpl-\(requestID)", created: Int(Date().timeIntervalSince1970), model: chat.model,
                includeUsage: chat.includeUsage)
            var prompt = (text: 0, audio: 0)
            var tokens = 0
            do {
                if api == .openAI { try await writer.write(ByteBuffer(bytes: openAI.start())) }
                for try await event in events {
                    switch event {
                    case .started(let promptTokens, let audioTokens):
                        prompt = (promptTokens, audioTokens)
                    case .delta(let text, let generated):
                        tokens = generated
                        let usage = DashScope.Usage(inputTokens: prompt.text, outputTokens: tokens, audioTokens: prompt.audio)
                        let frame = api == .dashScope ? native.delta(text, usage: usage) : openAI.delta(text)
                        try await writer.write(ByteBuffer(bytes: frame))
                    case .finished(let output):
                        let usage = Self.nativeUsage(output.usage)
                        let frame = api == .dashScope
                            ? native.finish(DashScope.FinishReason(rawValue: output.finishReason.rawValue), usage: usage)
                            : openAI.finish(output.finishReason.rawValue, usage: OpenAI.Usage(usage, completionDetails: true))
                        try await writer.write(ByteBuffer(bytes: frame))
                    }
                }
            } catch let error as EngineError where error == .cancelled {
                logger.info("generation cancelled")
            } catch {
                // A write failed (the client left) or the generation failed: report it if the client is still there.
                let apiError = Self.apiError(error)
                let frame = api == .dashScope ? native.error(apiError) : openAI.error(apiError, requestID: requestID)
                try? await writer.write(ByteBuffer(bytes: frame))
                logger.info("stream ended early", metadata: ["reason": "\(error)"])
            }
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-cache"]
        headers[HTTPField.Name("X-Request-Id")!] = requestID
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: - Audio

    /// Fetches or decodes every audio part, in order, within the limits.
    private func resolve(_ messages: [APIMessage]) async throws -> ([ChatMessage], [[Float]]) {
        var result: [ChatMessage] = []
        var clips: [[Float]] = []
        for message in messages {
            var parts: [ChatMessage.Part] = []
            for part in message.parts {
                switch part {
                case .text(let text): parts.append(.text(text))
                case .audio(let source):
                    clips.append(try AudioDecoder.decode(try await bytes(of: source)).samples)
                    parts.append(.audio)
                }
            }
            let role: ChatMessage.Role =
                switch message.role {
                case .system: .system
                case .user: .user
                case .assistant: .assistant
                }
            result.append(ChatMessage(role: role, parts: parts))
        }
        return (result, clips)
    }

    private func bytes(of source: AudioSource) async throws -> Data {
        switch source {
        case .data(let data, _): return data
        case .url(let url): return try await fetcher.fetch(url)
        case .file(let path):
            guard let root = configuration.allowedLocalDirectory else {
                throw APIError.invalidURL(field: "audio", "file:// URLs are not enabled on this server; send the audio as a URL or a data: URI, or start the server with --allow-local-dir.")
            }
            let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            guard resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
                throw APIError.invalidURL(field: "audio", "file://\(path) is outside the directory this server may read.")
            }
            return try AudioDecoder.readFile(resolved, limit: AudioLimits.chat.maxInputBytes)
        case .ossKey(let key):
            throw APIError.invalidURL(field: "audio", "oss://\(key) is not in this server's upload store.")
        }
    }

    // MARK: - Mapping

    private func generationParameters(_ sampling: ChatRequest.Sampling, defaults: GenerationConfig) throws(APIError)
        -> GenerationParameters
    {
        let greedyByDefault = !defaults.doSample
        return GenerationParameters(
            maxTokens: sampling.maxTokens ?? 1500,
            temperature: Float(sampling.temperature ?? (greedyByDefault ? 0 : Double(defaults.temperature))),
            topK: sampling.topK ?? defaults.topK,
            topP: Float(sampling.topP ?? Double(defaults.topP)),
            repetitionPenalty: Float(sampling.repetitionPenalty ?? Double(defaults.repetitionPenalty)),
            presencePenalty: Float(sampling.presencePenalty ?? 0),
            seed: sampling.seed,
            stop: sampling.stop
        )
    }

    private func authorizationError(_ headers: [String: String]) -> APIError? {
        guard !configuration.apiKeys.isEmpty else { return nil }
        guard let value = headers["authorization"], value.lowercased().hasPrefix("bearer ") else { return .noAPIKey }
        let key = String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        if key.isEmpty { return .noAPIKey }
        // Compare against every key in constant time per key, so timing does not reveal a matching prefix.
        var matched = false
        for candidate in configuration.apiKeys where Self.constantTimeEqual(candidate, key) { matched = true }
        return matched ? nil : .invalidAPIKey
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }

    /// The one place where failures become API errors.
    static func apiError(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as AudioError:
            switch error {
            case .tooLarge: return .fileTooLarge(field: "audio")
            case .emptyInput: return .audioEmpty(field: "audio")
            default:
                var mapped = APIError.audioUnreadable(field: "audio")
                mapped.message += " (\(error.code): \(error.message))"
                return mapped
            }
        case let error as AudioFetcher.FetchError:
            switch error {
            case .invalidURL, .privateAddress, .unresolvable: return .invalidURL(field: "audio", error.description)
            case .tooLarge: return .fileTooLarge(field: "audio")
            default: return .downloadFailed(field: "audio", reason: error.description)
            }
        case let error as EngineError:
            switch error {
            case .busy, .shuttingDown:
                return APIError(status: 503, code: .modelServingError, message: "Too many requests in queue, please retry later (\(error.description)).")
            case .contextTooLong: return .invalidParameter("Range of input length should be within the model's context: \(error.description)")
            case .invalidRequest(let message): return .invalidParameter(message)
            case .cancelled: return APIError(status: 499, code: .requestTimeOut, message: "The request was cancelled.")
            case .model(let model): return APIError(status: 500, code: .internalError, message: model.description)
            }
        default:
            return APIError(status: 500, code: .internalError, message: "An internal error occurred: \(error)")
        }
    }

    static func nativeUsage(_ usage: QwenAudioEngine.Usage) -> DashScope.Usage {
        DashScope.Usage(inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, audioTokens: usage.audioTokens)
    }

    static func completeBody(_ output: GenerationOutput, chat: ChatRequest, protocol api: WireProtocol, requestID: String) -> Data {
        let usage = nativeUsage(output.usage)
        switch api {
        case .dashScope:
            return WireJSON.data(
                DashScope.GenerationResponse(
                    text: output.text, finishReason: DashScope.FinishReason(rawValue: output.finishReason.rawValue),
                    usage: usage, requestID: requestID))
        case .openAI:
            return WireJSON.data(
                OpenAI.ChatCompletion(
                    id: "chatcmpl-\(requestID)", created: Int(Date().timeIntervalSince1970), model: chat.model,
                    choices: [OpenAI.Choice(message: OpenAI.ResponseMessage(content: output.text), finishReason: output.finishReason.rawValue)],
                    usage: OpenAI.Usage(usage, completionDetails: true)))
        }
    }

    // MARK: - HTTP helpers

    static func newRequestID() -> String { UUID().uuidString.lowercased() }

    static func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        return headers
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok, requestID: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-Request-Id")!] = requestID
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ error: APIError, protocol api: WireProtocol, requestID: String) -> Response {
        let body = api == .dashScope ? error.dashScopeBody(requestID: requestID) : error.openAIBody(requestID: requestID)
        return json(body, status: HTTPResponse.Status(code: error.status), requestID: requestID)
    }
}
