public import Foundation

extension DashScope {
    /// The native error body (spec §8.1): `{"code":…,"message":…,"request_id":…}`, sent with any non-200
    /// status and as the data of an `event:error` frame.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var requestID: String

        public init(code: String, message: String, requestID: String) {
            self.code = code
            self.message = message
            self.requestID = requestID
        }

        /// The body for `error`.
        public init(_ error: APIError, requestID: String) {
            self.init(code: error.code.rawValue, message: error.message, requestID: requestID)
        }

        /// Reads bodies as the SDK does: `msg` wins over `message`, a missing `request_id` is `""`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            code = try container.decodeIfPresent(String.self, forKey: .code) ?? ""
            message =
                try container.decodeIfPresent(String.self, forKey: .msg)
                ?? container.decodeIfPresent(String.self, forKey: .message) ?? ""
            requestID = try container.decodeIfPresent(String.self, forKey: .requestID) ?? ""
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(requestID, forKey: .requestID)
        }

        enum CodingKeys: String, CodingKey {
            case code, message, msg
            case requestID = "request_id"
        }
    }
}

extension APIError {
    /// The native error body, compact JSON: `{"code":"InvalidApiKey","message":"…","request_id":"…"}`.
    public func dashScopeBody(requestID: String) -> Data {
        WireJSON.data(DashScope.ErrorBody(self, requestID: requestID))
    }
}
