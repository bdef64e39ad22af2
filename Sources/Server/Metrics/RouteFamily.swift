/// The `family` label of the HTTP metrics: a fixed, small set derived from the *matched
/// route's* path template (Hummingbird's `endpointPath`, e.g. `/api/devices/{deviceId}`),
/// never from the raw request path, so ids, slugs and garbage URLs can never create new
/// time series.
enum RouteFamily: Int, CaseIterable, Sendable {
    case health, openapi, docs, metrics, protocolEndpoints, deviceVerification, tenancy, applications,
        organizations, authorization, runtime, licensing, devices, enterprise, scim, other, unmatched

    var label: String {
        switch self {
        case .health: "health"
        case .openapi: "openapi"
        case .docs: "docs"
        case .metrics: "metrics"
        case .protocolEndpoints: "protocol"
        case .deviceVerification: "device_verification"
        case .tenancy: "tenancy"
        case .applications: "applications"
        case .organizations: "organizations"
        case .authorization: "authorization"
        case .runtime: "runtime"
        case .licensing: "licensing"
        case .devices: "devices"
        case .enterprise: "enterprise"
        case .scim: "scim"
        case .other: "other"
        case .unmatched: "unmatched"
        }
    }

    /// `endpoint` is the matched route template; nil or Hummingbird's "NotFound" when no
    /// route matched (404s for unknown paths all land in `unmatched`).
    init(endpoint: String?) {
        guard let path = endpoint, path.hasPrefix("/") else { self = .unmatched; return }
        if path.hasPrefix("/api/") {
            if path.hasPrefix("/api/runtime/authorization") { self = .authorization }
            else if path.hasPrefix("/api/runtime/") { self = .runtime }
            else if path.hasPrefix("/api/organizations") { self = .organizations }
            else if path.hasPrefix("/api/applications") { self = .applications }
            else if path.hasPrefix("/api/devices") { self = .devices }
            else if path.hasPrefix("/api/licensing") || path.hasPrefix("/api/marketplace") { self = .licensing }
            else if path.hasPrefix("/api/enterprise") { self = .enterprise }
            else if path.hasPrefix("/api/tenancy") { self = .tenancy }
            else { self = .other }
        } else if path.hasPrefix("/connect/") || path.hasPrefix("/.well-known/") || path.hasPrefix("/t/") {
            self = .protocolEndpoints
        } else if path.hasPrefix("/scim/") {
            self = .scim
        } else if path == "/healthz" || path == "/readyz" {
            self = .health
        } else if path.hasPrefix("/openapi") {
            self = .openapi
        } else if path.hasPrefix("/docs") {
            self = .docs
        } else if path == "/metrics" {
            self = .metrics
        } else if path.hasPrefix("/device") {
            self = .deviceVerification
        } else {
            self = .other
        }
    }
}
