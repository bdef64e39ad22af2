import HTTPTypes
import Hummingbird
import Identity

/// Turns every error into a response in the format of its route family (DESIGN §5):
/// problem details on `/api/*`, RFC 6749 error objects on `/connect/*` (also under a
/// tenant's issuer path, `/t/{slug}/connect/*`). An unexpected error is logged with the request id and
/// answered 500 without internals, so nothing leaks and the outer middleware (request id,
/// access log) still sees a response.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext
    /// Turns the router's 404 for a known path into 405 with `Allow`.
    var routeMethods: RouteMethods? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routeMethods?.allowed(path: request.uri.path) ?? []
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { return try failure(error, request, context) }
            let detail = "\(request.method.rawValue) is not allowed on this path; it answers \(allowed.joined(separator: ", "))"
            var response = try failure(HTTPError(.methodNotAllowed, message: detail), request, context)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        } catch {
            return try failure(error, request, context)
        }
    }

    /// `error` as the response of its route family.
    func failure(_ error: any Error, _ request: Request, _ context: Context) throws -> Response {
        let isAPI = request.uri.path.hasPrefix("/api/")
        if OAuthError.isProtocolPath(request.uri.path) {
            return try protocolError(error, context: context).response(from: request, context: context)
        }
        let responseError: any HTTPResponseError
        switch error {
        case let problem as ProblemError:
            responseError = problem
        case let failure as ValidationFailure:
            responseError = ProblemError.validation(failure.errors)
        case let http as HTTPError:
            responseError = isAPI ? ProblemError.status(http.status, detail: http.body) : http
        case let other as any HTTPResponseError:
            responseError = isAPI ? ProblemError.status(other.status, detail: nil) : other
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            responseError = ProblemError.status(.internalServerError, detail: "the server failed; quote the X-Request-Id header when reporting it")
        }
        return try responseError.response(from: request, context: context)
    }

    /// Whatever went wrong on a `/connect/*` route, as an RFC 6749 error object.
    func protocolError(_ error: any Error, context: Context) -> OAuthError {
        switch error {
        case let oauth as OAuthError:
            return oauth
        case let problem as ProblemError:
            return OAuthError.from(status: problem.status, detail: problem.problem.detail ?? problem.problem.title)
        case let http as HTTPError:
            return OAuthError.from(status: http.status, detail: http.body)
        case let other as any HTTPResponseError:
            return OAuthError.from(status: other.status, detail: nil)
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return OAuthError.from(status: .internalServerError, detail: "the server failed; quote the X-Request-Id header when reporting it")
        }
    }
}
