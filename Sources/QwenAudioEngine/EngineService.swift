import Foundation
public import QwenAudioModels

/// What a generation reports while it runs.
public enum GenerationEvent: Sendable {
    /// The prompt is ready (audio encoded, template rendered); generation is about to start.
    case started(promptTokens: Int, audioTokens: Int)
    /// New text, never half a character and never part of a stop string, and the tokens generated so far.
    case delta(String, tokens: Int)
    /// The answer is complete.
    case finished(GenerationOutput)
}

/// Runs generations one at a time on a dedicated thread, so a forward pass (milliseconds to seconds of CPU)
/// never blocks Swift's cooperative pool or the HTTP server's event loops. Requests wait in a bounded queue; a
/// full queue is refused at once rather than left to time out. A consumer that stops listening cancels its
/// generation at the next token.
public final class EngineService: @unchecked Sendable {
    // `queue`, `running` and `depth` are guarded by `lock`; the generator is used only by the worker thread.
    public let generator: Generator
    public let queueLimit: Int
    private let lock = NSCondition()
    private var queue: [Job] = []
    private var running = 0
    private var stopped = false
    private var worker: Thread?

    final class Job: @unchecked Sendable {
        let messages: [ChatMessage]
        let audio: [[Float]]
        let parameters: GenerationParameters
        let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
        // Set from any thread when the consumer goes away; read by the worker between tokens.
        private let flag = NSLock()
        private var isCancelled = false

        init(
            messages: [ChatMessage], audio: [[Float]], parameters: GenerationParameters,
            continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
        ) {
            self.messages = messages
            self.audio = audio
            self.parameters = parameters
            self.continuation = continuation
        }

        var cancelled: Bool {
            flag.lock()
            defer { flag.unlock() }
            return isCancelled
        }

        func cancel() {
            flag.lock()
            isCancelled = true
            flag.unlock()
        }
    }

    public init(generator: Generator, queueLimit: Int = 16) {
        self.generator = generator
        self.queueLimit = queueLimit
        let thread = Thread { [weak self] in self?.work() }
        thread.name = "qwen-audio-engine"
        thread.stackSize = 8 << 20
        worker = thread
        thread.start()
    }

    /// Requests waiting and running now.
    public var load: (queued: Int, running: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (queue.count, running)
    }

    /// Queues a generation. Throws ``EngineError/busy(queued:)`` when the queue is full.
    public func submit(_ messages: [ChatMessage], audio: [[Float]], parameters: GenerationParameters) throws(EngineError)
        -> AsyncThrowingStream<GenerationEvent, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let job = Job(messages: messages, audio: audio, parameters: parameters, continuation: continuation)
        continuation.onTermination = { [weak job] termination in
            if case .cancelled = termination { job?.cancel() }
        }
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw .shuttingDown }
        guard queue.count < queueLimit else { throw .busy(queued: queue.count) }
        queue.append(job)
        lock.signal()
        return stream
    }

    /// Lets queued and running work finish, then ends the worker thread.
    public func shutdown() {
        lock.lock()
        stopped = true
        lock.broadcast()
        lock.unlock()
    }

    private func work() {
        while true {
            lock.lock()
            while queue.isEmpty && !stopped { lock.wait() }
            if queue.isEmpty && stopped {
                lock.unlock()
                return
            }
            let job = queue.removeFirst()
            running += 1
            lock.unlock()
            run(job)
            lock.lock()
            running -= 1
            lock.unlock()
        }
    }

    private func run(_ job: Job) {
        if job.cancelled {
            job.continuation.finish(throwing: EngineError.cancelled)
            return
        }
        do {
            let prompt = try generator.prepare(job.messages, audio: job.audio)
            job.continuation.yield(.started(promptTokens: prompt.textTokenCount, audioTokens: prompt.billedAudioTokens))
            let output = try generator.generate(prompt, parameters: job.parameters) { piece, tokens in
                if job.cancelled { return false }
                job.continuation.yield(.delta(piece, tokens: tokens))
                return true
            }
            job.continuation.yield(.finished(output))
            job.continuation.finish()
        } catch {
            job.continuation.finish(throwing: error)
        }
    }
}
