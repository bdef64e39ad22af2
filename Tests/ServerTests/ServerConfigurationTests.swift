import Foundation
import Testing
import TestSupport
@testable import Server

@Suite struct ServerConfigurationTests {
    @Test func layersFileThenEnvironmentThenFlags() throws {
        let dir = TemporaryDirectory()
        let file = dir.subpath("arbiter.yaml")
        try "host: 0.0.0.0\nport: 9000\ndataDir: /var/lib/arbiter\nlogFormat: json\n".write(toFile: file, atomically: true, encoding: .utf8)
        let command = try ServeCommand.parse(["--config", file, "--port", "9100"])
        let configuration = try command.resolvedConfiguration(environment: ["ARBITER_PORT": "9001", "ARBITER_LOG_LEVEL": "debug"])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9100)
        #expect(configuration.dataDirectory == "/var/lib/arbiter")
        #expect(configuration.logFormat == .json)
        #expect(configuration.logLevel == .debug)
    }

    @Test func defaults() throws {
        let configuration = try ServeCommand.parse([]).resolvedConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./.arbiter-data")
    }

    @Test func unknownSettingNamesItsLine() throws {
        let dir = TemporaryDirectory()
        let file = dir.subpath("bad.yaml")
        try "port: 9000\nhots: x\n".write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = ServerConfiguration()
        #expect {
            try configuration.apply(configFile: file)
        } throws: { error in
            "\(error)".contains("bad.yaml:2:1") && "\(error)".contains("unknown setting 'hots'")
        }
    }

    @Test func badValuesAreRefused() throws {
        var configuration = ServerConfiguration()
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["ARBITER_PORT": "http"]) }
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["ARBITER_LOG_FORMAT": "xml"]) }
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["ARBITER_PASSWORD_HASH_COST": "2"]) }
    }

    @Test func jsonLogLinesEscapeControlCharacters() {
        #expect(JSONLogHandler.quote("a\"b\\c\nd\u{1}") == #""a\"b\\c\nd\u0001""#)
    }
}
