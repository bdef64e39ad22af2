import Hummingbird

/// `/api/licensing`: the caller's tenant's subscriptions, the entitlements derived from
/// them, and seat assignments.
///
/// Bearer token with `arbiter.api`; the tenant is the token's. Objects are looked up inside
/// it first (another tenant's ids answer 404), then the built-in policies decide
/// (`Policies/licensing.yaml`: administrators manage, active members read). Every change is
/// one write transaction: the record, its audit event, the graph projection (`Feature`
/// `entitled`, `SeatPool` seats, the user's `SeatPool` parent), the tenant's revision and
/// `ent_ver` of every subject it touches.
struct LicensingRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/licensing")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        SubscriptionRoutes(licensing: self).add(to: group)
        EntitlementRoutes(licensing: self).add(to: group)
        SeatAssignmentRoutes(licensing: self).add(to: group)
    }
}
