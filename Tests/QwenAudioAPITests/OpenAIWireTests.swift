import Foundation
import Testing

@testable import QwenAudioAPI

@Suite("OpenAI wire format: the spec's examples")
struct OpenAIWireTests {
    static let model = "qwen-audio-turbo-latest"

    @Test("§10.1 request: decodes, and re-encodes byte for byte")
    func requestRoundTrip() throws {
        let request = try Fixture.decode(OpenAI.ChatCompletionRequest.self, "openai-request.json")
        #expect(
            request.messages[0].content
                == .parts([
                    .inputAudio(OpenAI.InputAudio(data: "UklGRpDGAQBXQVZF...", format: "wav")), .text("这段音频在说什么?"),
                ])
        )
        #expect(WireJSON.string(request) == (try Fixture.minified("openai-request.json")))
    }

    @Test("§10.1 request parses; the bare base64 decodes to the WAV header")
    func requestParses() throws {
        // The spec elides the base64 with "..."; without the elision it is valid base64 of "RIFF....WAVE".
        let body = try Fixture.text("openai-request.json").replacingOccurrences(of: "QVZF...", with: "QVZF")
        let request = try OpenAI.parseRequest(body.utf8Data)
        let riff = Data("RIFF".utf8) + Data([0x90, 0xC6, 0x01, 0x00]) + Data("WAVE".utf8)
        #expect(
            request
                == ChatRequest(
                    model: Self.model,
                    messages: [
                        APIMessage(role: .user, parts: [.audio(.data(riff, format: "wav")), .text("这段音频在说什么?")])
                    ],
                    stream: false,
                    incremental: true,
                    includeUsage: true,
                    resultFormat: .message
                )
        )
    }

    @Test("§10.1 request with the spec's elided base64 is refused as bad base64")
    func elidedBase64() throws {
        let body = try Fixture.data("openai-request.json")
        let error = try #require(apiError { () throws(APIError) in try OpenAI.parseRequest(body) })
        #expect(error.field == "messages[0].content[0].input_audio.data")
        #expect(error.message.contains("not valid base64"))
    }

    @Test("§10.2 answer renders byte for byte")
    func nonStreamingResponse() throws {
        let native = DashScope.Usage(inputTokens: 15, outputTokens: 17, audioTokens: 66)
        let response = OpenAI.ChatCompletion(
            id: "chatcmpl-9f12e27b-...",
            created: 1_795_618_691,
            model: Self.model,
            choices: [
                OpenAI.Choice(message: OpenAI.ResponseMessage(content: "这段音频说的是:'欢迎使用阿里云'"), finishReason: "stop")
            ],
            usage: OpenAI.Usage(native, completionDetails: true)
        )
        #expect(WireJSON.string(response) == (try Fixture.minified("openai-response.json")))
        #expect(try Fixture.decode(OpenAI.ChatCompletion.self, "openai-response.json") == response)
    }

    @Test("§10.3 stream renders byte for byte, [DONE] last")
    func stream() throws {
        let encoder = OpenAI.StreamEncoder(
            id: "chatcmpl-...",
            created: 1_735_113_344,
            model: Self.model,
            includeUsage: true
        )
        let usage = OpenAI.Usage(
            DashScope.Usage(inputTokens: 15, outputTokens: 17, audioTokens: 66),
            completionDetails: false
        )
        let bytes = encoder.start() + encoder.delta("这段") + encoder.delta("") + encoder.finish("stop", usage: usage)
        #expect(String(decoding: bytes, as: UTF8.self) == (try Fixture.text("openai-stream.txt")))
    }

    @Test("§10.3 stream without include_usage has no usage chunk")
    func streamWithoutUsage() {
        let encoder = OpenAI.StreamEncoder(id: "c", created: 1, model: "m", includeUsage: false)
        let usage = OpenAI.Usage(promptTokens: 1, completionTokens: 1, totalTokens: 2)
        let text = String(decoding: encoder.finish("length", usage: usage), as: UTF8.self)
        #expect(
            text == #"""
                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length","logprobs":null}],"usage":null}

                data: [DONE]


                """#
        )
    }

    @Test("§10.3 chunks decode, system_fingerprint present as null only where sent")
    func chunksDecode() throws {
        let lines = try Fixture.text("openai-stream.txt").split(separator: "\n").map { $0.dropFirst("data: ".count) }
        #expect(lines.last == "[DONE]")
        let chunks = try lines.dropLast().map {
            try JSONDecoder().decode(OpenAI.ChatCompletionChunk.self, from: Data($0.utf8))
        }
        #expect(chunks.map(\.systemFingerprint) == [.some(nil), nil, nil, nil])
        #expect(chunks[3].choices.isEmpty)
        #expect(chunks[3].usage?.promptTokensDetails == OpenAI.PromptTokensDetails(audioTokens: 66, textTokens: 15))
        for (chunk, line) in zip(chunks, lines) {
            #expect(WireJSON.string(chunk) == String(line))
        }
    }

    @Test("§10.4 401 body renders byte for byte with the compatible-mode wording")
    func unauthorized() throws {
        let body = APIError.invalidAPIKey.openAIBody(requestID: "2f09bd59-55cc-9f19-b785-6326783e9b05")
        #expect(
            String(decoding: body, as: UTF8.self)
                == (try Fixture.text("openai-error-401.json")).trimmingCharacters(in: .newlines)
        )
    }

    @Test("§10.4 400 body: same JSON as the hosted one")
    func badRequest() throws {
        let error = APIError.invalidParameter("<400> InternalError.Algo.InvalidParameter: ...")
        let body = error.openAIBody(requestID: "...", completionID: "chatcmpl-...")
        #expect(try sameJSON(body, Fixture.data("openai-error-400.json")))
        let decoded = try Fixture.decode(OpenAI.ErrorResponse.self, "openai-error-400.json")
        #expect(decoded == OpenAI.ErrorResponse(error, requestID: "...", completionID: "chatcmpl-..."))
    }

    @Test(
        "error type/code mapping per status and code",
        arguments: [
            (APIError.noAPIKey, "invalid_request_error", "invalid_api_key"),
            (APIError.invalidParameter("x", field: "temperature"), "invalid_request_error", "invalid_parameter_error"),
            (APIError.missingModel, "invalid_request_error", "invalid_parameter_error"),
            (APIError.modelNotFound("m"), "invalid_request_error", "model_not_found"),
            (APIError.asyncNotSupported, "invalid_request_error", "access_denied"),
            (
                APIError(status: 400, code: .dataInspectionFailed, message: "x"), "data_inspection_failed",
                "data_inspection_failed"
            ),
            (APIError(status: 429, code: .throttlingRateQuota, message: "x"), "limit_requests", "limit_requests"),
            (APIError.inferenceFailed, "internal_error", "internal_error"),
            (APIError.serverBusy, "model_serving_error", "model_serving_error"),
        ]
    )
    func errorMapping(_ error: APIError, _ type: String, _ code: String) {
        #expect(error.openAIType == type)
        #expect(error.openAICode == code)
    }

    @Test("param carries the field; stream error frame is data: {\"error\":…}")
    func paramAndStreamError() {
        let error = APIError.invalidParameter("Temperature should be in [0.0, 2.0)", field: "temperature")
        #expect(
            String(decoding: error.openAIBody(), as: UTF8.self)
                == #"{"error":{"message":"Temperature should be in [0.0, 2.0)","type":"invalid_request_error","param":"temperature","code":"invalid_parameter_error"}}"#
        )
        #expect(
            String(decoding: OpenAI.errorEvent(.streamFailed, requestID: "r"), as: UTF8.self)
                == #"data: {"error":{"message":"An internal error has occured during execution, please try again later or contact service support.","type":"internal_error","param":null,"code":"internal_error"},"request_id":"r"}"#
                + "\n\n"
        )
    }

    @Test("GET /v1/models list")
    func models() {
        let list = OpenAI.ModelList(data: [
            OpenAI.Model(id: "qwen2-audio-instruct", created: 1_700_000_000),
            OpenAI.Model(id: "whisper+qwen2", created: 1_700_000_001, description: "hears words, not sounds or tone"),
        ])
        #expect(
            WireJSON.string(list)
                == #"{"object":"list","data":[{"id":"qwen2-audio-instruct","object":"model","created":1700000000,"owned_by":"qwen-audio"},{"id":"whisper+qwen2","object":"model","created":1700000001,"owned_by":"qwen-audio","description":"hears words, not sounds or tone"}]}"#
        )
    }
}
