import Hummingbird
import Identity

/// What Arbiter's middleware has established about a request, handed to every route.
public struct ArbiterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id echoed in `X-Request-Id` and attached to every log line.
    public var requestId: String = ""
    /// The verified bearer token of the caller (tenant, subject, client id, scopes), set by
    /// `BearerAuthenticator` on the routes that accept one.
    public var accessToken: VerifiedAccessToken?

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
