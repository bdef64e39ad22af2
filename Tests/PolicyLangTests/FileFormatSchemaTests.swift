import Foundation
import Testing
@testable import PolicyLang

/// docs/policy-file.schema.json is what editors validate against; these tests keep its key
/// lists in step with the keys the reader accepts.
@Suite struct FileFormatSchemaTests {
    static func definitions() throws -> [String: Any] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/policy-file.schema.json").standardized.path
        let data = try #require(FileManager.default.contents(atPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        return try #require(root["$defs"] as? [String: Any])
    }

    static func keys(_ defs: [String: Any], _ name: String) throws -> [String] {
        let def = try #require(defs[name] as? [String: Any])
        let properties = try #require(def["properties"] as? [String: Any])
        return properties.keys.sorted()
    }

    @Test func keysMatchTheReader() throws {
        let defs = try Self.definitions()
        #expect(try Self.keys(defs, "policyDocument") == DocumentReader.policyKeys.sorted())
        #expect(try Self.keys(defs, "rule") == DocumentReader.ruleKeys.sorted())
        #expect(try Self.keys(defs, "schemaDocument") == DocumentReader.schemaKeys.sorted())
        #expect(try Self.keys(defs, "testDocument") == DocumentReader.testKeys.sorted())
        #expect(try Self.keys(defs, "testCase") == DocumentReader.caseKeys.sorted())
        #expect(try Self.keys(defs, "entity") == DocumentReader.entityKeys.sorted())
    }
}
