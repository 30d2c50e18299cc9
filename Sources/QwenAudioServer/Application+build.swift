public import Foundation
public import Hummingbird
public import Logging
import NIOCore
import QwenAudioAPI
public import QwenAudioEngine
import QwenAudioIO
import QwenAudioModels

/// What an operator sets when starting the server.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Accepted API keys; empty means no key is required.
    public var apiKeys: Set<String>
    /// Names clients may send as `model`; the first is reported by `/v1/models`.
    public var modelNames: [String]
    /// Lets requests name URLs on loopback and private networks (for tests, or a trusted network).
    public var allowPrivateURLs: Bool
    /// `file://` paths are read only below this directory; `nil` refuses them.
    public var allowedLocalDirectory: String?
    /// Largest request body.
    public var maxBodyBytes: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8000, apiKeys: Set<String> = [], modelNames: [String],
        allowPrivateURLs: Bool = false, allowedLocalDirectory: String? = nil, maxBodyBytes: Int = 16 << 20
    ) {
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.modelNames = modelNames
        self.allowPrivateURLs = allowPrivateURLs
        self.allowedLocalDirectory = allowedLocalDirectory
        self.maxBodyBytes = maxBodyBytes
    }
}

/// The engine once the model has loaded. The server listens from the start, so `/health` can say `loading`
/// (503) while a large model is read, and generation requests are told to retry instead of hanging.
public final class EngineSlot: @unchecked Sendable {
    // Written once by the loader, read by every request; guarded by `lock`.
    private let lock = NSLock()
    private var loaded: EngineService?

    public init(_ engine: EngineService? = nil) { loaded = engine }

    public var engine: EngineService? {
        lock.lock()
        defer { lock.unlock() }
        return loaded
    }

    public func set(_ engine: EngineService) {
        lock.lock()
        loaded = engine
        lock.unlock()
    }
}

/// Builds the HTTP application: DashScope native and OpenAI-compatible routes over one engine.
public func buildApplication(configuration: ServerConfiguration, engine: EngineSlot, logger: Logger)
    -> some ApplicationProtocol
{
    let handlers = Handlers(configuration: configuration, slot: engine, logger: logger)
    let router = Router()
    router.get("/health") { _, _ in
        let ready = engine.engine != nil
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: ready ? #"{"status":"ok"}"# : #"{"status":"loading"}"#)))
    }
    router.post(RouterPath(DashScope.generationPath)) { request, _ in await handlers.dashScope(request) }
    for path in OpenAI.chatCompletionsPaths {
        router.post(RouterPath(path)) { request, _ in await handlers.openAI(request) }
    }
    for path in OpenAI.modelsPaths {
        router.get(RouterPath(path)) { request, _ in handlers.models(request) }
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "qwen-audio"),
        logger: logger
    )
}
