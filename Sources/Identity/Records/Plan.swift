/// The commercial plan of a tenant; later issues attach quotas to it.
public enum Plan: String, Codable, Sendable, CaseIterable {
    case developer
    case growth
    case business
    case enterprise
}
