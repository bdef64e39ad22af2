import Hummingbird

/// Hands the server's `DeviceBinding` to every request's context, so the bearer check of
/// any route — however its route family built its `BearerAuthenticator` — can verify DPoP
/// proofs and re-read the device of a device-bound token.
struct DeviceBindingMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext
    let binding: DeviceBinding

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.deviceBinding = binding
        return try await next(request, context)
    }
}
