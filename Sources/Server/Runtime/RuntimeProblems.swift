import Evaluator
import HTTPTypes
import Identity
import Store

/// The problems of the runtime authorization routes (RFC 9457 bodies; RFC 6750 §3
/// challenges on 401/403).
enum RuntimeProblems {
    /// The capability that lets a backend ask about a principal other than its token's
    /// subject (an operator grants it; see `OAuthScopes.reservedCapabilities`).
    static let checkCapability = "arbiter.runtime.check"

    static let authenticationRequired = ScopeProblems.authenticationRequired(
        "send an access token of your tenant: Authorization: Bearer <token>")

    static let principalNeedsCapability = ScopeProblems.insufficientScope(
        checkCapability, detail: "asking about another principal needs a token with the arbiter.runtime.check scope")

    /// `atLeastRevision` names a revision this tenant has not reached, or is not a
    /// revision this server handed out.
    static func revisionNotReached(_ error: RevisionNotReached?) -> ProblemError {
        ProblemError(
            .conflict, type: "revision-not-reached", title: "The requested revision is not available",
            detail: error == nil
                ? "atLeastRevision is not a revision this server answered with"
                : "atLeastRevision is ahead of this tenant's data; retry later or with the revision of your last write")
    }

    static func tooManyChecks(_ count: Int, limit: Int) -> ProblemError {
        .validation([FieldError(field: "checks", message: "has \(count) checks; at most \(limit) are allowed per batch")])
    }
}
