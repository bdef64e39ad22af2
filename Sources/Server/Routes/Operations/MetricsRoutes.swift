import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /metrics`: Prometheus text exposition of this server's counters, histograms and
/// LMDB gauges. Unauthenticated like `/healthz` (a scraper holds no Arbiter token); it
/// carries only aggregate counts with bounded labels — no tenant, user or path — so keep
/// it reachable to the monitoring network only (see README, Operations).
struct MetricsRoutes {
    let metrics: ArbiterMetrics

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/metrics") { _, _ in
            let body = metrics.exposition()
            return Response(
                status: .ok,
                headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
