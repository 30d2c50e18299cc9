import ArgumentParser
import Foundation
import Hummingbird
import Logging
import QwenAudioEngine
import QwenAudioModels
import QwenAudioServer
import QwenAudioTokenizer

/// `qwen-audio serve`: the Qwen-Audio service — DashScope native and OpenAI-compatible APIs on one port.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a model over the DashScope and OpenAI-compatible HTTP APIs.",
        discussion: """
            Point the dashscope SDK at http://HOST:PORT/api/v1 and the openai SDK at \
            http://HOST:PORT/compatible-mode/v1 (or /v1). Settings can also come from QWEN_AUDIO_API_KEYS \
            (comma-separated) and QWEN_AUDIO_MODEL.
            """
    )

    @Option(help: "A model directory (Qwen2-Audio in the Hugging Face layout); default $QWEN_AUDIO_MODEL.")
    var model: String?

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8000

    @Option(name: .customLong("api-key"), help: "An accepted API key (repeatable); none means no key is required.")
    var apiKeys: [String] = []

    @Option(name: .customLong("model-name"), help: "A model name clients may send (repeatable); the directory's name and the DashScope names are always accepted.")
    var modelNames: [String] = []

    @Flag(name: .customLong("allow-private-urls"), help: "Let requests name audio URLs on loopback and private networks.")
    var allowPrivateURLs = false

    @Option(help: "Serve file:// audio from this directory (refused otherwise).")
    var allowLocalDir: String?

    @Option(help: "Requests that may wait for the engine before new ones get 503.")
    var queueLimit = 16

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = model ?? environment["QWEN_AUDIO_MODEL"] else {
            throw ValidationError("give --model DIR (or set QWEN_AUDIO_MODEL)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = label.hasPrefix("qwen-audio.ffmpeg") ? .warning : .info
            return handler
        }
        let logger = Logger(label: "qwen-audio.server")
        guard FileManager.default.fileExists(atPath: directory + "/config.json") else {
            throw ValidationError("\(directory)/config.json does not exist: --model must be a Hugging Face model directory")
        }
        // Listen at once and load in the background: /health answers `loading` (503) until the model is ready.
        let slot = EngineSlot()
        let queueLimit = self.queueLimit
        Thread.detachNewThread {
            do {
                let (generator, _) = try Chat.load(directory)
                slot.set(EngineService(generator: generator, queueLimit: queueLimit))
                logger.info("model ready")
            } catch {
                logger.critical("cannot load \(directory): \(error)")
                Foundation.exit(1)
            }
        }
        let keys = Set(apiKeys + (environment["QWEN_AUDIO_API_KEYS"]?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? []))
            .filter { !$0.isEmpty }
        let directoryName = URL(fileURLWithPath: directory).lastPathComponent
        // The names DashScope clients send for this model family, so their code runs unchanged.
        let names = modelNames + [directoryName, "qwen2-audio-instruct", "qwen-audio-turbo", "qwen-audio-turbo-latest", "qwen-audio-chat"]
        let configuration = ServerConfiguration(
            host: host, port: port, apiKeys: keys, modelNames: names.reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
            allowPrivateURLs: allowPrivateURLs, allowedLocalDirectory: allowLocalDir)
        let app = buildApplication(configuration: configuration, engine: slot, logger: logger)
        logger.info("serving \(directory) on http://\(host):\(port) (models: \(configuration.modelNames.joined(separator: ", ")))")
        try await app.runService()
        slot.engine?.shutdown()
    }
}
