import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads request bodies within a byte limit and parses them as JSON.
public enum RequestBody {
    /// Collects at most `limit` bytes: a larger declared or streamed body is a 413 problem.
    public static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ProblemError.bodyTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ProblemError.bodyTooLarge(limit: limit)
        }
    }

    /// A JSON object body; anything else (no JSON, another media type, an array) is a 4xx problem.
    public static func jsonObject(_ request: Request, limit: Int) async throws -> [String: JSONValue] {
        if let type = request.headers[.contentType], !isJSON(type) {
            throw ProblemError.unsupportedMediaType(type)
        }
        let buffer = try await collect(request, limit: limit)
        guard buffer.readableBytes > 0 else { throw ProblemError.malformedBody("the body is empty; send a JSON object") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw ProblemError.malformedBody("the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw ProblemError.malformedBody("the body must be a JSON object, not \(value.typeDescription)")
        }
        return object
    }

    static func isJSON(_ contentType: String) -> Bool {
        // The usual values without Foundation's trimming (it bridges to NSString: ~1.5% of
        // a runtime check's CPU).
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return true }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }
}
