import Synchronization

/// The methods each path of the router answers, read from the router's own route list
/// once it is complete, so that a request for a path that exists, with a method it does
/// not answer, gets 405 and an `Allow` header (RFC 9110 §15.5.6) instead of the router's
/// 404. Consulted only when the router found no route, never on a matched request.
final class RouteMethods: Sendable {
    private struct Route {
        /// Literal segments, or nil for a parameter (`{id}`, `:id`) or `*`.
        var segments: [Substring?]
        var method: String
    }

    private let routes = Mutex<[Route]>([])

    /// Paths as Hummingbird describes them (`/api/x/{id}`), with their methods.
    func load(_ entries: [(path: String, method: String)]) {
        let parsed = entries.map { entry in
            Route(
                segments: entry.path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                    segment.hasPrefix(":") || segment == "*" || (segment.hasPrefix("{") && segment.hasSuffix("}")) ? nil : segment
                },
                method: entry.method)
        }
        routes.withLock { $0 = parsed }
    }

    /// Every method some route answers for `path`, sorted; empty when no route has this path.
    func allowed(path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let methods = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { pattern, segment in pattern.map { $0 == segment } ?? !segment.isEmpty }
            }.map(\.method)
        }
        return Set(methods).sorted()
    }
}
