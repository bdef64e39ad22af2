import Foundation
import HTTPTypes
import Hummingbird
import Identity
import NIOCore

/// `application/scim+json` in and out (RFC 7644 §3.1).
enum SCIMResponse {
    static let contentType = "application/scim+json"

    static func make(_ status: HTTPResponse.Status = .ok, _ value: SCIMValue, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }

    /// A JSON object body within `limit` bytes, as `application/scim+json` or
    /// `application/json`; anything else is a SCIM error.
    static func body(_ request: Request, limit: Int) async throws -> SCIMObject {
        if let type = request.headers[.contentType] {
            let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard media == "application/json" || media.hasSuffix("+json") else {
                throw SCIMError(
                    status: .unsupportedMediaType, detail: "send Content-Type: application/scim+json (got \(type.prefix(100)))")
            }
        }
        let buffer: ByteBuffer
        do {
            buffer = try await RequestBody.collect(request, limit: limit)
        } catch is ProblemError {
            throw SCIMError(status: .contentTooLarge, scimType: "tooMany", detail: "bodies are limited to \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw SCIMError.invalidSyntax("the body is empty; send a JSON object") }
        let value: SCIMValue
        do {
            value = try SCIMValue.parse(buffer.readableBytesView, maxDepth: 32)
        } catch {
            throw SCIMError.invalidSyntax("the body is not valid JSON: \(error.description)")
        }
        guard case .object(let object) = value else {
            throw SCIMError.invalidSyntax("the body must be a JSON object, not \(value.typeDescription)")
        }
        return object
    }

    /// `meta.created` / `meta.lastModified`: RFC 3339 with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func meta(resourceType: String, created: Date, lastModified: Date, location: String, version: Int64) -> SCIMValue {
        [
            "resourceType": .string(resourceType), "created": .string(timestamp(created)),
            "lastModified": .string(timestamp(lastModified)), "location": .string(location), "version": .string("W/\"\(version)\""),
        ]
    }
}
