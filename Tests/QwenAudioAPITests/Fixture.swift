import Foundation
import Testing

@testable import QwenAudioAPI

/// The spec examples in `Fixtures/` (see its README for provenance).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    /// The fixture with the whitespace between JSON tokens removed, keys left in document order: what the
    /// compact renderers must produce for a pretty-printed example.
    static func minified(_ name: String) throws -> String {
        minify(try text(name))
    }

    /// Decodes a fixture with Foundation's decoder.
    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(type, from: try data(name))
    }
}

/// Removes JSON whitespace outside strings.
func minify(_ json: String) -> String {
    var out = String.UnicodeScalarView()
    var inString = false
    var escaped = false
    for scalar in json.unicodeScalars {
        if inString {
            out.append(scalar)
            if escaped {
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                inString = false
            }
        } else if scalar == "\"" {
            inString = true
            out.append(scalar)
        } else if !(scalar == " " || scalar == "\n" || scalar == "\r" || scalar == "\t") {
            out.append(scalar)
        }
    }
    return String(out)
}

/// Semantic JSON equality (key order ignored).
func sameJSON(_ a: Data, _ b: Data) throws -> Bool {
    try JSONValue.parse(a) == JSONValue.parse(b)
}

/// Runs `body` and returns the `APIError` it throws, or records an issue when it does not throw.
func apiError(
    _ body: () throws(APIError) -> ChatRequest,
    sourceLocation: SourceLocation = #_sourceLocation
)
    -> APIError?
{
    do {
        let request = try body()
        Issue.record("expected an APIError, parsed \(request)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

extension String {
    var utf8Data: Data { Data(utf8) }
}
