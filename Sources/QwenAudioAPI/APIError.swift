/// A request the API refuses, with everything both protocols need to report it.
///
/// `status` and `code` follow the DashScope error table (spec §8.2–8.3); ``openAIBody(requestID:completionID:)``
/// maps them to the OpenAI-compatible shape (§10.4). Messages start with the documented wording and, where that
/// wording does not already say it, go on to name the field at fault and what it must be:
///
/// ```
/// 400 InvalidParameter  Temperature should be in [0.0, 2.0) - 'parameters.temperature' is 2.5
/// ```
///
/// The server turns every error into HTTP in one place; this type only carries and renders it.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status (400, 401, 403, 404, 429, 500, 503).
    public var status: Int
    /// The DashScope error code (`InvalidParameter`, `InvalidApiKey`, ...).
    public var code: Code
    /// The human-readable message, sent verbatim as `message`.
    public var message: String
    /// The body field at fault in the protocol's own spelling (`parameters.temperature`,
    /// `messages[0].content[1].input_audio.data`), when there is one; sent as OpenAI's `param`. Header faults
    /// (API key, `X-DashScope-Async`) have none, as in the hosted bodies.
    public var field: String?
    /// The wording of the hosted OpenAI-compatible mode when it differs from the native one
    /// (`"Incorrect API key provided. "` for a bad key); `nil` reuses ``message``.
    public var openAIMessage: String?

    /// Creates an error; prefer the named factories (``invalidParameter(_:field:)``, ``noAPIKey``, ...).
    public init(status: Int, code: Code, message: String, field: String? = nil, openAIMessage: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.openAIMessage = openAIMessage
    }

    public var description: String { "\(status) \(code.rawValue): \(message)" }
}

extension APIError {
    /// A DashScope error code (spec §8.2). Extensible: any string is a code, the constants are the ones
    /// this service sends.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }

        public static let invalidParameter: Code = "InvalidParameter"
        public static let dataInspection: Code = "InvalidParameter.DataInspection"
        public static let dataInspectionFailed: Code = "DataInspectionFailed"
        public static let emptyInput: Code = "BadRequest.EmptyInput"
        public static let emptyParameters: Code = "BadRequest.EmptyParameters"
        public static let emptyModel: Code = "BadRequest.EmptyModel"
        public static let illegalInput: Code = "BadRequest.IllegalInput"
        public static let tooLarge: Code = "BadRequest.TooLarge"
        public static let inputDownloadFailed: Code = "BadRequest.InputDownloadFailed"
        public static let unsupportedFileFormat: Code = "BadRequest.UnsupportedFileFormat"
        public static let invalidURL: Code = "InvalidURL"
        public static let invalidApiKey: Code = "InvalidApiKey"
        public static let accessDenied: Code = "AccessDenied"
        public static let modelNotFound: Code = "ModelNotFound"
        public static let notFound: Code = "NotFound"
        public static let requestTimeOut: Code = "RequestTimeOut"
        public static let throttling: Code = "Throttling"
        public static let throttlingRateQuota: Code = "Throttling.RateQuota"
        public static let throttlingAllocationQuota: Code = "Throttling.AllocationQuota"
        public static let internalError: Code = "InternalError"
        public static let internalErrorAlgo: Code = "InternalError.Algo"
        public static let modelServingError: Code = "ModelServingError"
        public static let modelUnavailable: Code = "ModelUnavailable"
    }
}

// MARK: - The situations of spec §8.3

/// ` - 'field'`, the hosted jsonschema style of naming a field after a documented message; empty without one.
private func at(_ field: String?) -> String {
    field.map { " - '\($0)'" } ?? ""
}

extension APIError {
    /// 401: no `Authorization: Bearer` header, or an empty key.
    public static let noAPIKey = APIError(
        status: 401,
        code: .invalidApiKey,
        message: "No API-key provided."
    )

    /// 401: a key the server does not know.
    public static let invalidAPIKey = APIError(
        status: 401,
        code: .invalidApiKey,
        message: "Invalid API-key provided.",
        openAIMessage: "Incorrect API key provided. "
    )

    /// 400: the body is not JSON or not a JSON object. `detail` says what was found.
    public static func invalidBody(_ detail: String) -> APIError {
        APIError(
            status: 400,
            code: .invalidParameter,
            message: "Required body invalid, please check the request body format. \(detail)"
        )
    }

    /// 400 `BadRequest.TooLarge`: the body is larger than `limit` bytes.
    public static func tooLarge(limit: Int) -> APIError {
        APIError(
            status: 400,
            code: .tooLarge,
            message: "Payload Too Large. The request body may hold at most \(limit) bytes; "
                + "send large audio as a URL or upload it instead of inlining it."
        )
    }

    /// 400 `BadRequest.EmptyModel`: `model` is absent, null or empty.
    public static let missingModel = APIError(
        status: 400,
        code: .emptyModel,
        message: #"Required parameter "model" missing from request."#,
        field: "model"
    )

    /// 400: a model this server does not serve (native wording, spec §8.3).
    public static func modelNotExist(_ model: String, served: [String] = []) -> APIError {
        let choices = served.isEmpty ? "" : " Served models: \(served.joined(separator: ", "))."
        return APIError(
            status: 400,
            code: .invalidParameter,
            message: "Model not exist. The model \"\(model)\" is not served here.\(choices)",
            field: "model"
        )
    }

    /// 404 `ModelNotFound`: the OpenAI-compatible wording for an unknown model (OpenAI clients expect 404).
    public static func modelNotFound(_ model: String) -> APIError {
        APIError(
            status: 404,
            code: .modelNotFound,
            message: "The model `\(model)` does not exist or you do not have access to it.",
            field: "model"
        )
    }

    /// 400 `BadRequest.EmptyInput`: the native body has no `input` object.
    public static let missingInput = APIError(
        status: 400,
        code: .emptyInput,
        message: "Required input parameter missing from request.",
        field: "input"
    )

    /// 400 `InvalidParameter` with a message that names `field` and what it must be.
    public static func invalidParameter(_ message: String, field: String? = nil) -> APIError {
        APIError(status: 400, code: .invalidParameter, message: message, field: field)
    }

    /// 400: an audio reference that is not a URL this server accepts (scheme other than http, https, oss, file,
    /// data; malformed URL; `oss://` without the resolve header; `file://` outside the allowed directory).
    public static func invalidURL(field: String, _ detail: String) -> APIError {
        invalidParameter(
            "The provided URL does not appear to be valid. Ensure it is correctly formatted. \(detail)",
            field: field
        )
    }

    /// 400: fetching an `http(s)://` or `oss://` audio failed (timeout, refused, private address, unknown key).
    public static func downloadFailed(field: String? = nil, reason: String) -> APIError {
        invalidParameter("Failed to download multimodal content: \(reason)\(at(field))", field: field)
    }

    /// 400: one `data:` URI holds more than `limit` bytes of base64.
    public static func dataURITooLarge(field: String? = nil, limit: Int = 10_485_760) -> APIError {
        invalidParameter("Exceeded limit on max bytes per data-uri item : \(limit)\(at(field))", field: field)
    }

    /// 400: a downloaded or uploaded audio file is above the 10 MB limit.
    public static func fileTooLarge(field: String? = nil, limit: Int = 10_485_760) -> APIError {
        invalidParameter("Multimodal file size is too large\(at(field)); the limit is \(limit) bytes.", field: field)
    }

    /// 400: the audio cannot be opened or decoded.
    public static func audioUnreadable(field: String? = nil) -> APIError {
        invalidParameter(
            "The audio format is illegal and cannot be opened.\(at(field)); send WAV, MP3, AAC, AMR, FLAC, OGG or M4A.",
            field: field
        )
    }

    /// 400: the audio decodes to no samples.
    public static func audioEmpty(field: String? = nil) -> APIError {
        invalidParameter("The audio is empty\(at(field)); send at least a fraction of a second of sound.", field: field)
    }

    /// 400: the prompt is longer than the model's input limit (6,144 or 6,000 tokens, spec §4.4).
    public static func inputTooLong(maxInputTokens: Int) -> APIError {
        invalidParameter("Range of input length should be [1, \(maxInputTokens)]", field: "input.messages")
    }

    /// 403: `X-DashScope-Async: enable` on this synchronous API.
    public static let asyncNotSupported = APIError(
        status: 403,
        code: .accessDenied,
        message: "Current user api does not support asynchronous calls."
    )

    /// 400: a method other than POST on the generation path.
    public static func methodNotSupported(_ method: String) -> APIError {
        invalidParameter("Request method '\(method)' is not supported.")
    }

    /// 404: no such path.
    public static let notFound = APIError(status: 404, code: .notFound, message: "Not found!")

    /// 503: the request queue is full.
    public static let serverBusy = APIError(
        status: 503,
        code: .modelServingError,
        message: "Too many requests. Your requests are being throttled due to system capacity limits. "
            + "Please try again later."
    )

    /// 503: the model is still loading or not serving.
    public static let modelUnavailable = APIError(
        status: 503,
        code: .modelUnavailable,
        message: "Model is unavailable, please try again later."
    )

    /// 500: an engine failure before the first byte of the answer.
    public static let inferenceFailed = APIError(
        status: 500,
        code: .internalErrorAlgo,
        message: "inference internal error."
    )

    /// 500: an engine failure after streaming began (sent as an `event:error` frame, spec §6.5).
    public static let streamFailed = APIError(
        status: 500,
        code: .internalErrorAlgo,
        message: "An internal error has occured during execution, please try again later or contact service support."
    )

    /// 400: `tools` / `tool_choice` for a Qwen-Audio model.
    public static func toolCallUnsupported(field: String) -> APIError {
        invalidParameter(
            "The tool call is not supported. Remove '\(field)': Qwen-Audio models cannot call tools.",
            field: field
        )
    }
}
