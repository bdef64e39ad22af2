import Evaluator
import PolicyLang

/// One runtime question, after the body was read and the principal and context settled:
/// what `RuntimeAuthorizer` decides.
struct RuntimeCheck: Sendable {
    var request: Evaluator.Request
    var explain: Bool
}

/// Which program a rule of a merged decision came from.
enum RuleSource: String, Sendable {
    case builtIn
    case tenant
}

/// A runtime decision: the built-in program and the tenant's active bundle merged with
/// Cedar's semantics (any satisfied deny → deny; else any satisfied allow → allow; else
/// deny). Reasons and errors are the union, built-in first.
struct RuntimeDecision: Sendable {
    var allowed: Bool
    var reasons: [String]
    var errors: [(source: RuleSource, error: RuleError)]
    var trace: [(source: RuleSource, entry: TraceEntry)]?
    var permVer: Int64
    var entVer: Int64

    static func merge(builtIn: Decision, tenant: Decision?, explain: Bool, versions: RuntimeVersions.Pair) -> RuntimeDecision {
        var reasons: [String]
        let allowed: Bool
        if let tenant {
            let builtInDenies = builtIn.decision == .deny && !builtIn.reasons.isEmpty
            let tenantDenies = tenant.decision == .deny && !tenant.reasons.isEmpty
            if builtInDenies || tenantDenies {
                allowed = false
                reasons = (builtInDenies ? builtIn.reasons : []) + (tenantDenies ? tenant.reasons : [])
            } else {
                // No deny holds: each side is an allow with reasons or a default deny with none.
                allowed = builtIn.decision == .allow || tenant.decision == .allow
                reasons = builtIn.reasons + tenant.reasons
            }
        } else {
            allowed = builtIn.decision == .allow
            reasons = builtIn.reasons
        }
        var errors: [(source: RuleSource, error: RuleError)] = []
        if !builtIn.errors.isEmpty || !(tenant?.errors.isEmpty ?? true) {
            errors = builtIn.errors.map { (.builtIn, $0) } + (tenant?.errors ?? []).map { (.tenant, $0) }
        }
        var trace: [(source: RuleSource, entry: TraceEntry)]?
        if explain {
            trace = builtIn.trace.map { (.builtIn, $0) } + (tenant?.trace ?? []).map { (.tenant, $0) }
        }
        return RuntimeDecision(
            allowed: allowed, reasons: reasons, errors: errors, trace: trace,
            permVer: versions.permVer, entVer: versions.entVer)
    }
}
