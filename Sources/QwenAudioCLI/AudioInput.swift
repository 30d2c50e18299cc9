import Foundation
import QwenAudioIO
import QwenAudioServer

/// Reads the audio a command-line user names: a file, an http(s) URL, or standard input, within a size limit.
enum AudioInput {
    static func read(_ source: String, limit: Int) async throws -> Data {
        if source == "-" {
            let data = FileHandle.standardInput.readData(ofLength: limit + 1)
            if data.count > limit { throw AudioError.tooLarge(sizeBytes: data.count, limitBytes: limit) }
            return data
        }
        if let url = URL(string: source), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" {
            // The person at the terminal is the operator: their own network is theirs to read.
            return try await AudioFetcher(policy: .init(maxBytes: limit, allowPrivateAddresses: true)).fetch(url)
        }
        let path = source.hasPrefix("file://") ? (URL(string: source)?.path ?? source) : source
        return try AudioDecoder.readFile(path, limit: limit)
    }
}
