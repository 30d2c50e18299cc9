import Foundation
import QwenAudioIO

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads the audio a command-line user names: a file, an http(s) URL, or standard input, within a size limit.
enum AudioInput {
    static func read(_ source: String, limit: Int) async throws(AudioError) -> Data {
        if source == "-" {
            let data = FileHandle.standardInput.readData(ofLength: limit + 1)
            if data.count > limit { throw .tooLarge(sizeBytes: data.count, limitBytes: limit) }
            return data
        }
        if let url = URL(string: source), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" {
            return try await download(url, limit: limit)
        }
        let path = source.hasPrefix("file://") ? (URL(string: source)?.path ?? source) : source
        return try AudioDecoder.readFile(path, limit: limit)
    }

    private static func download(_ url: URL, limit: Int) async throws(AudioError) -> Data {
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw .unreadableFile(path: url.absoluteString, reason: error.localizedDescription)
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw .unreadableFile(path: url.absoluteString, reason: "the server answered HTTP \(http.statusCode)")
        }
        if data.count > limit { throw .tooLarge(sizeBytes: data.count, limitBytes: limit) }
        return data
    }
}
