/// How much of each kind of object a tenant's plan allows. The numbers are commercial
/// choices, not technical limits: every one is far below what the storage handles.
public struct PlanQuotas: Sendable, Equatable {
    /// Applications per tenant.
    public var maxApplications: Int
    /// Environments per application (at most one of each kind, so three is the ceiling).
    public var maxEnvironments: Int
    /// OAuth clients per tenant, over all its applications.
    public var maxClients: Int

    public init(maxApplications: Int, maxEnvironments: Int, maxClients: Int) {
        self.maxApplications = maxApplications
        self.maxEnvironments = maxEnvironments
        self.maxClients = maxClients
    }

    public static func of(_ plan: Plan) -> PlanQuotas {
        switch plan {
        case .developer: PlanQuotas(maxApplications: 3, maxEnvironments: 2, maxClients: 10)
        case .growth: PlanQuotas(maxApplications: 20, maxEnvironments: 3, maxClients: 100)
        case .business: PlanQuotas(maxApplications: 100, maxEnvironments: 3, maxClients: 1_000)
        case .enterprise: PlanQuotas(maxApplications: 1_000, maxEnvironments: 3, maxClients: 10_000)
        }
    }
}

/// A create that would take the tenant past its plan's quota. Checked inside the write
/// transaction that inserts, so two concurrent creates cannot both slip under the limit.
public struct QuotaExceeded: Error, Sendable, Equatable {
    /// `maxApplications`, `maxEnvironments` or `maxClients`.
    public var limit: String
    public var allowed: Int
    public var plan: Plan

    public init(limit: String, allowed: Int, plan: Plan) {
        self.limit = limit
        self.allowed = allowed
        self.plan = plan
    }
}
