import Hummingbird

/// Counts and times every request under its route family (`RouteFamily`). It sits inside
/// `ErrorMiddleware`, so errors arrive here as the responses clients get; an error that
/// still escapes (none should) is counted with its HTTP status, or 500.
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
            record(context, status: (error as? any HTTPResponseError)?.status.code ?? 500, start: start)
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
