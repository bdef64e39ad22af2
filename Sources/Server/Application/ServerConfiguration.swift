import Foundation
import Logging
import PolicyLang

/// How `arbiter serve` runs. Layered: built-in defaults, then the `--config` YAML file,
/// then `ARBITER_*` environment variables, then command-line flags.
public struct ServerConfiguration: Sendable, Equatable {
    public enum LogFormat: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./.arbiter-data"
    public var logFormat = LogFormat.text
    public var logLevel = Logger.Level.info
    /// Largest request body any `/api/*` route reads.
    public var maxBodyBytes = 1 << 20
    /// bcrypt cost for stored passwords (2^cost rounds).
    public var passwordHashCost = 12
    /// Folder of the built-in policy set that authorizes the management API; compiled at
    /// start (a compile error stops the start) and again on SIGHUP.
    public var policiesDirectory = "Policies"
    /// Public base URL of this server as clients reach it (scheme, host, port, optional
    /// path; no trailing slash). Each tenant's OpenID issuer is `{issuer}/t/{slug}`, and
    /// access tokens name it as their audience. Defaults to `http://HOST:PORT`.
    public var issuer: String?

    /// The public base URL: `issuer` if set, else `http://HOST:PORT`.
    public var publicBaseURL: String { issuer ?? "http://\(host):\(port)" }

    public init() {}

    /// The keys a config file and the environment may set, with their environment names.
    static let keys: [(yaml: String, environment: String)] = [
        ("host", "ARBITER_HOST"),
        ("port", "ARBITER_PORT"),
        ("dataDir", "ARBITER_DATA_DIR"),
        ("logFormat", "ARBITER_LOG_FORMAT"),
        ("logLevel", "ARBITER_LOG_LEVEL"),
        ("maxBodyBytes", "ARBITER_MAX_BODY_BYTES"),
        ("passwordHashCost", "ARBITER_PASSWORD_HASH_COST"),
        ("policiesDir", "ARBITER_POLICIES_DIR"),
        ("issuer", "ARBITER_ISSUER"),
    ]

    /// Applies a YAML config file: a mapping of the keys above.
    public mutating func apply(configFile path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let documents: [YAMLNode]
        do {
            documents = try YAMLLoader.load(text, file: path)
        } catch let error as YAMLError {
            throw ConfigurationError(error.description)
        }
        guard let root = documents.first else { return }
        if root.isNull { return }
        guard documents.count == 1, let pairs = root.mappingPairs else {
            throw ConfigurationError("\(root.location): the config file must be a single mapping of settings")
        }
        for pair in pairs {
            guard let key = pair.key.scalarText, Self.keys.contains(where: { $0.yaml == key }) else {
                throw ConfigurationError(
                    "\(pair.key.location): unknown setting '\(pair.key.scalarText ?? "?")'; known settings: "
                        + Self.keys.map(\.yaml).joined(separator: ", "))
            }
            guard let value = pair.value.scalarText else {
                throw ConfigurationError("\(pair.value.location): '\(key)' must be a single value")
            }
            try set(key, value, origin: "\(pair.value.location)")
        }
    }

    /// Applies `ARBITER_*` variables.
    public mutating func apply(environment: [String: String]) throws {
        for (key, name) in Self.keys {
            if let value = environment[name] {
                try set(key, value, origin: name)
            }
        }
    }

    mutating func set(_ key: String, _ value: String, origin: String) throws {
        func integer(_ range: ClosedRange<Int>) throws -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw ConfigurationError("\(origin): '\(key)' must be an integer in \(range.lowerBound)...\(range.upperBound), not '\(value)'")
            }
            return number
        }
        switch key {
        case "host": host = value
        case "port": port = try integer(0...65535)
        case "dataDir": dataDirectory = value
        case "logFormat":
            guard let format = LogFormat(rawValue: value) else {
                throw ConfigurationError("\(origin): 'logFormat' must be text or json, not '\(value)'")
            }
            logFormat = format
        case "logLevel":
            guard let level = Logger.Level(rawValue: value) else {
                throw ConfigurationError("\(origin): 'logLevel' must be one of trace, debug, info, notice, warning, error, critical")
            }
            logLevel = level
        case "maxBodyBytes": maxBodyBytes = try integer(1024...(64 << 20))
        case "passwordHashCost": passwordHashCost = try integer(4...31)
        case "policiesDir": policiesDirectory = value
        case "issuer":
            var url = value
            while url.hasSuffix("/") { url.removeLast() }
            guard let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme ?? ""),
                  parsed.host?.isEmpty == false, parsed.query == nil, parsed.fragment == nil
            else {
                throw ConfigurationError("\(origin): 'issuer' must be an http(s) URL without query or fragment, such as https://auth.example.com, not '\(value)'")
            }
            issuer = url
        default: throw ConfigurationError("\(origin): unknown setting '\(key)'")
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
