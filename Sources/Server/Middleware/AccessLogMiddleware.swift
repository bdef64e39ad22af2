import HTTPTypes
import Hummingbird
import NIOCore

/// One log line per request: method, path without its query (queries may carry codes or
/// tokens), status and duration.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "duration_us": .stringConvertible(micros),
        ])
        return response
    }
}
