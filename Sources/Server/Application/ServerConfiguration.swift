import Foundation
import HTTPTypes
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
    /// LMDB map size to open a new data directory with; it doubles by itself when full
    /// (and a larger size another process wrote is adopted), so this is only a start.
    public var initialMapBytes = 64 << 20
    /// bcrypt cost for stored passwords (2^cost rounds).
    public var passwordHashCost = 12
    /// Folder of the built-in policy set that authorizes the management API; compiled at
    /// start (a compile error stops the start) and again on SIGHUP.
    public var policiesDirectory = "Policies"
    /// Public base URL of this server as clients reach it (scheme, host, port, optional
    /// path; no trailing slash). Each tenant's OpenID issuer is `{issuer}/t/{slug}`, and
    /// access tokens name it as their audience. Defaults to `http://HOST:PORT`.
    public var issuer: String?
    /// TLS (both or neither): PEM files of the server's certificate chain and its
    /// unencrypted private key. With them the server answers HTTPS only.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// PEM file of the CA(s) issuing client certificates (RFC 8705 `tls_client_auth`).
    /// With TLS, the handshake asks for a client certificate (never requires one); a
    /// forwarded certificate is checked against it too.
    public var clientCAFile: String?
    /// Reverse proxies (IP addresses or CIDR blocks) whose forwarded client-certificate
    /// header is believed; from any other peer that header is ignored and logged.
    public var trustedProxies: [String] = []
    /// The header a trusted proxy puts the client certificate in: URL-encoded PEM, as
    /// nginx's `$ssl_client_escaped_cert`.
    public var clientCertificateHeader = "X-SSL-Client-Cert"
    /// Webhook retries: the first retry waits up to this long (full jitter), each further
    /// one up to twice the last, capped at an hour, for at most 24 hours.
    public var webhookRetryBaseMilliseconds = 10_000
    /// How often the webhook outbox is checked for due deliveries.
    public var webhookPollIntervalMilliseconds = 1_000
    /// The shortest time between two verification requests of a Shared Signals stream
    /// (`min_verification_interval`). Not a setting: tests raise it so that "too soon" does
    /// not depend on how fast a loaded machine runs them.
    public var ssfMinVerificationSeconds = 2

    /// True when the server terminates TLS itself.
    public var tlsEnabled: Bool { tlsCertificateFile != nil }

    /// The public base URL: `issuer` if set, else `http(s)://HOST:PORT`.
    public var publicBaseURL: String { issuer ?? "\(tlsEnabled ? "https" : "http")://\(host):\(port)" }

    public init() {}

    /// The keys a config file and the environment may set, with their environment names.
    static let keys: [(yaml: String, environment: String)] = [
        ("host", "ARBITER_HOST"),
        ("port", "ARBITER_PORT"),
        ("dataDir", "ARBITER_DATA_DIR"),
        ("logFormat", "ARBITER_LOG_FORMAT"),
        ("logLevel", "ARBITER_LOG_LEVEL"),
        ("maxBodyBytes", "ARBITER_MAX_BODY_BYTES"),
        ("initialMapBytes", "ARBITER_INITIAL_MAP_BYTES"),
        ("passwordHashCost", "ARBITER_PASSWORD_HASH_COST"),
        ("policiesDir", "ARBITER_POLICIES_DIR"),
        ("issuer", "ARBITER_ISSUER"),
        ("tlsCert", "ARBITER_TLS_CERT"),
        ("tlsKey", "ARBITER_TLS_KEY"),
        ("clientCA", "ARBITER_CLIENT_CA"),
        ("trustedProxies", "ARBITER_TRUSTED_PROXIES"),
        ("clientCertHeader", "ARBITER_CLIENT_CERT_HEADER"),
        ("webhookRetryBaseMs", "ARBITER_WEBHOOK_RETRY_BASE_MS"),
        ("webhookPollIntervalMs", "ARBITER_WEBHOOK_POLL_INTERVAL_MS"),
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
            if key == "trustedProxies", let items = pair.value.sequenceItems {
                let entries = try items.map { item in
                    guard let text = item.scalarText else {
                        throw ConfigurationError("\(item.location): each trusted proxy must be an address or CIDR block")
                    }
                    return text
                }
                try set(key, entries.joined(separator: ","), origin: "\(pair.value.location)")
                continue
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
        case "initialMapBytes": initialMapBytes = try integer((256 << 10)...(1 << 40))
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
        case "tlsCert", "tlsKey", "clientCA":
            guard !value.isEmpty else { throw ConfigurationError("\(origin): '\(key)' must be a file path") }
            switch key {
            case "tlsCert": tlsCertificateFile = value
            case "tlsKey": tlsKeyFile = value
            default: clientCAFile = value
            }
        case "trustedProxies":
            // A comma- or space-separated list (environment, YAML scalar); each one checked now.
            let entries = value.split { $0 == "," || $0 == " " }.map(String.init)
            do {
                _ = try TrustedProxies(entries)
            } catch {
                throw ConfigurationError("\(origin): \(error.description)")
            }
            trustedProxies = entries
        case "clientCertHeader":
            guard HTTPField.Name(value) != nil, value.utf8.count <= 100 else {
                throw ConfigurationError("\(origin): 'clientCertHeader' must be an HTTP header name, not '\(value)'")
            }
            clientCertificateHeader = value
        case "webhookRetryBaseMs": webhookRetryBaseMilliseconds = try integer(1...3_600_000)
        case "webhookPollIntervalMs": webhookPollIntervalMilliseconds = try integer(10...60_000)
        default: throw ConfigurationError("\(origin): unknown setting '\(key)'")
        }
    }
}

extension ServerConfiguration {
    /// Checks the settings that only make sense together; called once all layers applied.
    public func validateTLS() throws(ConfigurationError) {
        switch (tlsCertificateFile, tlsKeyFile) {
        case (nil, nil), (_?, _?): break
        case (_?, nil): throw ConfigurationError("--tls-cert needs --tls-key (the certificate's private key, PEM)")
        case (nil, _?): throw ConfigurationError("--tls-key needs --tls-cert (the server certificate chain, PEM)")
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
