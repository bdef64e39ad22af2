import Hummingbird

/// Counts and times every request under its route family (`RouteFamily`). It sits outside
/// `ErrorMiddleware` (inside the access log), so route errors arrive here already turned
/// into the responses clients get, with their real status. Anything that still escapes is
/// counted as a 500 and rethrown untouched.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext
    let metrics: ArbiterMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(context, status: response.status.code, start: start)
            return response
        } catch {
            record(context, status: 500, start: start)
            throw error
        }
    }

    private func record(_ context: Context, status: Int, start: ContinuousClock.Instant) {
        // The router sets the matched route template before the route's middleware runs.
        metrics.request(
            family: RouteFamily(endpoint: context.endpointPath), status: status,
            nanoseconds: ArbiterMetrics.nanoseconds(since: start))
    }
}
