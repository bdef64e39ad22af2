import Hummingbird

/// What Arbiter's middleware has established about a request, handed to every route.
public struct ArbiterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id echoed in `X-Request-Id` and attached to every log line.
    public var requestId: String = ""

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
