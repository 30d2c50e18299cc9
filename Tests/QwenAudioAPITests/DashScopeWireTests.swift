import Foundation
import Testing

@testable import QwenAudioAPI

@Suite("DashScope wire format: the spec's examples")
struct DashScopeWireTests {
    static let streamRequestID = "f877cf8d-6109-9e84-b68f-9c618e0975fe"

    @Test("§4 request: decodes, and re-encodes byte for byte (keys model, parameters, input)")
    func requestRoundTrip() throws {
        let request = try Fixture.decode(DashScope.GenerationRequest.self, "dashscope-request.json")
        #expect(request.model == "qwen-audio-turbo-latest")
        #expect(request.parameters?.resultFormat == "message")
        #expect(request.parameters?.incrementalOutput == true)
        #expect(request.input.messages.count == 2)
        #expect(
            request.input.messages[1].content
                == .parts([.audio("https://example.com/welcome.mp3"), .text("这段音频在说什么?")])
        )
        #expect(WireJSON.string(request) == (try Fixture.minified("dashscope-request.json")))
    }

    @Test("§4 request: parses into the neutral form")
    func requestParses() throws {
        let body = try Fixture.data("dashscope-request.json")
        let request = try DashScope.parseRequest(body, headers: ["X-DashScope-SSE": "enable"])
        let expected = ChatRequest(
            model: "qwen-audio-turbo-latest",
            messages: [
                APIMessage(role: .system, parts: [.text("You are a helpful assistant.")]),
                APIMessage(
                    role: .user,
                    parts: [.audio(.url(URL(string: "https://example.com/welcome.mp3")!)), .text("这段音频在说什么?")]
                ),
            ],
            stream: true,
            incremental: true,
            includeUsage: true,
            resultFormat: .message
        )
        #expect(request == expected)
        let plain = try DashScope.parseRequest(body, headers: [:])
        #expect(plain.stream == false, "no SSE header and no Accept: text/event-stream means no stream")
    }

    @Test("§5 answer: decodes, and the rendered answer is the same JSON")
    func nonStreamingResponse() throws {
        let decoded = try Fixture.decode(DashScope.GenerationResponse.self, "dashscope-response.json")
        let ours = DashScope.GenerationResponse(
            text: "这段音频说的是:'欢迎使用阿里云'",
            finishReason: .stop,
            usage: DashScope.Usage(inputTokens: 33, outputTokens: 10, audioTokens: 85, totalTokens: nil),
            requestID: "1341c517-71bf-94f5-862a-18fbddb332e9"
        )
        #expect(decoded == ours)
        // The spec lists usage as audio, output, input here and input, output, audio in §6.1; we render the
        // §6.1 order everywhere, so this example matches as JSON, not byte for byte.
        #expect(try sameJSON(WireJSON.data(ours), Fixture.data("dashscope-response.json")))
        #expect(
            WireJSON.string(ours).hasPrefix(
                #"{"output":{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":[{"text":"#
            )
        )
    }

    @Test("§6.1 incremental stream renders byte for byte")
    func incrementalStream() throws {
        var stream = DashScope.StreamEncoder(requestID: Self.streamRequestID, incremental: true)
        func usage(_ output: Int) -> DashScope.Usage {
            DashScope.Usage(inputTokens: 33, outputTokens: output, audioTokens: 85, totalTokens: nil)
        }
        var bytes = stream.delta("这段", usage: usage(1))
        bytes += stream.delta("音频", usage: usage(2))
        bytes += stream.finish(.stop, usage: usage(10))
        #expect(String(decoding: bytes, as: UTF8.self) == (try Fixture.text("dashscope-stream-incremental.txt")))
        #expect(stream.lastID == 3)
        #expect(stream.text == "这段音频")
    }

    @Test("§6.1 events parse back: every data line is one JSON response with role and request_id")
    func streamEventsDecode() throws {
        let text = try Fixture.text("dashscope-stream-incremental.txt")
        let payloads = text.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { $0.dropFirst(5) }
        #expect(payloads.count == 3)
        for (index, payload) in payloads.enumerated() {
            let event = try JSONDecoder().decode(DashScope.GenerationResponse.self, from: Data(payload.utf8))
            #expect(event.requestID == Self.streamRequestID)
            #expect(event.output.choices[0].message.role == "assistant")
            #expect(event.output.choices[0].finishReason == (index < 2 ? .null : .stop))
            #expect(WireJSON.string(event) == String(payload), "resultEvent payloads round-trip exactly")
        }
    }

    @Test("§6.2 cumulative stream: each event holds the whole text so far, the last the complete answer")
    func cumulativeStream() throws {
        var stream = DashScope.StreamEncoder(requestID: "r1", incremental: false)
        let usage = DashScope.Usage(inputTokens: 1, outputTokens: 1, audioTokens: 25)
        let frames =
            ["I", " like", " apple", "."].map { stream.delta($0, usage: usage) }
            + [stream.finish(.stop, usage: usage)]
        let texts = try frames.map { frame -> String in
            let text = String(decoding: frame, as: UTF8.self)
            let data = try #require(text.split(separator: "\n").first { $0.hasPrefix("data:") }).dropFirst(5)
            let event = try JSONDecoder().decode(DashScope.GenerationResponse.self, from: Data(data.utf8))
            return event.output.choices[0].message.content.text
        }
        #expect(texts == ["I", "I like", "I like apple", "I like apple.", "I like apple."])
        #expect(String(decoding: frames[1], as: UTF8.self).hasPrefix("id:2\nevent:result\n:HTTP_STATUS/200\ndata:{"))
        #expect(String(decoding: frames[4], as: UTF8.self).contains(#""finish_reason":"stop""#))
    }

    @Test("resultEvent frames one event exactly: id, event, comment, one data line, blank line")
    func resultEventFraming() {
        let response = DashScope.GenerationResponse(
            text: "a\nb",
            finishReason: .length,
            usage: DashScope.Usage(inputTokens: 1, outputTokens: 2, audioTokens: 25),
            requestID: "rid"
        )
        let frame = String(decoding: DashScope.resultEvent(id: 7, response), as: UTF8.self)
        #expect(
            frame == """
                id:7
                event:result
                :HTTP_STATUS/200
                data:{"output":{"choices":[{"finish_reason":"length","message":{"role":"assistant","content":[{"text":"a\\nb"}]}}]},"usage":{"input_tokens":1,"output_tokens":2,"audio_tokens":25,"total_tokens":28},"request_id":"rid"}


                """
        )
    }

    @Test("§6.5 error frame after streaming began, with status:500")
    func streamErrorFrame() throws {
        let frame = DashScope.errorEvent(id: 4, .streamFailed, requestID: "...")
        #expect(String(decoding: frame, as: UTF8.self) == (try Fixture.text("dashscope-stream-error.txt")))
        var stream = DashScope.StreamEncoder(requestID: "...", incremental: true)
        _ = stream.delta("x", usage: DashScope.Usage(inputTokens: 0, outputTokens: 1, audioTokens: 0))
        _ = stream.delta("y", usage: DashScope.Usage(inputTokens: 0, outputTokens: 2, audioTokens: 0))
        _ = stream.delta("z", usage: DashScope.Usage(inputTokens: 0, outputTokens: 3, audioTokens: 0))
        #expect(stream.error(.streamFailed) == frame, "the encoder numbers the error frame after the results")
    }

    @Test("§6.5 hosted error frame (no status line) renders byte for byte")
    func hostedStreamErrorFrame() throws {
        let error = APIError.invalidParameter(
            "Required parameter(AppId) missing or invalid, please check the request parameters."
        )
        let frame = DashScope.errorEvent(id: 1, error, requestID: "...", statusLine: false)
        #expect(String(decoding: frame, as: UTF8.self) == (try Fixture.text("dashscope-stream-error-hosted.txt")))
    }

    @Test("§7.1 getPolicy answer: decodes, and re-encodes byte for byte")
    func uploadPolicy() throws {
        let response = try Fixture.decode(DashScope.UploadPolicyResponse.self, "dashscope-upload-policy.json")
        #expect(response.data.uploadDir == "dashscope-instant/xxx/2024-07-18/xxx")
        #expect(response.data.xOssForbidOverwrite == "true")
        #expect(response.data.expireInSeconds == 300)
        #expect(WireJSON.string(response) == (try Fixture.minified("dashscope-upload-policy.json")))
        let fields = response.data.formFields(fileName: "welcome.wav", contentType: "audio/x-wav")
        #expect(
            fields.map(\.name) == [
                "OSSAccessKeyId", "Signature", "policy", "key", "x-oss-object-acl", "x-oss-forbid-overwrite",
                "success_action_status", "x-oss-content-type",
            ]
        )
        #expect(fields[3].value == "dashscope-instant/xxx/2024-07-18/xxx/welcome.wav")
    }

    @Test("§8.1 error body renders byte for byte and decodes as the SDK reads it")
    func errorBody() throws {
        let body = APIError.invalidAPIKey.dashScopeBody(requestID: "7438d53d-6eb8-4596-8835-xxxxxx")
        #expect(String(decoding: body, as: UTF8.self) == (try Fixture.minified("dashscope-error.json")))
        let decoded = try Fixture.decode(DashScope.ErrorBody.self, "dashscope-error.json")
        #expect(
            decoded
                == DashScope.ErrorBody(
                    code: "InvalidApiKey",
                    message: "Invalid API-key provided.",
                    requestID: "7438d53d-6eb8-4596-8835-xxxxxx"
                )
        )
        let msgWins = try JSONDecoder().decode(
            DashScope.ErrorBody.self,
            from: #"{"code":"Throttling.RateQuota","message":"a","msg":"slow down"}"#.utf8Data
        )
        #expect(msgWins.message == "slow down")
        #expect(msgWins.requestID == "")
    }

    @Test("usage: total_tokens is the sum by default and left out on request")
    func usageTotals() {
        let usage = DashScope.Usage(inputTokens: 33, outputTokens: 10, audioTokens: 85)
        #expect(usage.totalTokens == 128)
        #expect(
            WireJSON.string(usage) == #"{"input_tokens":33,"output_tokens":10,"audio_tokens":85,"total_tokens":128}"#
        )
        let hosted = DashScope.Usage(inputTokens: 33, outputTokens: 10, audioTokens: 85, totalTokens: nil)
        #expect(WireJSON.string(hosted) == #"{"input_tokens":33,"output_tokens":10,"audio_tokens":85}"#)
    }

    @Test("finish_reason: JSON null reads as the string \"null\"")
    func finishReasonNull() throws {
        let choice = try JSONDecoder().decode(
            DashScope.Choice.self,
            from: #"{"finish_reason":null,"message":{"role":"assistant","content":[]}}"#.utf8Data
        )
        #expect(choice.finishReason == .null)
        #expect(WireJSON.string(choice) == #"{"finish_reason":"null","message":{"role":"assistant","content":[]}}"#)
    }

    @Test("a neutral request becomes a native body that parses back to itself")
    func neutralRoundTrip() throws {
        let request = ChatRequest(
            model: "qwen2-audio-instruct",
            messages: [
                APIMessage(
                    role: .user,
                    parts: [
                        .audio(.data(Data([1, 2, 3]), format: "wav")), .audio(.ossKey("dir/a b.wav")),
                        .audio(.file(path: "/srv/audio/欢迎 1.wav")), .text("what is this?"),
                    ]
                ),
                APIMessage(role: .assistant, parts: [.text("a bell")]),
                APIMessage(role: .user, parts: [.audio(.url(URL(string: "https://example.com/x.mp3")!))]),
            ],
            sampling: ChatRequest.Sampling(
                temperature: 0.7,
                topP: 0.8,
                topK: 20,
                seed: 42,
                maxTokens: 100,
                repetitionPenalty: 1.1,
                presencePenalty: -0.5,
                stop: ["\n\n", "END"]
            ),
            stream: true,
            incremental: true,
            includeUsage: true,
            resultFormat: .message
        )
        let body = WireJSON.data(DashScope.GenerationRequest(request))
        let headers = ["Accept": "text/event-stream", "X-DashScope-OssResourceResolve": "enable"]
        #expect(try DashScope.parseRequest(body, headers: headers) == request)
    }
}
