import Foundation
import Testing

@testable import QwenAudioAPI

@Suite("JSON rendering")
struct WireJSONTests {
    @Test("escaping matches json.dumps(ensure_ascii=False): quotes, backslash, controls; / and CJK raw")
    func escaping() {
        let value = JSONValue.string("a\"b\\c/d\n\t\u{1}这段😀")
        #expect(value.serializedString == #""a\"b\\c/d\n\t\u0001这段😀""#)
    }

    @Test("numbers: integers exact, doubles shortest")
    func numbers() {
        let value = JSONValue.array([.int(Int.max), .int(-1), .double(0.7), .double(1e-05), .double(2), .double(.nan)])
        #expect(value.serializedString == "[9223372036854775807,-1,0.7,1e-05,2.0,null]")
    }

    @Test("keys keep the encoding order, nil optionals are omitted, explicit nils are null")
    func order() {
        struct Sample: Encodable {
            var zeta = 1
            var alpha: String? = nil
            var mid = [true, false]
            var nested = ["only": 2]
            enum CodingKeys: String, CodingKey { case zeta, alpha, mid, nested }
        }
        #expect(WireJSON.string(Sample()) == #"{"zeta":1,"mid":[true,false],"nested":{"only":2}}"#)
        #expect(WireJSON.string(OpenAI.Delta()) == "{}")
        let choice = OpenAI.ChunkChoice(delta: OpenAI.Delta(content: "x"))
        #expect(WireJSON.string(choice) == #"{"index":0,"delta":{"content":"x"},"finish_reason":null,"logprobs":null}"#)
    }

    @Test("parsed objects compare regardless of key order; parse refuses non-JSON")
    func parsing() throws {
        #expect(
            try JSONValue.parse(#"{"a":1,"b":[true,null]}"#.utf8Data)
                == JSONValue.parse(#"{"b":[true,null],"a":1.0}"#.utf8Data)
        )
        #expect(try JSONValue.parse("1.5".utf8Data) == .double(1.5))
        #expect(throws: (any Error).self) { try JSONValue.parse("{".utf8Data) }
    }

    @Test("SSE event text: a multi-line data becomes several data lines")
    func sseFraming() {
        #expect(
            ServerSentEvent(id: "1", event: "result", comment: "HTTP_STATUS/200", data: "{}").text
                == "id:1\nevent:result\n:HTTP_STATUS/200\ndata:{}\n\n"
        )
        #expect(ServerSentEvent(data: "a\nb").text == "data:a\ndata:b\n\n")
        #expect(ServerSentEvent.heartbeat == Data(":\n\n".utf8))
    }
}
