import Foundation
import Testing

@testable import QwenAudioAPI

/// A body that should be refused, and how (spec §4.1, §4.3, §8.3).
struct RefusalCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: String
    var headers: [String: String] = [:]
    var status = 400
    var code: APIError.Code = .invalidParameter
    /// The documented message the error's message must start with.
    let message: String
    /// The field the error must name (in `field` and in the message), `nil` when none.
    let field: String?
    var testDescription: String { name }
}

/// A native body with the given `parameters` JSON and `input.messages` JSON.
func native(
    _ parameters: String = "{}",
    messages: String = #"[{"role":"user","content":"hi"}]"#,
    model: String = "qwen-audio-turbo-latest"
) -> String {
    #"{"model":"\#(model)","parameters":\#(parameters),"input":{"messages":\#(messages)}}"#
}

/// One user message with the given content JSON.
func userContent(_ content: String) -> String { #"[{"role":"user","content":\#(content)}]"# }

/// The refusals of spec §4.1, §4.3 and §8.3, one case each.
extension DashScopeValidationTests {
    static let invalidURL = "The provided URL does not appear to be valid. Ensure it is correctly formatted."
    static let modal = "The item of content should be a message of a certain modal."
    static let stopMessage =
        #"The "stop" parameter must be of type "str", "list[str]", "list[int]", or "list[list[int]]""#
    static let part0 = "input.messages[0].content[0]"

    static let refusals: [RefusalCase] = [
        RefusalCase(
            name: "malformed JSON",
            body: #"{"model":"#,
            message: "Required body invalid, please check the request body format.",
            field: nil
        ),
        RefusalCase(
            name: "JSON that is not an object",
            body: "[1,2]",
            message: "Required body invalid, please check the request body format.",
            field: nil
        ),
        RefusalCase(
            name: "model missing",
            body: #"{"input":{"messages":[]}}"#,
            code: .emptyModel,
            message: #"Required parameter "model" missing from request."#,
            field: "model"
        ),
        RefusalCase(
            name: "model empty",
            body: native(model: ""),
            code: .emptyModel,
            message: #"Required parameter "model" missing from request."#,
            field: "model"
        ),
        RefusalCase(
            name: "model not a string",
            body: #"{"model":5,"input":{"messages":[]}}"#,
            message: "'model' must be a string",
            field: "model"
        ),
        RefusalCase(
            name: "input missing",
            body: #"{"model":"m","parameters":{}}"#,
            code: .emptyInput,
            message: "Required input parameter missing from request.",
            field: "input"
        ),
        RefusalCase(
            name: "input not an object",
            body: #"{"model":"m","input":"hi"}"#,
            message: "'input' is a string",
            field: "input"
        ),
        RefusalCase(
            name: "messages missing",
            body: #"{"model":"m","input":{}}"#,
            message: #"Either "prompt" or "messages" must exist and cannot both be none"#,
            field: "input.messages"
        ),
        RefusalCase(
            name: "messages empty",
            body: native(messages: "[]"),
            message: "[] is too short",
            field: "input.messages"
        ),
        RefusalCase(
            name: "messages not a list",
            body: native(messages: #""hi""#),
            message: "'input.messages' is a string",
            field: "input.messages"
        ),
        RefusalCase(
            name: "message not an object",
            body: native(messages: #"["hi"]"#),
            message: "'input.messages[0]' is a string",
            field: "input.messages[0]"
        ),
        RefusalCase(
            name: "role missing",
            body: native(messages: #"[{"content":"hi"}]"#),
            message: "'input.messages[0].role' is missing",
            field: "input.messages[0].role"
        ),
        RefusalCase(
            name: "role unknown",
            body: native(messages: #"[{"role":"tool","content":"hi"}]"#),
            message: #"'input.messages[0].role' is "tool""#,
            field: "input.messages[0].role"
        ),
        RefusalCase(
            name: "content missing",
            body: native(messages: #"[{"role":"user"}]"#),
            message: "The content field is a required field.",
            field: "input.messages[0].content"
        ),
        RefusalCase(
            name: "content empty list",
            body: native(messages: userContent("[]")),
            message: "'input.messages[0].content' is an empty list",
            field: "input.messages[0].content"
        ),
        RefusalCase(
            name: "content a number",
            body: native(messages: userContent("5")),
            message: "'input.messages[0].content' is an integer",
            field: "input.messages[0].content"
        ),
        RefusalCase(
            name: "unknown content key",
            body: native(messages: userContent(#"[{"sound":"x"}]"#)),
            message: modal,
            field: part0
        ),
        RefusalCase(
            name: "two keys in one part",
            body: native(messages: userContent(#"[{"text":"a","audio":"b"}]"#)),
            message: modal,
            field: part0
        ),
        RefusalCase(
            name: "image part",
            body: native(messages: userContent(#"[{"image":"https://x/a.png"}]"#)),
            message: "'\(part0).image': Qwen-Audio models do not accept image input",
            field: "\(part0).image"
        ),
        RefusalCase(
            name: "video part",
            body: native(messages: userContent(#"[{"video":"https://x/a.mp4"}]"#)),
            message: "'\(part0).video': Qwen-Audio models do not accept video input",
            field: "\(part0).video"
        ),
        RefusalCase(
            name: "text part not a string",
            body: native(messages: userContent(#"[{"text":1}]"#)),
            message: "'\(part0).text' is an integer",
            field: "\(part0).text"
        ),
        RefusalCase(
            name: "no user message",
            body: native(messages: #"[{"role":"system","content":"be brief"}]"#),
            message: "The input messages do not contain elements with the role of user.",
            field: "input.messages"
        ),
        RefusalCase(
            name: "last message not from the user",
            body: native(messages: #"[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]"#),
            message: "The last message must have the role of user",
            field: "input.messages[1].role"
        ),
        RefusalCase(
            name: "system message not first",
            body: native(
                messages:
                    #"[{"role":"user","content":"a"},{"role":"system","content":"b"},{"role":"user","content":"c"}]"#
            ),
            message: #"'input.messages[1].role' is "system" but a system message may only be the first"#,
            field: "input.messages[1].role"
        ),
        RefusalCase(
            name: "TTS field input.text",
            body: #"{"model":"m","input":{"text":"hi","messages":[]}}"#,
            message: "'input.text' is a speech-synthesis field",
            field: "input.text"
        ),
        RefusalCase(
            name: "input.prompt",
            body: #"{"model":"m","input":{"prompt":"hi"}}"#,
            message: "'input.prompt' is not supported",
            field: "input.prompt"
        ),
        RefusalCase(
            name: "parameters not an object",
            body: native(#""fast""#),
            message: "'parameters' is a string",
            field: "parameters"
        ),
        RefusalCase(
            name: "temperature 2.0",
            body: native(#"{"temperature":2.0}"#),
            message: "Temperature should be in [0.0, 2.0)",
            field: "parameters.temperature"
        ),
        RefusalCase(
            name: "temperature negative",
            body: native(#"{"temperature":-0.1}"#),
            message: "Temperature should be in [0.0, 2.0)",
            field: "parameters.temperature"
        ),
        RefusalCase(
            name: "temperature a string",
            body: native(#"{"temperature":"hot"}"#),
            message: "'temperature' must be Float",
            field: "parameters.temperature"
        ),
        RefusalCase(
            name: "top_p 0",
            body: native(#"{"top_p":0}"#),
            message: "Range of top_p should be (0.0, 1.0]",
            field: "parameters.top_p"
        ),
        RefusalCase(
            name: "top_p 1.5",
            body: native(#"{"top_p":1.5}"#),
            message: "Range of top_p should be (0.0, 1.0]",
            field: "parameters.top_p"
        ),
        RefusalCase(
            name: "top_k -1",
            body: native(#"{"top_k":-1}"#),
            message: "Parameter top_k be greater than or equal to 0",
            field: "parameters.top_k"
        ),
        RefusalCase(
            name: "top_k fractional",
            body: native(#"{"top_k":1.5}"#),
            message: "'top_k' must be Integer",
            field: "parameters.top_k"
        ),
        RefusalCase(
            name: "repetition_penalty 0",
            body: native(#"{"repetition_penalty":0}"#),
            message: "Repetition_penalty should be greater than 0.0",
            field: "parameters.repetition_penalty"
        ),
        RefusalCase(
            name: "presence_penalty 2.5",
            body: native(#"{"presence_penalty":2.5}"#),
            message: "Presence_penalty should be in [-2.0, 2.0]",
            field: "parameters.presence_penalty"
        ),
        RefusalCase(
            name: "max_tokens 0",
            body: native(#"{"max_tokens":0}"#),
            message: "Range of max_tokens should be [1, 2048]",
            field: "parameters.max_tokens"
        ),
        RefusalCase(
            name: "max_tokens above qwen2-audio-instruct's 1500",
            body: native(#"{"max_tokens":1501}"#, model: "qwen2-audio-instruct"),
            message: "Range of max_tokens should be [1, 1500]",
            field: "parameters.max_tokens"
        ),
        RefusalCase(
            name: "max_tokens a string",
            body: native(#"{"max_tokens":"10"}"#),
            message: "'max_tokens' must be Integer",
            field: "parameters.max_tokens"
        ),
        RefusalCase(
            name: "seed -1",
            body: native(#"{"seed":-1}"#),
            message: "Range of seed should be [0, 9223372036854775807]",
            field: "parameters.seed"
        ),
        RefusalCase(
            name: "seed above Int64",
            body: native(#"{"seed":18446744073709551616}"#),
            message: "Range of seed should be [0, 9223372036854775807]",
            field: "parameters.seed"
        ),
        RefusalCase(
            name: "stop of mixed types",
            body: native(#"{"stop":["a",1]}"#),
            message: stopMessage,
            field: "parameters.stop"
        ),
        RefusalCase(
            name: "stop an object",
            body: native(#"{"stop":{"a":1}}"#),
            message: stopMessage,
            field: "parameters.stop"
        ),
        RefusalCase(
            name: "n 5",
            body: native(#"{"n":5}"#),
            message: "Range of n should be [1, 4]",
            field: "parameters.n"
        ),
        RefusalCase(
            name: "n 2",
            body: native(#"{"n":2}"#),
            message: "'parameters.n' is 2 but Qwen-Audio models return one choice",
            field: "parameters.n"
        ),
        RefusalCase(
            name: "tools",
            body: native(#"{"tools":[{"type":"function"}]}"#),
            message: "The tool call is not supported.",
            field: "parameters.tools"
        ),
        RefusalCase(
            name: "enable_thinking true",
            body: native(#"{"enable_thinking":true}"#),
            message: "'parameters.enable_thinking' is not supported",
            field: "parameters.enable_thinking"
        ),
        RefusalCase(
            name: "result_format unknown",
            body: native(#"{"result_format":"json"}"#),
            message: #"'parameters.result_format' is "json"; expected "message" or "text"."#,
            field: "parameters.result_format"
        ),
        RefusalCase(
            name: "incremental_output not a bool",
            body: native(#"{"incremental_output":"yes"}"#),
            message: "'incremental_output' must be Boolean",
            field: "parameters.incremental_output"
        ),
        RefusalCase(
            name: "ftp audio URL",
            body: native(messages: userContent(#"[{"audio":"ftp://host/a.wav"}]"#)),
            message: invalidURL,
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "bare file name as audio",
            body: native(messages: userContent(#"[{"audio":"welcome.mp3"}]"#)),
            message: invalidURL,
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "http URL without a host",
            body: native(messages: userContent(#"[{"audio":"http://"}]"#)),
            message: invalidURL,
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "oss:// without the resolve header",
            body: native(messages: userContent(#"[{"audio":"oss://dashscope-instant/x/a.wav"}]"#)),
            message: invalidURL,
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "data URI with bad base64",
            body: native(messages: userContent(#"[{"audio":"data:audio/wav;base64,@@@@"}]"#)),
            message: "'\(part0).audio' holds invalid base64",
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "data URI that is not base64",
            body: native(messages: userContent(#"[{"audio":"data:audio/wav,RIFF"}]"#)),
            message: "'\(part0).audio' is a data: URI that is not base64",
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "data URI without bytes",
            body: native(messages: userContent(#"[{"audio":"data:;base64,"}]"#)),
            message: "The audio is empty",
            field: "\(part0).audio"
        ),
        RefusalCase(
            name: "X-DashScope-Async",
            body: native(),
            headers: ["X-DashScope-Async": "enable"],
            status: 403,
            code: .accessDenied,
            message: "Current user api does not support asynchronous calls.",
            field: nil
        ),
    ]
}
