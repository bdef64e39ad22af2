import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `GET/POST /device`: the verification page of the device flow (RFC 8628 §3.3).
///
/// The page needs no earlier sign-in: the user types the code their device shows (or
/// arrives with it in `?user_code=`), signs in with their user name and password, and
/// approves or denies. The tenant is the one the device request belongs to, never one the
/// form names, and nothing on the page tells whether a code exists in another tenant.
/// Five wrong passwords against one code lock it, so a code shown on a screen cannot be
/// used to guess a password.
struct DeviceVerificationRoutes {
    let services: ArbiterApplication.Services
    let pages: WebPages
    let signIn: PasswordSignIn
    let secureCookies: Bool

    init(services: ArbiterApplication.Services, configuration: ServerConfiguration) {
        self.services = services
        pages = WebPages()
        signIn = PasswordSignIn(
            environment: services.environment, tables: services.identityTables,
            hasher: PasswordHasher(cost: UInt8(clamping: configuration.passwordHashCost)))
        secureCookies = services.tokenIssuer.naming.baseURL.lowercased().hasPrefix("https://")
    }

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/device") { request, _ in try show(request) }
        router.post("/device") { request, context in try await submit(request, context) }
    }

    /// What the form shows besides the CSRF token.
    struct FormState {
        var userCode = ""
        var userName = ""
        var error: String?
        var tenant: Tenant?
    }

    func show(_ request: Request) throws -> Response {
        var state = FormState()
        if let code = request.uri.queryParameters.get("user_code"), code.utf8.count <= 32 {
            state.userCode = code
            if let pending = try services.deviceAuthorizations.pending(userCode: code) {
                state.tenant = try tenant(id: pending.tenantId)
            } else {
                state.error = Self.unknownCode
            }
        }
        return render(request, state)
    }

    func submit(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let form: FormBody
        do {
            form = try await FormBody.read(request)
        } catch let error as OAuthError {
            return pages.message(title: "The form could not be read", text: error.description ?? "Send the form again.", status: error.status)
        }
        guard CSRFProtection.verify(request: request, submitted: form[CSRFProtection.fieldName]) else {
            return pages.message(
                title: "Form expired",
                text: "This form was not sent from this page, or it expired. Open the device page again and retry.",
                status: .forbidden)
        }
        var state = FormState(
            userCode: String((form["user_code"] ?? "").prefix(32)), userName: String((form["user_name"] ?? "").prefix(256)))
        let action = form["action"]
        guard action == "approve" || action == "deny" else {
            state.error = "Choose Approve or Deny."
            return render(request, state, status: .badRequest)
        }
        guard let pending = try services.deviceAuthorizations.pending(userCode: state.userCode),
              let tenant = try tenant(id: pending.tenantId)
        else {
            state.error = Self.unknownCode
            return render(request, state, status: .badRequest)
        }
        state.tenant = tenant
        guard let user = try await signIn.authenticate(
            tenantSlug: tenant.slug, userName: form["user_name"] ?? "", password: form["password"] ?? "")
        else {
            let outcome = try await services.deviceAuthorizations.recordFailedAttempt(userCode: state.userCode)
            context.logger.info("device page sign-in failed", metadata: ["device_authorization": .string(pending.id)])
            if outcome == .wrongCredentials(locked: true) {
                return pages.message(
                    title: "Code locked",
                    text: "Too many wrong attempts: this code no longer works. Start again on your device to get a new one.",
                    status: .badRequest)
            }
            state.error = "The user name or password is wrong."
            return render(request, state, status: .badRequest)
        }
        let outcome = action == "approve"
            ? try await services.deviceAuthorizations.approve(userCode: state.userCode, user: user)
            : try await services.deviceAuthorizations.deny(userCode: state.userCode, user: user)
        switch outcome {
        case .approved:
            context.logger.info("device authorization approved", metadata: [
                "device_authorization": .string(pending.id), "tenant_id": .string(tenant.id),
            ])
            return pages.message(title: "Device approved", text: "Your device is signing in now. You can close this page.")
        case .denied:
            context.logger.info("device authorization denied", metadata: [
                "device_authorization": .string(pending.id), "tenant_id": .string(tenant.id),
            ])
            return pages.message(title: "Request denied", text: "The device will not be signed in. You can close this page.")
        case .notPending, .wrongCredentials:
            // Decided or expired while the password was being checked.
            state.error = Self.unknownCode
            state.tenant = nil
            return render(request, state, status: .badRequest)
        }
    }

    static let unknownCode = "This code is unknown, expired or already used. Check the code your device shows, or start again there."

    func render(_ request: Request, _ state: FormState, status: HTTPResponse.Status = .ok) -> Response {
        let (csrf, setCookie) = CSRFProtection.token(for: request, secure: secureCookies)
        var values: [String: Any] = ["csrf": csrf, "userCode": state.userCode, "userName": state.userName]
        if let error = state.error { values["error"] = error }
        if let tenant = state.tenant {
            values["tenantName"] = tenant.name
            values["tenantSlug"] = tenant.slug
        }
        return pages.render("device", values, status: status, headers: setCookie)
    }

    func tenant(id: String) throws -> Tenant? {
        try services.environment.read { try $0.getJSON(Tenant.self, services.identityTables.tenants, Key(.string(id))) }
    }
}
