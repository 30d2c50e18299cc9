import Foundation
import Testing

@testable import QwenAudioAPI

/// An OpenAI body with the given extra top-level members and messages.
func openAI(_ extra: String = "", messages: String = #"[{"role":"user","content":"hi"}]"#) -> String {
    #"{"model":"qwen-audio-turbo-latest","messages":\#(messages)\#(extra.isEmpty ? "" : ",")\#(extra)}"#
}

/// One user message with the given content parts JSON.
func openAIUser(_ parts: String) -> String { #"[{"role":"user","content":[\#(parts)]}]"# }

@Suite("OpenAI request validation")
struct OpenAIValidationTests {
    static let unexpected =
        "The provided messages input is invalid. The error info is [Unexpected item type in content.]"
    static let part0 = "messages[0].content[0]"

    static let refusals: [RefusalCase] = [
        RefusalCase(name: "malformed JSON", body: "{", message: "Required body invalid", field: nil),
        RefusalCase(
            name: "model missing",
            body: #"{"messages":[]}"#,
            code: .emptyModel,
            message: #"Required parameter "model" missing from request."#,
            field: "model"
        ),
        RefusalCase(
            name: "messages missing",
            body: #"{"model":"m"}"#,
            message: "'messages' is missing",
            field: "messages"
        ),
        RefusalCase(
            name: "messages empty",
            body: openAI(messages: "[]"),
            message: "[] is too short",
            field: "messages"
        ),
        RefusalCase(
            name: "tool role",
            body: openAI(messages: #"[{"role":"tool","content":"x"}]"#),
            message: #"'messages[0].role' is "tool""#,
            field: "messages[0].role"
        ),
        RefusalCase(
            name: "assistant tool_calls",
            body: openAI(
                messages:
                    #"[{"role":"assistant","content":null,"tool_calls":[{"id":"1"}]},{"role":"user","content":"x"}]"#
            ),
            message: "The tool call is not supported.",
            field: "messages[0].tool_calls"
        ),
        RefusalCase(
            name: "content null",
            body: openAI(messages: #"[{"role":"user","content":null}]"#),
            message: "The content field is a required field.",
            field: "messages[0].content"
        ),
        RefusalCase(
            name: "image_url part",
            body: openAI(messages: openAIUser(#"{"type":"image_url","image_url":{"url":"https://x/a.png"}}"#)),
            message: unexpected,
            field: "\(part0).type"
        ),
        RefusalCase(
            name: "part without type",
            body: openAI(messages: openAIUser(#"{"text":"hi"}"#)),
            message: unexpected,
            field: "\(part0).type"
        ),
        RefusalCase(
            name: "text part without text",
            body: openAI(messages: openAIUser(#"{"type":"text"}"#)),
            message: "'\(part0).text' is missing",
            field: "\(part0).text"
        ),
        RefusalCase(
            name: "input_audio not an object",
            body: openAI(messages: openAIUser(#"{"type":"input_audio","input_audio":"UklG"}"#)),
            message: "'\(part0).input_audio' is \"UklG\"",
            field: "\(part0).input_audio"
        ),
        RefusalCase(
            name: "input_audio without data",
            body: openAI(messages: openAIUser(#"{"type":"input_audio","input_audio":{"format":"wav"}}"#)),
            message: "'\(part0).input_audio.data' is missing",
            field: "\(part0).input_audio.data"
        ),
        RefusalCase(
            name: "input_audio bad base64",
            body: openAI(
                messages: openAIUser(#"{"type":"input_audio","input_audio":{"data":"not base64!","format":"wav"}}"#)
            ),
            message: "'\(part0).input_audio.data' is not valid base64",
            field: "\(part0).input_audio.data"
        ),
        RefusalCase(
            name: "input_audio format not a string",
            body: openAI(messages: openAIUser(#"{"type":"input_audio","input_audio":{"data":"AAEC","format":1}}"#)),
            message: "'format' must be String",
            field: "\(part0).input_audio.format"
        ),
        RefusalCase(
            name: "audio_url with ftp",
            body: openAI(messages: openAIUser(#"{"type":"audio_url","audio_url":{"url":"ftp://h/a.wav"}}"#)),
            message: DashScopeValidationTests.invalidURL,
            field: "\(part0).audio_url.url"
        ),
        RefusalCase(
            name: "audio_url without url",
            body: openAI(messages: openAIUser(#"{"type":"audio_url","audio_url":{}}"#)),
            message: "'\(part0).audio_url.url' is missing",
            field: "\(part0).audio_url.url"
        ),
        RefusalCase(
            name: "n 2",
            body: openAI(#""n":2"#),
            message: "'n' is 2 but Qwen-Audio models return one choice",
            field: "n"
        ),
        RefusalCase(
            name: "n 0",
            body: openAI(#""n":0"#),
            message: "'n' is 0 but Qwen-Audio models return one choice",
            field: "n"
        ),
        RefusalCase(
            name: "seed -1 (compatible-mode wording)",
            body: openAI(#""seed":-1"#),
            message: "-1 is lesser than the minimum of 0 - 'seed'",
            field: "seed"
        ),
        RefusalCase(
            name: "seed 2^31",
            body: openAI(#""seed":2147483648"#),
            message: "2147483648 is greater than the maximum of 2147483647 - 'seed'",
            field: "seed"
        ),
        RefusalCase(
            name: "temperature 2",
            body: openAI(#""temperature":2"#),
            message: "Temperature should be in [0.0, 2.0)",
            field: "temperature"
        ),
        RefusalCase(
            name: "top_p 0",
            body: openAI(#""top_p":0"#),
            message: "Range of top_p should be (0.0, 1.0]",
            field: "top_p"
        ),
        RefusalCase(
            name: "max_tokens 0",
            body: openAI(#""max_tokens":0"#),
            message: "Range of max_tokens should be [1, 2048]",
            field: "max_tokens"
        ),
        RefusalCase(
            name: "max_completion_tokens 4096",
            body: openAI(#""max_completion_tokens":4096"#),
            message: "Range of max_tokens should be [1, 2048]",
            field: "max_completion_tokens"
        ),
        RefusalCase(
            name: "presence_penalty -3",
            body: openAI(#""presence_penalty":-3"#),
            message: "Presence_penalty should be in [-2.0, 2.0]",
            field: "presence_penalty"
        ),
        RefusalCase(
            name: "top_k -1 (extra_body)",
            body: openAI(#""top_k":-1"#),
            message: "Parameter top_k be greater than or equal to 0",
            field: "top_k"
        ),
        RefusalCase(
            name: "stop a number",
            body: openAI(#""stop":5"#),
            message: DashScopeValidationTests.stopMessage,
            field: "stop"
        ),
        RefusalCase(
            name: "stream not a bool",
            body: openAI(#""stream":"yes""#),
            message: "'stream' must be Boolean",
            field: "stream"
        ),
        RefusalCase(
            name: "stream_options not an object",
            body: openAI(#""stream":true,"stream_options":true"#),
            message: "'stream_options' is a bool",
            field: "stream_options"
        ),
        RefusalCase(
            name: "tools",
            body: openAI(#""tools":[{"type":"function"}]"#),
            message: "The tool call is not supported.",
            field: "tools"
        ),
        RefusalCase(
            name: "audio output",
            body: openAI(#""modalities":["text","audio"]"#),
            message: "'modalities' is not [\"text\"]",
            field: "modalities"
        ),
        RefusalCase(
            name: "last message from the assistant",
            body: openAI(messages: #"[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]"#),
            message: "The last message must have the role of user",
            field: "messages[1].role"
        ),
    ]

    @Test("refused with status, code and message, naming the field", arguments: refusals)
    func refusal(_ test: RefusalCase) throws {
        let error = try #require(apiError { () throws(APIError) in try OpenAI.parseRequest(test.body.utf8Data) })
        #expect(error.status == test.status)
        #expect(error.code == test.code)
        #expect(error.message.hasPrefix(test.message), "message: \(error.message)")
        #expect(error.field == test.field)
        if let field = test.field {
            #expect(error.message.contains(field), "the message names the field: \(error.message)")
        }
    }

    @Test("input_audio with and without format; data: URI, URL and bare base64 in data")
    func inputAudioForms() throws {
        let parts = #"""
            {"type":"input_audio","input_audio":{"data":"AAEC","format":"WAV"}},
            {"type":"input_audio","input_audio":{"data":"AAEC"}},
            {"type":"input_audio","input_audio":{"data":"AAEC","format":null}},
            {"type":"input_audio","input_audio":{"data":"data:;base64,AAEC","format":"mp3"}},
            {"type":"input_audio","input_audio":{"data":"data:audio/wav;base64,AAEC"}},
            {"type":"input_audio","input_audio":{"data":"https://example.com/welcome.mp3","format":"mp3"}},
            {"type":"audio_url","audio_url":{"url":"https://example.com/b.wav"}},
            {"type":"text","text":"compare them"}
            """#
        let request = try OpenAI.parseRequest(openAI(messages: openAIUser(parts)).utf8Data)
        let bytes = Data([0, 1, 2])
        #expect(
            request.messages[0].parts == [
                .audio(.data(bytes, format: "wav")),
                .audio(.data(bytes, format: nil)),
                .audio(.data(bytes, format: nil)),
                .audio(.data(bytes, format: "mp3")),
                .audio(.data(bytes, format: "wav")),
                .audio(.url(URL(string: "https://example.com/welcome.mp3")!)),
                .audio(.url(URL(string: "https://example.com/b.wav")!)),
                .text("compare them"),
            ]
        )
    }

    @Test("oss:// needs the resolve header on the compatible endpoint too")
    func ossHeader() throws {
        let body = openAI(messages: openAIUser(#"{"type":"audio_url","audio_url":{"url":"oss://k/a.wav"}}"#)).utf8Data
        #expect(throws: APIError.self) { try OpenAI.parseRequest(body) }
        let request = try OpenAI.parseRequest(body, headers: ["x-dashscope-ossresourceresolve": "enable"])
        #expect(request.messages[0].parts == [.audio(.ossKey("k/a.wav"))])
    }

    @Test("sampling, stop string and list, max_completion_tokens over max_tokens, extra_body fields")
    func sampling() throws {
        let body = openAI(
            #"""
            "temperature":0.7,"top_p":0.8,"seed":2147483647,"max_tokens":10,"max_completion_tokens":20,
            "stop":"END","n":1,"presence_penalty":1.5,"top_k":50,"repetition_penalty":1.1,"user":"u1"
            """#
        )
        let request = try OpenAI.parseRequest(body.utf8Data)
        #expect(
            request.sampling
                == ChatRequest.Sampling(
                    temperature: 0.7,
                    topP: 0.8,
                    topK: 50,
                    seed: 2_147_483_647,
                    maxTokens: 20,
                    repetitionPenalty: 1.1,
                    presencePenalty: 1.5,
                    stop: ["END"]
                )
        )
        let list = try OpenAI.parseRequest(openAI(#""stop":["a","b"],"max_tokens":5"#).utf8Data)
        #expect(list.sampling.stop == ["a", "b"])
        #expect(list.sampling.maxTokens == 5)
    }

    @Test("stream, stream_options.include_usage, and usage in non-stream answers")
    func streamFlags() throws {
        let plain = try OpenAI.parseRequest(openAI().utf8Data)
        #expect(!plain.stream && plain.includeUsage && plain.incremental)
        let stream = try OpenAI.parseRequest(openAI(#""stream":true"#).utf8Data)
        #expect(stream.stream && !stream.includeUsage)
        let usage = try OpenAI.parseRequest(openAI(#""stream":true,"stream_options":{"include_usage":true}"#).utf8Data)
        #expect(usage.stream && usage.includeUsage)
    }

    @Test("string content, system and developer roles, multi-turn history")
    func roles() throws {
        let messages = #"""
            [{"role":"developer","content":"be brief"},{"role":"user","content":"a"},
             {"role":"assistant","content":"b"},{"role":"user","content":[{"type":"text","text":"c"}]}]
            """#
        let request = try OpenAI.parseRequest(openAI(messages: messages).utf8Data)
        #expect(request.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(request.messages.map(\.text) == ["be brief", "a", "b", "c"])
    }
}
