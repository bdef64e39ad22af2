import Foundation

/// The checked, normalized content of a manifest: features sorted by key, their actions
/// and roles sorted, so the same declaration in any order has the same `contentHash` and
/// republishing it is a no-op.
public struct ManifestContent: Sendable, Equatable, Encodable {
    public var label: String?
    public var features: [FeatureDefinition]

    public static let maxFeatures = 100
    public static let maxActions = 50
    public static let maxRoles = 20
    public static let maxLabelBytes = 64
    public static let maxNameBytes = 200
    public static let maxRoleBytes = 100

    /// Validates and normalizes; throws `ValidationFailure` with one error per bad field.
    public init(label: String?, features: [FeatureDefinition]) throws {
        var errors: [FieldError] = []
        if let label {
            let bytes = Array(label.utf8)
            if bytes.isEmpty || bytes.count > Self.maxLabelBytes || !bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                errors.append(FieldError(field: "version", message: "must be 1 to \(Self.maxLabelBytes) printable ASCII characters without spaces"))
            }
        }
        if features.isEmpty || features.count > Self.maxFeatures {
            errors.append(FieldError(field: "features", message: "must list 1 to \(Self.maxFeatures) features"))
        }
        var keys: Set<String> = []
        var normalized: [FeatureDefinition] = []
        for (index, feature) in features.enumerated() {
            let at = "features[\(index)]."
            if !ApplicationKey.isValid(feature.key) {
                errors.append(FieldError(field: at + "key", message: ApplicationKey.rule))
            } else if !keys.insert(feature.key).inserted {
                errors.append(FieldError(field: at + "key", message: "'\(feature.key)' is declared twice"))
            }
            let name = feature.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty || name.utf8.count > Self.maxNameBytes {
                errors.append(FieldError(field: at + "name", message: "must be 1 to \(Self.maxNameBytes) bytes"))
            }
            if feature.actions.count > Self.maxActions {
                errors.append(FieldError(field: at + "actions", message: "must list at most \(Self.maxActions) actions"))
            }
            for action in feature.actions where !Self.isValidAction(action) {
                errors.append(FieldError(field: at + "actions", message: "'\(action.prefix(70))' " + Self.actionRule))
            }
            if Set(feature.actions).count != feature.actions.count {
                errors.append(FieldError(field: at + "actions", message: "lists an action twice"))
            }
            if feature.roles.count > Self.maxRoles {
                errors.append(FieldError(field: at + "roles", message: "must list at most \(Self.maxRoles) roles"))
            }
            for role in feature.roles where !Self.isValidRole(role) {
                errors.append(FieldError(field: at + "roles", message: "'\(role.prefix(110))' must be 1 to \(Self.maxRoleBytes) bytes without spaces"))
            }
            if Set(feature.roles).count != feature.roles.count {
                errors.append(FieldError(field: at + "roles", message: "lists a role twice"))
            }
            normalized.append(FeatureDefinition(
                key: feature.key, name: name, actions: feature.actions.sorted(), roles: feature.roles.sorted(),
                seatRequired: feature.seatRequired))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        self.label = label
        self.features = normalized.sorted { $0.key < $1.key }
    }

    /// SHA-256 hex of the canonical JSON (sorted keys) of the normalized content.
    public var contentHash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return ClientSecrets.hash(String(decoding: data, as: UTF8.self))
    }

    /// Action names: 1 to 63 of lowercase letters, digits, `.`, `_`, `:` and `-`, starting
    /// with a letter or digit (`export`, `invoices.read`). No `/`: it separates the
    /// product key from the action in `Action::"<productKey>/<action>"`.
    public static func isValidAction(_ action: String) -> Bool {
        let bytes = Array(action.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes[0]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D }
    }

    static let actionRule = "must be 1 to 63 lowercase letters, digits, '.', '_', ':' or '-', starting with a letter or digit"

    static func isValidRole(_ role: String) -> Bool {
        !role.isEmpty && role.utf8.count <= maxRoleBytes
            && role.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0.properties.generalCategory != .control }
    }
}
