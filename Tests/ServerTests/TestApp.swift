import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Evaluator
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Server

/// A real Arbiter application over real LMDB in a temporary directory.
struct TestApp {
    let directory = TemporaryDirectory()
    let environment: Store.Environment
    let services: ArbiterApplication.Services
    let configuration: ServerConfiguration

    init(maxBodyBytes: Int = 1 << 20, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory.path
        configuration.passwordHashCost = 4
        configuration.maxBodyBytes = maxBodyBytes
        configure(&configuration)
        self.configuration = configuration
        environment = try Store.Environment(path: directory.path)
        let policies = PolicyBuild.build(directory: TestApp.repositoryRoot + "/Policies")
        services = try ArbiterApplication.Services(
            environment: environment, configuration: configuration,
            builtInPolicies: Program(bundle: try #require(policies.bundle)))
    }

    /// Tests/ServerTests/TestApp.swift → the repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func test<T>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = ArbiterApplication.make(services: services, configuration: configuration, logger: logger)
        return try await app.test(setup, body)
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var fieldErrors: [String] {
        (json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
    }
}

func jsonBody(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]
