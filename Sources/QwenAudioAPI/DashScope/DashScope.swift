/// The DashScope native protocol (spec §1–9): paths, headers, wire types and the request parser.
///
/// ```swift
/// let request = try DashScope.parseRequest(body, headers: headers)   // ChatRequest, or APIError
/// let frame = DashScope.resultEvent(id: 1, response)                 // id:1\nevent:result\n...
/// ```
public enum DashScope {
    /// The generation path the SDK builds from `<base>/api/v1` (spec §1).
    public static let generationPath = "/api/v1/services/aigc/multimodal-generation/generation"
    /// The getPolicy path (`?action=getPolicy&model=<model>`).
    public static let uploadsPath = "/api/v1/uploads"
    /// Where this server receives the multipart upload (our choice, spec §7.1).
    public static let uploadHostPath = "/api/v1/uploads/oss"

    /// Request header names the protocol gives meaning to (spec §3). Look them up case-insensitively.
    public enum Header {
        /// `enable` asks for an SSE answer.
        public static let sse = "X-DashScope-SSE"
        /// `enable` asks for an async task: refused (403) by this synchronous API.
        public static let async = "X-DashScope-Async"
        /// `enable` allows `oss://` audio references.
        public static let ossResourceResolve = "X-DashScope-OssResourceResolve"
        /// `enable` asks for content inspection; not applicable to Qwen-Audio, ignored.
        public static let dataInspection = "X-DashScope-DataInspection"
        /// The workspace id; ignored by a self-hosted server.
        public static let workspace = "X-DashScope-WorkSpace"
    }

    /// The `Content-Type` of a native SSE answer (spec §6.1).
    public static let eventStreamContentType = "text/event-stream;charset=UTF-8"

    /// Whether the request asks for SSE: `X-DashScope-SSE: enable` or an `Accept` containing
    /// `text/event-stream` (spec §3). Header names are matched case-insensitively.
    public static func wantsStream(headers: [String: String]) -> Bool {
        if header(Header.sse, in: headers)?.lowercased() == "enable" { return true }
        return header("Accept", in: headers)?.lowercased().contains("text/event-stream") ?? false
    }

    /// The value of header `name`, matched case-insensitively.
    public static func header(_ name: String, in headers: [String: String]) -> String? {
        if let value = headers[name] { return value }
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }

    /// Checks a getPolicy query (spec §7.1): `action` must be `getPolicy` and `model` present.
    /// - Throws: ``APIError`` 400 `InvalidParameter` naming the query parameter.
    public static func checkUploadPolicyQuery(action: String?, model: String?) throws(APIError) {
        guard action == "getPolicy" else {
            throw .invalidParameter(
                "Query parameter 'action' is \(action.map { quoted($0) } ?? "missing"); expected action=getPolicy.",
                field: "action"
            )
        }
        guard let model, !model.isEmpty else {
            throw .invalidParameter(
                "Query parameter 'model' is missing; expected model=<the model the file will be used with>.",
                field: "model"
            )
        }
    }
}
