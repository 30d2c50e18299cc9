import Foundation
import Testing

@testable import QwenAudioServer

/// A loopback HTTP server (Python's standard library) with the routes the tests need; stopped at deinit.
final class LoopbackAudioServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    static let script = #"""
        import http.server, sys
        body = bytes(range(256)) * 64  # 16 KiB
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_GET(self):
                if self.path == "/audio.bin":
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                elif self.path == "/chunked-big":
                    self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
                    for _ in range(64):
                        self.wfile.write(b"%x\r\n" % len(body) + body + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                elif self.path == "/redirect":
                    self.send_response(302); self.send_header("Location", "/audio.bin"); self.send_header("Content-Length", "0"); self.end_headers()
                elif self.path == "/loop":
                    self.send_response(302); self.send_header("Location", "/loop"); self.send_header("Content-Length", "0"); self.end_headers()
                else:
                    self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        process.standardOutput = output
        // Not the test runner's stderr: a server left behind by a crash must not keep `swift test` waiting on it.
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    deinit { process.terminate() }
}

@Suite("Audio downloads", .serialized)
struct AudioFetcherTests {
    @Test("private, loopback, link-local and metadata addresses are private; public ones are not")
    func addressClasses() {
        for address in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"]
        {
            #expect(AudioFetcher.isPrivate(address), "\(address)")
        }
        for address in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            #expect(!AudioFetcher.isPrivate(address), "\(address)")
        }
    }

    @Test("a URL to a private address is refused before any connection, unless the operator allows it")
    func refusesPrivate() async throws {
        let fetcher = AudioFetcher()
        for url in ["http://127.0.0.1:9/a.wav", "http://localhost/a.wav", "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8000/a.mp3", "http://10.0.0.8/a.mp3"]
        {
            await #expect(throws: AudioFetcher.FetchError.self, "\(url)") { _ = try await fetcher.fetch(URL(string: url)!) }
            do {
                _ = try await fetcher.fetch(URL(string: url)!)
            } catch {
                guard case .privateAddress = error else {
                    Issue.record("\(url): \(error)")
                    continue
                }
            }
        }
        await #expect(throws: AudioFetcher.FetchError.self) { _ = try await fetcher.fetch(URL(string: "ftp://example.com/a.wav")!) }
    }

    @Test("downloads, redirects, size cap, HTTP errors and redirect loops against a loopback server")
    func loopback() async throws {
        let server = try LoopbackAudioServer()
        try #require(server.port > 0)
        let fetcher = AudioFetcher(policy: .init(maxBytes: 100_000, allowPrivateAddresses: true))
        let body = try await fetcher.fetch(server.url("/audio.bin"))
        #expect(body.count == 16_384 && body.first == 0 && body.last == 255)
        #expect(try await fetcher.fetch(server.url("/redirect")) == body)
        await #expect(throws: AudioFetcher.FetchError.tooLarge(url: server.url("/chunked-big").absoluteString, limitBytes: 100_000)) {
            _ = try await fetcher.fetch(server.url("/chunked-big"))
        }
        await #expect(throws: AudioFetcher.FetchError.httpStatus(url: server.url("/missing.wav").absoluteString, status: 404)) {
            _ = try await fetcher.fetch(server.url("/missing.wav"))
        }
        await #expect(throws: AudioFetcher.FetchError.tooManyRedirects(url: server.url("/loop").absoluteString)) {
            _ = try await fetcher.fetch(server.url("/loop"))
        }
        let small = AudioFetcher(policy: .init(maxBytes: 1000, allowPrivateAddresses: true))
        await #expect(throws: AudioFetcher.FetchError.self) { _ = try await small.fetch(server.url("/audio.bin")) }
    }
}
