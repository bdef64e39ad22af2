import CoreMetrics
import Identity
import Prometheus
import Store
import Synchronization

/// Arbiter's Prometheus metrics, served by `GET /metrics`.
///
/// One registry per `ArbiterApplication.Services`, never the process-global
/// `MetricsSystem`: tests build many applications in one process, and each must count only
/// its own requests. Metrics are swift-metrics objects (`Counter`, `Timer`, `Meter`) whose
/// handlers come from this registry (so every series has a `# HELP` line) and whose factory
/// is a `PrometheusMetricsFactory` over the same registry.
///
/// Every labelled series on a request path is created once, here, and picked by index: a
/// request costs a clock read, a lock and an add, never a string or a registry lookup.
public final class ArbiterMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let environment: Store.Environment

    /// `[family × status class]`, status classes 1xx…5xx.
    private let requests: [CoreMetrics.Counter]
    private let requestDurations: [CoreMetrics.Timer]
    /// `[route × (deny, allow)]`.
    private let decisions: [CoreMetrics.Counter]
    private let evaluations: [CoreMetrics.Timer]
    private let tokens: [(grantType: String, counter: CoreMetrics.Counter)]
    private let webhookDeliveries: Mutex<[String: CoreMetrics.Counter]>
    private let mapSize: CoreMetrics.Meter
    private let mapUsed: CoreMetrics.Meter
    private let readers: CoreMetrics.Meter
    private let maxReaders: CoreMetrics.Meter

    /// The routes that answer authorization decisions.
    enum DecisionRoute: Int, CaseIterable, Sendable {
        case check, checkBatch, checkScoped

        var label: String {
            switch self {
            case .check: "check"
            case .checkBatch: "check_batch"
            case .checkScoped: "check_scoped"
            }
        }
    }

    /// Outcomes every scrape shows (at 0 until they happen) so dashboards and alerts have a
    /// series from the start; a webhook delivery outcome outside these is still counted
    /// (see `webhookDelivery(outcome:)`).
    static let knownWebhookOutcomes = ["delivered", "failed", "abandoned"]
    static let maxWebhookOutcomes = 16

    static let requestBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    /// A decision is tens of microseconds; the buckets resolve that range.
    static let evaluationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100),
    ]

    public init(environment: Store.Environment) {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        self.registry = registry
        self.factory = factory
        self.environment = environment

        func counter(_ name: String, _ labels: [(String, String)], help: String) -> CoreMetrics.Counter {
            CoreMetrics.Counter(
                label: name, dimensions: labels, handler: registry.makeCounter(name: name, labels: labels, help: help),
                factory: factory)
        }
        func timer(_ name: String, _ labels: [(String, String)], buckets: [Duration], help: String) -> CoreMetrics.Timer {
            CoreMetrics.Timer(
                label: name, dimensions: labels,
                handler: registry.makeDurationHistogram(name: name, labels: labels, buckets: buckets, help: help),
                factory: factory)
        }
        func gauge(_ name: String, help: String) -> CoreMetrics.Meter {
            CoreMetrics.Meter(
                label: name, dimensions: [], handler: registry.makeGauge(name: name, labels: [], help: help), factory: factory)
        }

        var requests: [CoreMetrics.Counter] = []
        var requestDurations: [CoreMetrics.Timer] = []
        for family in RouteFamily.allCases {
            for statusClass in 1...5 {
                requests.append(counter(
                    "arbiter_http_requests_total", [("family", family.label), ("status", "\(statusClass)xx")],
                    help: "HTTP requests answered, by route family and status class."))
            }
            requestDurations.append(timer(
                "arbiter_http_request_duration_seconds", [("family", family.label)], buckets: Self.requestBuckets,
                help: "Time from request to response head, by route family."))
        }
        self.requests = requests
        self.requestDurations = requestDurations

        var decisions: [CoreMetrics.Counter] = []
        var evaluations: [CoreMetrics.Timer] = []
        for route in DecisionRoute.allCases {
            for outcome in ["deny", "allow"] {
                decisions.append(counter(
                    "arbiter_authorization_decisions_total", [("route", route.label), ("outcome", outcome)],
                    help: "Authorization decisions answered (each check of a batch counts), by route and outcome."))
            }
            evaluations.append(timer(
                "arbiter_evaluator_duration_seconds", [("route", route.label)], buckets: Self.evaluationBuckets,
                help: "Time to decide one request's checks at one snapshot (graph reads and policy evaluation)."))
        }
        self.decisions = decisions
        self.evaluations = evaluations

        tokens = TokenEndpoint.supportedGrantTypes.map { grantType in
            (grantType, counter(
                "arbiter_tokens_issued_total", [("grant_type", grantType)],
                help: "Access tokens issued by the token endpoint, by grant type."))
        }

        var deliveries: [String: CoreMetrics.Counter] = [:]
        for outcome in Self.knownWebhookOutcomes {
            deliveries[outcome] = counter(
                Self.webhookMetricName, [("outcome", outcome)], help: Self.webhookMetricHelp)
        }
        webhookDeliveries = Mutex(deliveries)

        mapSize = gauge("arbiter_lmdb_map_size_bytes", help: "Size of the LMDB memory map (grows on demand).")
        mapUsed = gauge("arbiter_lmdb_map_used_bytes", help: "Bytes of the LMDB map in use (last page × page size).")
        readers = gauge("arbiter_lmdb_readers", help: "LMDB reader slots in use (all processes).")
        maxReaders = gauge("arbiter_lmdb_max_readers", help: "LMDB reader slots available.")
    }

    static let webhookMetricName = "arbiter_webhook_deliveries_total"
    static let webhookMetricHelp = "Webhook delivery attempts, by outcome."

    // MARK: Recording

    /// One answered HTTP request (`MetricsMiddleware`).
    func request(family: RouteFamily, status: Int, nanoseconds: Int64) {
        let statusClass = min(max(status / 100, 1), 5)
        requests[family.rawValue * 5 + statusClass - 1].increment()
        requestDurations[family.rawValue].recordNanoseconds(nanoseconds)
    }

    /// Times `body` as one evaluation of `route`'s checks.
    func evaluation<T>(_ route: DecisionRoute, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { evaluations[route.rawValue].recordNanoseconds(Self.nanoseconds(since: start)) }
        return try body()
    }

    /// Counts each decision of an answer under allow or deny.
    func decided(_ route: DecisionRoute, _ decisions: [RuntimeDecision]) {
        var allowed = 0
        for decision in decisions where decision.allowed { allowed += 1 }
        let base = route.rawValue * 2
        if allowed > 0 { self.decisions[base + 1].increment(by: allowed) }
        if decisions.count > allowed { self.decisions[base].increment(by: decisions.count - allowed) }
    }

    /// One decision of `route` (check-scoped answers one at a time).
    func decided(_ route: DecisionRoute, allowed: Bool) {
        decisions[route.rawValue * 2 + (allowed ? 1 : 0)].increment()
    }

    /// One access token issued through `grantType` (one of `TokenEndpoint.supportedGrantTypes`).
    func tokenIssued(grantType: String) {
        for entry in tokens where entry.grantType == grantType {
            entry.counter.increment()
            return
        }
    }

    /// One webhook delivery attempt ended with `outcome`: "delivered" (2xx), "failed" (will
    /// be retried) or "abandoned" (retries exhausted) are the expected ones. Another value is
    /// counted too, reduced to `[a-z0-9_]` (at most 32 characters); past 16 distinct outcomes
    /// further ones count as "other", so a caller can never grow the label set unbounded.
    public func webhookDelivery(outcome: String) {
        let counter = webhookDeliveries.withLock { counters -> CoreMetrics.Counter in
            if let known = counters[outcome] { return known }
            var label = String(outcome.lowercased().unicodeScalars.prefix(32).map { scalar -> Character in
                switch scalar {
                case "a"..."z", "0"..."9", "_": Character(scalar)
                default: "_"
                }
            })
            if label.isEmpty { label = "other" }
            if let known = counters[label] { return known }
            if counters.count >= Self.maxWebhookOutcomes { label = "other" }
            if let known = counters[label] { return known }
            let made = CoreMetrics.Counter(
                label: Self.webhookMetricName, dimensions: [("outcome", label)],
                handler: registry.makeCounter(name: Self.webhookMetricName, labels: [("outcome", label)], help: Self.webhookMetricHelp),
                factory: factory)
            counters[label] = made
            return made
        }
        counter.increment()
    }

    // MARK: Scrape

    /// The Prometheus text exposition (format 0.0.4), with the LMDB gauges read now.
    public func exposition() -> [UInt8] {
        mapSize.set(environment.mapSize)
        mapUsed.set(environment.mapUsed)
        readers.set(environment.readerCount)
        maxReaders.set(environment.readerLimit)
        return registry.emitToBuffer()
    }

    static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }
}
