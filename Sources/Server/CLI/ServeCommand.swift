import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Store

/// `arbiter serve`: open the data directory and answer HTTP until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server.",
        discussion: """
            Settings come from built-in defaults, then --config FILE (YAML), then ARBITER_*
            environment variables (ARBITER_HOST, ARBITER_PORT, ARBITER_DATA_DIR,
            ARBITER_LOG_FORMAT, ARBITER_LOG_LEVEL, ARBITER_MAX_BODY_BYTES,
            ARBITER_PASSWORD_HASH_COST, ARBITER_POLICIES_DIR, ARBITER_ISSUER, ARBITER_TLS_CERT,
            ARBITER_TLS_KEY, ARBITER_CLIENT_CA, ARBITER_TRUSTED_PROXIES (comma-separated),
            ARBITER_CLIENT_CERT_HEADER, ARBITER_WEBHOOK_RETRY_BASE_MS,
            ARBITER_WEBHOOK_POLL_INTERVAL_MS), then the flags below.

            TLS and mTLS (RFC 8705): --tls-cert and --tls-key serve HTTPS; --client-ca also
            asks clients for a certificate (optional: clients without one still reach every
            route), used by tls_client_auth / self_signed_tls_client_auth clients and to bind
            access tokens issued at /connect/mtls/token. Behind a reverse proxy that
            terminates TLS, list it with --trusted-proxy: only then is its client-certificate
            header (--client-cert-header, URL-encoded PEM such as nginx's
            $ssl_client_escaped_cert) believed; from any other peer it is ignored and logged.

            Performance switches (environment only, all on by default; the answers
            are the same either way): ARBITER_NIO_EXECUTOR=0 keeps Swift's default
            executor instead of running async work on NIO's event loops;
            ARBITER_CHECK_FAST_PATH=0 sends every runtime check (check, check-batch)
            through the router instead of answering the common case (a bearer token
            already verified, a well-formed body, a decision) on the event loop that
            read it (plain HTTP only; with TLS every request takes the router);
            ARBITER_BUFFERED_LOG=0 writes each log line at once instead of in batches
            (within 100 ms; warnings at once; everything at a clean stop).

            The built-in policy folder is compiled at start; any error stops the start with
            its diagnostics. SIGHUP recompiles it and swaps it in if it compiles.

            Example:
              arbiter serve --port 8080 --data-dir /var/lib/arbiter --log-format json

            A config file sets the same keys in camelCase:
              host: 0.0.0.0
              port: 8080
              dataDir: /var/lib/arbiter
              logFormat: json
              tlsCert: /etc/arbiter/server.crt
              tlsKey: /etc/arbiter/server.key
              clientCA: /etc/arbiter/client-ca.crt
              trustedProxies: [10.0.0.0/8]
            """
    )

    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "TCP port to listen on (default 8080; 0 picks a free port).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory of the embedded LMDB database (default ./.arbiter-data).")
    var dataDirectory: String?

    @Option(name: .customLong("policies"), help: "Folder of the built-in policy set (default ./Policies).")
    var policiesDirectory: String?

    @Option(help: "Public base URL clients use (default http://HOST:PORT); tenant issuers are {issuer}/t/{slug}.")
    var issuer: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain of the server; with --tls-key, serve HTTPS.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert (unencrypted).")
    var tlsKey: String?

    @Option(name: .customLong("client-ca"), help: "PEM CA certificate(s) issuing client certificates; asks TLS clients for one (optional).")
    var clientCA: String?

    @Option(name: .customLong("trusted-proxy"), help: "Address or CIDR of a reverse proxy whose client-certificate header is believed (repeatable).")
    var trustedProxies: [String] = []

    @Option(name: .customLong("client-cert-header"), help: "Header carrying a forwarded client certificate (default X-SSL-Client-Cert).")
    var clientCertificateHeader: String?

    @Option(help: "YAML file with settings.")
    var config: String?

    @Option(name: .customLong("log-format"), help: "text or json (one JSON object a line).")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Flag(help: "Load (or reuse) the demo tenant 'demo' and print ready-to-paste curl commands for an allowed and a denied check.")
    var demo = false

    func resolvedConfiguration(environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let config { try configuration.apply(configFile: config) }
        try configuration.apply(environment: environment)
        if let host { try configuration.set("host", host, origin: "--host") }
        if let port { try configuration.set("port", String(port), origin: "--port") }
        if let dataDirectory { try configuration.set("dataDir", dataDirectory, origin: "--data-dir") }
        if let policiesDirectory { try configuration.set("policiesDir", policiesDirectory, origin: "--policies") }
        if let logFormat { try configuration.set("logFormat", logFormat, origin: "--log-format") }
        if let logLevel { try configuration.set("logLevel", logLevel, origin: "--log-level") }
        if let issuer { try configuration.set("issuer", issuer, origin: "--issuer") }
        if let tlsCertificate { try configuration.set("tlsCert", tlsCertificate, origin: "--tls-cert") }
        if let tlsKey { try configuration.set("tlsKey", tlsKey, origin: "--tls-key") }
        if let clientCA { try configuration.set("clientCA", clientCA, origin: "--client-ca") }
        if !trustedProxies.isEmpty {
            try configuration.set("trustedProxies", trustedProxies.joined(separator: ","), origin: "--trusted-proxy")
        }
        if let clientCertificateHeader {
            try configuration.set("clientCertHeader", clientCertificateHeader, origin: "--client-cert-header")
        }
        try configuration.validateTLS()
        return configuration
    }

    func run() async throws {
        // Swift Concurrency's jobs run on NIO's event loops instead of a second thread pool:
        // a request's handler then runs on the thread that read it, without two thread hops
        // per request (the HTTP load benchmark: BENCHMARKS.md "HTTP load"). Nothing async
        // here blocks a thread for long: LMDB writes, bcrypt and policy compiles have their
        // own queues. ARBITER_NIO_EXECUTOR=0 keeps the default executor.
        if ProcessInfo.processInfo.environment["ARBITER_NIO_EXECUTOR"] != "0" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let configuration: ServerConfiguration
        do {
            configuration = try resolvedConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let level = configuration.logLevel
        // Lines are batched (`BufferedLogHandler`: the access log writes one per request);
        // ARBITER_BUFFERED_LOG=0 writes each line at once, as before.
        let buffered = ProcessInfo.processInfo.environment["ARBITER_BUFFERED_LOG"] != "0"
        defer { BufferedLogHandler.flushStandardOutput() }
        switch configuration.logFormat {
        case .json where buffered:
            LoggingSystem.bootstrap { label in
                var handler = BufferedLogHandler.standardOutput(label: label, format: .json)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text where buffered:
            LoggingSystem.bootstrap { label in
                var handler = BufferedLogHandler.standardOutput(label: label, format: .text)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "arbiter")
        logger.logLevel = level

        let builtIn = try BuiltInPolicies.compile(configuration.policiesDirectory, logger: logger)
        var storeOptions = Store.Environment.Options()
        storeOptions.initialMapSize = configuration.initialMapBytes
        let environment = try Store.Environment(path: configuration.dataDirectory, options: storeOptions)
        defer { environment.close() }
        // Held until exit: `arbiter admin restore` must not swap the data file under us.
        guard let directoryLock = DataDirectoryLock.shared(directory: configuration.dataDirectory) else {
            throw ValidationError("\(configuration.dataDirectory) is being restored; start the server when the restore is done")
        }
        defer { directoryLock.release() }
        let services: ArbiterApplication.Services
        do {
            services = try ArbiterApplication.Services(environment: environment, configuration: configuration, builtInPolicies: builtIn)
        } catch let error as ConfigurationError {
            // An unreadable TLS certificate, key or client CA: say which, and do not start.
            throw ValidationError(error.description)
        }
        let reload = BuiltInPolicies.reloadOnHangup(configuration.policiesDirectory, registry: services.policies, logger: logger)
        defer { reload.cancel() }
        if demo {
            // The printed commands name the port, so it must be known before listening.
            guard configuration.port != 0 else { throw ValidationError("--demo needs a fixed port (not 0): the printed commands name it") }
            let seeded = try await DemoSeeder(services: services).seed()
            // Unbuffered: a pipe reader sees the commands before the server's first request
            // (and after the log lines before them).
            BufferedLogHandler.flushStandardOutput()
            FileHandle.standardOutput.write(Data(DemoInstructions.text(
                seeded, baseURL: DemoInstructions.baseURL(host: configuration.host, port: configuration.port, tls: configuration.tlsEnabled)).utf8))
        }
        let app = ArbiterApplication.make(services: services, configuration: configuration, logger: logger)
        logger.info("starting", metadata: [
            "host": .string(configuration.host), "port": .stringConvertible(configuration.port),
            "data_dir": .string(configuration.dataDirectory),
            "tls": .string(configuration.tlsEnabled ? (configuration.clientCAFile != nil ? "on, client certificates requested" : "on") : "off"),
            "trusted_proxies": .string(configuration.trustedProxies.joined(separator: ",")),
        ])
        // Runs until SIGTERM/SIGINT, then lets in-flight requests finish (swift-service-lifecycle).
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        logger.info("stopped")
    }
}
