import Devices
import Evaluator
import Foundation
import Identity

/// `context.device` of runtime checks made with a device-bound token (issue 7), read live
/// (the bearer check has just confirmed the device is still trusted; this reads its
/// current risk and newest posture, never what the token said at issuance):
///
///     {id: String, riskState: String, trustLevel: Long, activationId?: String,
///      posture?: {os, osVersion, patchAgeDays, diskEncrypted, firewallEnabled,
///                 screenLockEnabled, edrRunning, jailbroken}}
///
/// `posture` is absent until the device reports one, so rules test `context.device has posture`.
/// Tokens not bound to a device get no `context.device`.
struct DeviceContext: DeviceContextProvider {
    let binding: DeviceBinding

    func deviceContext(for token: VerifiedAccessToken) -> Value? {
        guard let view = device(for: token) else { return nil }
        return Self.value(view)
    }

    /// The bound device as it is now, nil for a token not bound to one (or one gone).
    func device(for token: VerifiedAccessToken) -> BoundDevice? {
        guard token.claims.isDeviceBound else { return nil }
        return try? binding.checkLive(token)
    }

    static func value(_ bound: BoundDevice) -> Value {
        let device = bound.device
        var record: [String: Value] = [
            "id": .string(device.id),
            "riskState": .string(device.riskState.rawValue),
            "trustLevel": .long(Int64(device.riskState.trustLevel)),
        ]
        if let activation = bound.activation { record["activationId"] = .string(activation.id) }
        if let posture = device.posture {
            record["posture"] = .record([
                "os": .string(posture.os),
                "osVersion": .string(posture.osVersion),
                "patchAgeDays": .long(posture.patchAgeDays),
                "diskEncrypted": .bool(posture.diskEncrypted),
                "firewallEnabled": .bool(posture.firewallEnabled),
                "screenLockEnabled": .bool(posture.screenLockEnabled),
                "edrRunning": .bool(posture.edrRunning),
                "jailbroken": .bool(posture.jailbroken),
            ])
        }
        return .record(record)
    }
}
