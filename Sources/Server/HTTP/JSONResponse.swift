import Foundation
import HTTPTypes
import Hummingbird

/// JSON responses with an explicit status: camelCase fields, ISO 8601 dates.
public enum JSONResponse {
    public static func make<T: Encodable>(_ status: HTTPResponse.Status = .ok, _ value: T, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
