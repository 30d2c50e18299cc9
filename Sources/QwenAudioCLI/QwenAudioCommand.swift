import ArgumentParser

@main
struct QwenAudioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qwen-audio",
        abstract: "Qwen-Audio, self-hosted: audio and text in, text out.",
        subcommands: [Serve.self, Chat.self, Probe.self, Bench.self]
    )
}
