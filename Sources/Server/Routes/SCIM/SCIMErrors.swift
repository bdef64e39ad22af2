import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Logging
import NIOCore

/// An RFC 7644 §3.12 error, the error body of every `/scim/*` route (DESIGN §5):
/// `{"schemas": [Error URN], "status": "400", "scimType": "invalidFilter", "detail": "…"}`
/// as `application/scim+json`.
struct SCIMError: HTTPResponseError, Sendable {
    static let schema = "urn:ietf:params:scim:api:messages:2.0:Error"

    var status: HTTPResponse.Status
    var scimType: String?
    var detail: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: SCIMObject = ["schemas": [.string(Self.schema)], "status": .string(String(status.code))]
        if let scimType { body["scimType"] = .string(scimType) }
        body["detail"] = .string(detail)
        return SCIMResponse.make(status, .object(body), headers: headers)
    }

    static func badRequest(_ scimType: String, _ detail: String) -> SCIMError {
        SCIMError(status: .badRequest, scimType: scimType, detail: detail)
    }

    static func invalidValue(_ detail: String) -> SCIMError { badRequest("invalidValue", detail) }
    static func invalidSyntax(_ detail: String) -> SCIMError { badRequest("invalidSyntax", detail) }
    static func invalidFilter(_ detail: String) -> SCIMError { badRequest("invalidFilter", detail) }

    static func notFound(_ detail: String) -> SCIMError { SCIMError(status: .notFound, detail: detail) }

    static func uniqueness(_ detail: String) -> SCIMError { SCIMError(status: .conflict, scimType: "uniqueness", detail: detail) }

    static let unauthorized = SCIMError(
        status: .unauthorized, detail: "send the connection's SCIM token as Authorization: Bearer scim_…",
        headers: [.wwwAuthenticate: "Bearer realm=\"arbiter-scim\""])

    /// Any error of a SCIM route as a SCIM error; an unexpected one is logged and answered
    /// 500 without internals.
    static func from(_ error: any Error, logger: Logger) -> SCIMError {
        switch error {
        case let scim as SCIMError:
            return scim
        case let resource as SCIMResourceError:
            return from(resource)
        case let failure as ValidationFailure:
            return invalidValue(failure.errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
        case let problem as ProblemError:
            var mapped = SCIMError(status: problem.status, detail: problem.problem.detail ?? problem.problem.title)
            if problem.status == .badRequest { mapped.scimType = "invalidSyntax" }
            if problem.status == .contentTooLarge { mapped.scimType = "tooMany" }
            return mapped
        case let http as HTTPError:
            return SCIMError(status: http.status, detail: http.body ?? http.status.reasonPhrase)
        case let other as any HTTPResponseError:
            return SCIMError(status: other.status, detail: other.status.reasonPhrase)
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return SCIMError(status: .internalServerError, detail: "the server failed; quote the X-Request-Id header when reporting it")
        }
    }

    static func from(_ error: SCIMResourceError) -> SCIMError {
        switch error {
        case .notFound(let id): return notFound("no resource '\(id.prefix(100))' for this connection")
        case .uniqueness(let detail): return uniqueness(detail)
        case .invalidValue(let detail): return invalidValue(detail)
        case .noJITOrganization:
            return SCIMError(
                status: .conflict, detail: "the connection has no just-in-time organization to provision into; set jit.organizationId on it")
        case .limit(let detail): return SCIMError(status: .conflict, detail: detail)
        case .lastAdministrator:
            return SCIMError(
                status: .conflict, detail: "this user is the tenant's last active administrator; make another member an administrator first")
        }
    }
}

/// Turns whatever goes wrong under `/scim/` into a SCIM error — a route's error and the
/// router's 404 for a path no route matches alike — so nothing there answers problem+json
/// or a bare status. Added to the router, so it sees unmatched paths too.
struct SCIMErrorMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/scim/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let http as HTTPError where http.status == .notFound {
            return try SCIMError.notFound("no SCIM endpoint at this path").response(from: request, context: context)
        } catch {
            return try SCIMError.from(error, logger: context.logger).response(from: request, context: context)
        }
    }
}
