public import Foundation

extension OpenAI {
    /// The compatible-mode error body (spec §10.4):
    /// `{"error":{"message":…,"type":…,"param":…,"code":…},"id":…,"request_id":…}`;
    /// `id` and `request_id` are left out when `nil`. The OpenAI SDK reads `error.code`, `error.param`, `error.type`.
    public struct ErrorResponse: Codable, Sendable, Equatable {
        public var error: ErrorDetail
        /// `chatcmpl-…` when the error belongs to a completion.
        public var id: String?
        public var requestID: String?

        public init(error: ErrorDetail, id: String? = nil, requestID: String? = nil) {
            self.error = error
            self.id = id
            self.requestID = requestID
        }

        /// The body for `error`.
        public init(_ error: APIError, requestID: String? = nil, completionID: String? = nil) {
            self.init(
                error: ErrorDetail(
                    message: error.openAIMessage ?? error.message,
                    type: error.openAIType,
                    param: error.field,
                    code: error.openAICode
                ),
                id: completionID,
                requestID: requestID
            )
        }

        enum CodingKeys: String, CodingKey {
            case error, id
            case requestID = "request_id"
        }
    }

    /// `error`: `message`, `type`, `param` and `code`, `null` when absent.
    public struct ErrorDetail: Codable, Sendable, Equatable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?

        public init(message: String, type: String, param: String? = nil, code: String? = nil) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }

        enum CodingKeys: String, CodingKey { case message, type, param, code }
    }
}

extension APIError {
    /// OpenAI's `error.type`: `invalid_request_error` for client faults (400–404, as the hosted 400 and 401
    /// bodies of spec §10.4 show); for moderation, rate limits and server faults the hosted compatible mode
    /// repeats the code (`data_inspection_failed`, `limit_requests`, `internal_error`, our reading).
    public var openAIType: String {
        switch status {
        case 400..<429 where code != .dataInspectionFailed: "invalid_request_error"
        default: openAICode
        }
    }

    /// OpenAI's `error.code`: the compatible-mode spelling of ``code`` ([D-ERR]: `invalid_api_key`,
    /// `model_not_found`, `data_inspection_failed`, `limit_requests`, `insufficient_quota`, `internal_error`;
    /// every 400 parameter fault is `invalid_parameter_error`, spec §10.4).
    public var openAICode: String {
        switch code {
        case .invalidApiKey: "invalid_api_key"
        case .modelNotFound: "model_not_found"
        case .dataInspectionFailed: "data_inspection_failed"
        case .accessDenied: "access_denied"
        case .notFound: "not_found"
        case .throttling, .throttlingRateQuota: "limit_requests"
        case .throttlingAllocationQuota: "insufficient_quota"
        case .internalError, .internalErrorAlgo: "internal_error"
        case .modelServingError: "model_serving_error"
        case .modelUnavailable: "model_unavailable"
        case .requestTimeOut: "request_timeout"
        default: status == 400 ? "invalid_parameter_error" : "internal_error"
        }
    }

    /// The OpenAI-compatible error body, compact JSON (spec §10.4):
    /// `{"error":{"message":…,"type":…,"param":…,"code":…},"id":…,"request_id":…}`.
    /// - Parameters:
    ///   - requestID: sent as `request_id` (and by the server as `x-request-id`), omitted when `nil`.
    ///   - completionID: `chatcmpl-…`, sent as `id` when given.
    public func openAIBody(requestID: String? = nil, completionID: String? = nil) -> Data {
        WireJSON.data(OpenAI.ErrorResponse(self, requestID: requestID, completionID: completionID))
    }
}
