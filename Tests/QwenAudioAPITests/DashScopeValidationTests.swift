import Foundation
import Testing

@testable import QwenAudioAPI

@Suite("DashScope request validation")
struct DashScopeValidationTests {
    @Test("refused with the documented status, code and message, naming the field", arguments: refusals)
    func refusal(_ test: RefusalCase) throws {
        let error = try #require(
            apiError { () throws(APIError) in
                try DashScope.parseRequest(test.body.utf8Data, headers: test.headers)
            }
        )
        #expect(error.status == test.status)
        #expect(error.code == test.code)
        #expect(error.message.hasPrefix(test.message), "message: \(error.message)")
        #expect(error.field == test.field)
        if let field = test.field {
            #expect(error.message.contains(field), "the message names the field: \(error.message)")
        }
    }

    @Test("a body above 16 MiB is BadRequest.TooLarge")
    func tooLarge() throws {
        let error = try #require(
            apiError { () throws(APIError) in
                try DashScope.parseRequest(Data(count: maxRequestBodyBytes + 1), headers: [:])
            }
        )
        #expect(error.code == .tooLarge)
        #expect(error.message.hasPrefix("Payload Too Large."))
    }

    @Test("a data URI above 10 MB of base64 is refused with the documented message")
    func dataURITooLarge() throws {
        let payload = String(repeating: "A", count: AudioSource.maxInlineBase64Bytes + 4)
        let body = native(messages: userContent(#"[{"audio":"data:;base64,\#(payload)"}]"#))
        let error = try #require(
            apiError { () throws(APIError) in
                try DashScope.parseRequest(body.utf8Data, headers: [:])
            }
        )
        #expect(error.message == "Exceeded limit on max bytes per data-uri item : 10485760 - '\(Self.part0).audio'")
        #expect(error.field == "\(Self.part0).audio")
    }

    @Test("parameters absent or null, unknown keys, and null values are accepted")
    func lenientParameters() throws {
        let messages = #"{"messages":[{"role":"user","content":"hi"}]}"#
        for body in [
            #"{"model":"m","input":\#(messages)}"#,
            #"{"model":"m","parameters":null,"input":\#(messages)}"#,
            native(#"{"foo":1,"temperature":null,"enable_search":false,"stop":null,"n":1}"#),
        ] {
            let request = try DashScope.parseRequest(body.utf8Data, headers: [:])
            #expect(request.sampling == ChatRequest.Sampling())
            #expect(request.resultFormat == .message)
            #expect(request.incremental == false)
        }
    }

    @Test("sampling values in range pass through; top_k 0 and > 100 disable top-k")
    func samplingValues() throws {
        let body = native(
            #"""
            {"temperature":0,"top_p":1,"top_k":100,"seed":9223372036854775807,"max_tokens":2048,
             "repetition_penalty":1.05,"presence_penalty":-2,"result_format":"text","incremental_output":true}
            """#
        )
        let request = try DashScope.parseRequest(body.utf8Data, headers: [:])
        #expect(
            request.sampling
                == ChatRequest.Sampling(
                    temperature: 0,
                    topP: 1,
                    topK: 100,
                    seed: 9_223_372_036_854_775_807,
                    maxTokens: 2048,
                    repetitionPenalty: 1.05,
                    presencePenalty: -2
                )
        )
        #expect(request.resultFormat == .text)
        #expect(request.incremental)
        for topK in [0, 101] {
            let request = try DashScope.parseRequest(native(#"{"top_k":\#(topK)}"#).utf8Data, headers: [:])
            #expect(request.sampling.topK == nil)
        }
    }

    @Test(
        "stop as a string, a list of strings, token ids and lists of token ids",
        arguments: [
            (#""END""#, ["END"], [[Int]]()),
            (#"["a","b"]"#, ["a", "b"], []),
            ("[151643, 13]", [], [[151643, 13]]),
            ("[[1, 2], [3]]", [], [[1, 2], [3]]),
            ("[]", [], []),
        ]
    )
    func stop(_ json: String, _ strings: [String], _ ids: [[Int]]) throws {
        let request = try DashScope.parseRequest(native(#"{"stop":\#(json)}"#).utf8Data, headers: [:])
        #expect(request.sampling.stop == strings)
        #expect(request.sampling.stopTokenSequences == ids)
    }

    @Test("streaming is decided by X-DashScope-SSE or Accept, header names in any case")
    func streamingHeaders() throws {
        let cases: [([String: String], Bool)] = [
            ([:], false),
            (["X-DashScope-SSE": "enable"], true),
            (["x-dashscope-sse": "enable"], true),
            (["X-DashScope-SSE": "disable"], false),
            (["accept": "text/event-stream"], true),
            (["Accept": "application/json; charset=utf-8"], false),
        ]
        for (headers, stream) in cases {
            #expect(try DashScope.parseRequest(native().utf8Data, headers: headers).stream == stream, "\(headers)")
        }
    }

    @Test("content as a string and as a list; voice chat (audio only); multi-turn history")
    func contentForms() throws {
        let messages = #"""
            [{"role":"system","content":"be brief"},
             {"role":"user","content":[{"audio":"https://example.com/a.wav"}]},
             {"role":"assistant","content":[{"text":"a bell"}]},
             {"role":"user","content":[{"text":"and "},{"text":"this?"},{"audio":"data:;base64,AAEC"}]}]
            """#
        let request = try DashScope.parseRequest(native(messages: messages).utf8Data, headers: [:])
        #expect(request.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(request.messages[0].parts == [.text("be brief")])
        #expect(request.messages[1].parts == [.audio(.url(URL(string: "https://example.com/a.wav")!))])
        #expect(request.messages[2].text == "a bell")
        #expect(
            request.messages[3].parts == [.text("and "), .text("this?"), .audio(.data(Data([0, 1, 2]), format: nil))]
        )
    }

    @Test("oss:// with the resolve header, and file:// paths")
    func ossAndFile() throws {
        let body = native(
            messages: userContent(
                #"[{"audio":"oss://dashscope-instant/x/2024/欢迎 1.wav"},{"audio":"file:///srv/a%20b.wav"}]"#
            )
        )
        let request = try DashScope.parseRequest(
            body.utf8Data,
            headers: ["X-DashScope-OssResourceResolve": "enable"]
        )
        #expect(
            request.messages[0].parts == [
                .audio(.ossKey("dashscope-instant/x/2024/欢迎 1.wav")), .audio(.file(path: "/srv/a b.wav")),
            ]
        )
    }
}
