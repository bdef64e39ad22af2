import Hummingbird
import Identity

extension TokenEndpoint {
    /// What the token of this request is bound to, checked before any grant runs (so a bad
    /// proof or a refused device never uses up a code or a refresh token):
    /// - a `DPoP` header must be a valid proof (RFC 9449 §4.3; `invalid_dpop_proof`
    ///   otherwise), and the token gets `cnf.jkt` — plain RFC 9449 binding, for any key;
    /// - when the proof's key is a registered active device credential of the tenant
    ///   (`jwk`), or else the mTLS certificate is (`x509`), the token is device-bound
    ///   (`device_id`, `device_risk_state`, `device_trust_level`), and only if the built-in
    ///   device policy allows it: a revoked (or pending, denied, transferred) activation or a
    ///   blocked or compromised device is `invalid_grant`.
    /// Nil when the request proves nothing.
    func deviceProof(_ call: Call) throws -> TokenBinding? {
        let devices = services.deviceBinding
        let proof: DPoPProof?
        do {
            proof = try devices.dpop.verify(call.request.head, accessToken: nil)
        } catch {
            call.context.logger.info("DPoP proof refused", metadata: ["reason": .string(error.description)])
            throw OAuthError(.badRequest, error: "invalid_dpop_proof", description: error.description)
        }
        var binding = proof.map { TokenBinding(jkt: $0.jkt) }
        let tenantId = call.tenant.id
        var bound: BoundDevice?
        if let proof { bound = try devices.device(tenantId: tenantId, kind: .jwk, thumbprint: proof.jkt) }
        if bound == nil, let certificate = call.certificateThumbprint {
            bound = try devices.device(tenantId: tenantId, kind: .x509, thumbprint: certificate)
        }
        guard let bound else { return binding }
        do {
            try devices.authorize(bound, tenantId: tenantId, clientId: call.client.clientId)
        } catch {
            call.context.logger.info("device-bound token refused", metadata: [
                "device_id": .string(bound.device.id), "reason": .string(error.description),
            ])
            throw OAuthError.invalidGrant(error.description)
        }
        var device = binding ?? TokenBinding()
        device.deviceId = bound.device.id
        device.deviceRiskState = bound.device.riskState.rawValue
        device.deviceTrustLevel = Int64(bound.device.riskState.trustLevel)
        device.deviceActivationId = bound.activation?.id
        device.deviceOrganizationId = bound.device.organizationId
        binding = device
        return binding
    }
}
