import HTTPTypes
import Hummingbird
import Store

/// Gives every request an id, echoed in `X-Request-Id` and put on its log lines. A caller's
/// own id is kept when it is short and printable, so traces can be joined across services.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[Self.header]
        let id = incoming.flatMap(Self.isAcceptable) == true ? incoming! : RandomID.make(prefix: "req")
        context.requestId = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
