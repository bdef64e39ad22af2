import Evaluator
import Hummingbird
import Identity
import PolicyLang
import Store

/// `POST /api/runtime/authorization/check-scoped`: a `check` (same body, caller, principal
/// rules and context as `CheckRoutes`) plus `scope` — a scope id (`scp_…`) or path
/// (`/acme/projects/apollo`) of the caller's tenant — and `entitlement?`, a Feature id
/// (`<productKey>/<featureKey>`) the tenant must be entitled to.
///
/// Decision (DESIGN §3.5, `ScopedDecision.combine`), all read at ONE snapshot of the
/// tenant (graph, scope tree and grants):
/// 1. the compiled policies (built-in and the tenant's active bundle) are evaluated on the
///    request — with `resource` defaulting to the scope `Scope::"scp_…"`; any matching
///    deny rule denies, whatever the grants say;
/// 2. with `entitlement`, `Feature::"<entitlement>"` must have `entitled == true`;
/// 3. walking from the scope to its root, the nearest scope holding a grant of the
///    principal matching the action (or `*`) decides, deny beating allow on the same scope.
///    Only a `User::"usr_…"` that is a member of the scope's organization (its graph
///    entity has the Organization as a parent) holds grants; for anyone else the tree is
///    silent;
/// 4. with no such grant, the policies' own answer stands (allow only if a rule allowed).
///
/// The answer is `check`'s (`decision, allowed, reasons, errors, permVer, entVer,
/// revision, trace?`) plus `scope` {id, path}, `matchedScope` (id or null), `scopeDepth`,
/// `scopeEffect` (allow|deny|null), `basis` (policyDeny|notEntitled|scope|policy) and, when
/// asked, `entitled`. `reasons` are rule ids when the policies decided and empty when a
/// scope grant or the entitlement did. An unknown scope is a 404.
struct CheckScopedRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    static let extraFields: Set<String> = ["scope", "entitlement"]
    static let maxReferenceBytes = 1_100

    func add(to router: Router<ArbiterRequestContext>) {
        router.group("/api/runtime/authorization")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
            .post("check-scoped") { request, context in try await checkScoped(request, context) }
    }

    struct Answer {
        var revision: UInt64
        var decision: RuntimeDecision
        var scope: Scope
        var walk: ScopedDecision.Walk?
        var outcome: ScopedDecision.Outcome
        var entitled: Bool?
    }

    func checkScoped(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try RuntimeCaller(context)
        let json = try await CheckRoutes.body(request, limit: min(maxBodyBytes, CheckRoutes.maxCheckBodyBytes))
        guard case .object(let members) = json else {
            throw ProblemError.validation([FieldError(field: "body", message: "must be a JSON object")])
        }
        var errors: [FieldError] = []
        var reference: String?
        var entitlement: String?
        var rest: [(key: String, value: JSON)] = []
        for member in members {
            switch member.key {
            case "scope":
                if case .string(let text) = member.value, !text.isEmpty, text.utf8.count <= Self.maxReferenceBytes {
                    reference = text
                } else {
                    errors.append(FieldError(field: "scope", message: "must be a scope id (scp_…) or path (/a/b) of your tenant"))
                }
            case "entitlement":
                switch member.value {
                case .null: break
                case .string(let text) where !text.isEmpty && text.utf8.count <= CheckBody.maxIdLength: entitlement = text
                default: errors.append(FieldError(field: "entitlement", message: "must be a Feature id such as billing/invoices"))
                }
            default:
                rest.append(member)
            }
        }
        if !members.contains(where: { $0.key == "scope" }) { errors.append(FieldError(field: "scope", message: "is required")) }
        let body = CheckBody.read(.object(rest), errors: &errors)
        guard errors.isEmpty, let body, let reference else { throw ProblemError.validation(errors) }
        let serverContext = caller.serverContext(request, context, services: services)
        let check = try caller.check(body, serverContext: serverContext)
        let atLeast = try RevisionRequirement.decode(body.atLeastRevision)
        let answer: Answer
        do {
            answer = try services.metrics.evaluation(.checkScoped) {
                try decide(check, namesResource: body.resource != nil, reference: reference, entitlement: entitlement, tenantId: caller.tenantId, atLeast: atLeast)
            }
        } catch let error as RevisionNotReached {
            throw RuntimeProblems.revisionNotReached(error)
        }
        services.metrics.decided(.checkScoped, allowed: answer.decision.allowed)
        var writer = RuntimeJSONWriter()
        writer.beginObject()
        writer.decisionFields(answer.decision)
        writer.key("revision"); writer.string(RevisionToken.encode(answer.revision))
        writer.key("scope"); writer.beginObject()
        writer.key("id"); writer.string(answer.scope.id)
        writer.key("path"); writer.string(answer.scope.path)
        writer.endObject()
        if let walk = answer.walk {
            writer.key("matchedScope"); writer.string(walk.scopeId)
            writer.key("matchedScopePath"); writer.string(walk.path)
            writer.key("scopeDepth"); writer.int(Int64(walk.depth))
            writer.key("scopeEffect"); writer.string(walk.effect.rawValue)
        } else {
            writer.key("matchedScope"); writer.null()
            writer.key("matchedScopePath"); writer.null()
            writer.key("scopeDepth"); writer.null()
            writer.key("scopeEffect"); writer.null()
        }
        writer.key("basis"); writer.string(answer.outcome.basis.rawValue)
        if let entitled = answer.entitled { writer.key("entitled"); writer.bool(entitled) }
        writer.endObject()
        return writer.response()
    }

    /// Resolves the scope, walks the tree and runs the policies at one snapshot.
    func decide(
        _ check: RuntimeCheck, namesResource: Bool, reference: String, entitlement: String?, tenantId: String, atLeast: UInt64?
    ) throws -> Answer {
        let tables = services.scopeTables
        return try services.runtime.withSnapshot(tenant: tenantId, atLeast: atLeast) { snapshot in
            let txn = snapshot.entities.transaction
            let found = reference.hasPrefix("/")
                ? try txn.scope(tenantId: tenantId, path: reference, tables: tables)
                : try txn.scope(tenantId: tenantId, id: reference, tables: tables)
            guard let scope = found else { throw ProblemError.notFound("no scope '\(reference.prefix(200))' in your tenant") }
            var request = check.request
            if !namesResource { request.resource = ScopeFacts.uid(scope.id) }
            let principal = request.principal
            // Grants count only for a current member of the scope's organization (a parent
            // edge of the user in the graph, at this snapshot): a user who left keeps no
            // access through grants nobody cleaned up.
            var member: String?
            if principal.type == "User" {
                let organization = ScopeFacts.organizationUID(scope.organizationId)
                var belongs = false
                try snapshot.entities.forEachParent(of: principal) { if $0 == organization { belongs = true } }
                if belongs { member = principal.id }
            }
            let chain = try txn.scopeChain(tenantId: tenantId, from: scope, memberId: member, tables: tables)
            let walk = ScopedDecision.walk(chain, action: request.action.id)
            var decision = snapshot.decide(request, explain: check.explain, versions: try snapshot.versions(subjectId: principal.id))
            var entitled: Bool?
            if let entitlement {
                let feature = try snapshot.entities.entity(EntityUID(type: "Feature", id: entitlement))
                entitled = feature?.attributes["entitled"] == .bool(true)
            }
            let policy: ScopedDecision.PolicyOutcome =
                decision.allowed ? .allowed : (decision.reasons.isEmpty ? .silent : .denied)
            let outcome = ScopedDecision.combine(policy: policy, entitled: entitled, walk: walk)
            decision.allowed = outcome.allowed
            if outcome.basis == .scope || outcome.basis == .notEntitled { decision.reasons = [] }
            return Answer(
                revision: snapshot.revision, decision: decision, scope: scope, walk: walk, outcome: outcome, entitled: entitled)
        }
    }
}
