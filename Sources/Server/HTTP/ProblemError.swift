import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// RFC 9457 problem details, the error body of every `/api/*` route (DESIGN §5).
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?
    /// Field errors of a validation failure, one per invalid field.
    public var errors: [FieldError]?
    /// `no-free-seat` on a device activation: the installation that was recorded anyway,
    /// which an administrator can give a seat by transfer.
    public var installationId: String?
}

/// A failure that answers as `application/problem+json`.
public struct ProblemError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var problem: ProblemDetails
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, type: String, title: String, detail: String? = nil, errors: [FieldError]? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.problem = ProblemDetails(
            type: "urn:arbiter:problem:" + type, title: title, status: status.code, detail: detail, errors: errors)
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self.problem
        problem.instance = request.uri.path
        let data = try ProblemError.encoder.encode(problem)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    // MARK: The problems every route shares

    public static func validation(_ errors: [FieldError]) -> ProblemError {
        ProblemError(
            .badRequest, type: "validation-error", title: "The request has invalid fields",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    public static func malformedBody(_ detail: String) -> ProblemError {
        ProblemError(.badRequest, type: "malformed-body", title: "The request body could not be read", detail: detail)
    }

    public static func bodyTooLarge(limit: Int) -> ProblemError {
        ProblemError(
            .contentTooLarge, type: "body-too-large", title: "The request body is too large",
            detail: "bodies on this route are limited to \(limit) bytes")
    }

    public static func unsupportedMediaType(_ got: String?) -> ProblemError {
        ProblemError(
            .unsupportedMediaType, type: "unsupported-media-type", title: "The request body must be JSON",
            detail: "send Content-Type: application/json" + (got.map { " (got \($0))" } ?? ""))
    }

    public static func conflict(type: String, title: String, detail: String) -> ProblemError {
        ProblemError(.conflict, type: type, title: title, detail: detail)
    }

    public static func notFound(_ detail: String = "no such resource") -> ProblemError {
        ProblemError(.notFound, type: "not-found", title: "Not found", detail: detail)
    }

    /// An HTTP status with no more specific problem type (`about:blank` in RFC 9457 terms).
    public static func status(_ status: HTTPResponse.Status, detail: String?) -> ProblemError {
        var error = ProblemError(status, type: "", title: status.reasonPhrase, detail: detail)
        error.problem.type = "about:blank"
        return error
    }
}
