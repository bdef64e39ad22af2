import Testing
import TestSupport
@testable import PolicyLang

/// A bounded, seeded random-input run over the whole front end (YAML, documents,
/// expressions, type checker): it must only ever produce diagnostics, never crash or hang.
@Suite struct FrontEndFuzzTests {
    static let fragments = [
        "principal", "resource", "context", "action", ".", "[", "]", "(", ")", "{", "}", ",", ":", "::",
        "\"", "\\", "\\u{", "*", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "-", "+", "if", "then",
        "else", "has", "like", "is", "in", "true", "false", "0", "9223372036854775808", "User", "\"a\"",
        "ip(", "decimal(", ".contains(", ".isInRange(", " ", "\n", "é", "\u{0}", "#", "'", "//",
    ]

    @Test func randomExpressions() {
        var rng = SplitMix(seed: 42)
        for _ in 0..<5_000 {
            let count = Int.random(in: 1...30, using: &rng)
            let text = (0..<count).map { _ in Self.fragments.randomElement(using: &rng)! }.joined()
            _ = try? ExpressionParser.parse(text)
        }
    }

    @Test func randomMutationsOfAPolicySet() {
        let base = SchemaDocumentTests.schema + "\n---\n" + PolicyDocumentTests.documents
        let bytes = Array(base.utf8)
        let noise: [UInt8] = Array("-:{}[]'\"&*!|>#\n \t%@`".utf8)
        var rng = SplitMix(seed: 7)
        for _ in 0..<1_000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let at = Int.random(in: 0..<mutated.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: mutated[at] = noise.randomElement(using: &rng)!
                case 1: mutated.remove(at: at)
                default: mutated.insert(noise.randomElement(using: &rng)!, at: at)
                }
            }
            _ = PolicySetLoader.load(files: ["f.yaml": String(decoding: mutated, as: UTF8.self)])
        }
    }
}
