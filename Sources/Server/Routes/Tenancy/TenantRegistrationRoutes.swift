import Hummingbird
import Identity

/// `POST /api/tenancy/tenant-registrations`: public self-service sign-up.
struct TenantRegistrationRoutes {
    let registrar: TenantRegistrar
    let maxBodyBytes: Int

    struct Created: Encodable {
        var tenantId: String
        var organizationId: String
        var administratorUserId: String
        var membershipId: String
    }

    func add(to router: Router<ArbiterRequestContext>) {
        router.post("/api/tenancy/tenant-registrations") { request, context in
            try await register(request, context)
        }
    }

    func register(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let body = try await RequestBody.jsonObject(request, limit: maxBodyBytes)
        var reader = FieldReader(body)
        let registration = TenantRegistration(
            tenantName: reader.string("tenantName"),
            tenantSlug: reader.string("tenantSlug"),
            userName: reader.string("userName"),
            email: reader.string("email"),
            password: reader.string("password"),
            planCode: reader.string("planCode"))
        let shapeErrors = reader.finish()
        // A field that is missing or mistyped is reported once, for its shape.
        let ruleErrors = registration.validationErrors().filter { rule in
            !shapeErrors.contains { $0.field == rule.field }
        }
        let errors = shapeErrors + ruleErrors
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        do {
            let result = try await registrar.register(registration)
            context.logger.info("tenant registered", metadata: ["tenant_id": .string(result.tenantId)])
            return try JSONResponse.make(.created, Created(
                tenantId: result.tenantId, organizationId: result.organizationId,
                administratorUserId: result.administratorUserId, membershipId: result.membershipId))
        } catch TenantRegistrationError.slugTaken(let slug) {
            throw ProblemError.conflict(
                type: "tenant-slug-taken", title: "The tenant slug is taken",
                detail: "a tenant with slug '\(slug)' already exists; choose another tenantSlug")
        }
    }
}
