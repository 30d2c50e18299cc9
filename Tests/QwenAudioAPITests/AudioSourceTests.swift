import Foundation
import Testing

@testable import QwenAudioAPI

@Suite("Audio references")
struct AudioSourceTests {
    func parse(_ value: String, bareBase64: Bool = false) throws(APIError) -> AudioSource {
        try AudioSource.parse(value, field: "audio", bareBase64: bareBase64)
    }

    @Test(
        "data URIs: empty media type, audio types, parameters, line-wrapped and unpadded base64",
        arguments: [
            ("data:;base64,UklGRg==", "RIFF", nil),
            ("data:audio/wav;base64,UklGRg==", "RIFF", "wav"),
            ("data:audio/x-wav;base64,UklGRg==", "RIFF", "wav"),
            ("data:audio/mpeg;base64,SUQz", "ID3", "mp3"),
            ("data:audio/ogg;codecs=opus;base64,T2dnUw==", "OggS", "ogg"),
            ("data:application/octet-stream;base64,UklGRg", "RIFF", nil),
            ("DATA:audio/flac;BASE64,ZkxhQw==", "fLaC", "flac"),
            ("data:audio/wav;base64,UklG\nRg==", "RIFF", "wav"),
        ] as [(String, String, String?)]
    )
    func dataURIs(_ uri: String, _ bytes: String, _ format: String?) throws {
        #expect(try parse(uri) == .data(Data(bytes.utf8), format: format))
    }

    @Test("URL schemes: http, https, oss, file; anything else is refused")
    func schemes() throws {
        #expect(try parse("https://example.com/a%20b.wav") == .url(URL(string: "https://example.com/a%20b.wav")!))
        #expect(try parse("HTTP://example.com/a.wav") == .url(URL(string: "HTTP://example.com/a.wav")!))
        #expect(try parse("oss://dir/a.wav") == .ossKey("dir/a.wav"))
        #expect(try parse("file:///tmp/a.wav") == .file(path: "/tmp/a.wav"))
        for bad in ["ftp://host/a.wav", "/tmp/a.wav", "s3://bucket/a.wav", "https://", "oss://", "file://", ""] {
            #expect(throws: APIError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test("bare base64 only where allowed (OpenAI input_audio.data)")
    func bareBase64() throws {
        #expect(try parse("UklGRg==", bareBase64: true) == .data(Data("RIFF".utf8), format: nil))
        #expect(throws: APIError.self) { try parse("UklGRg==") }
        #expect(throws: APIError.self) { try parse("U", bareBase64: true) }
    }

    @Test("the string form of each source parses back to it")
    func reference() throws {
        let sources: [AudioSource] = [
            .url(URL(string: "https://example.com/a.wav")!), .ossKey("d/欢迎.wav"), .file(path: "/srv/a b%.wav"),
            .data(Data([1, 2, 3, 4]), format: "wav"), .data(Data([9]), format: nil),
        ]
        for source in sources {
            #expect(try parse(source.reference) == source, "\(source.reference)")
        }
        #expect(AudioSource.data(Data([1, 2, 3]), format: "mp3").reference == "data:audio/mp3;base64,AQID")
    }
}
