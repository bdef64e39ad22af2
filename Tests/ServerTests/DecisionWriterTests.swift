import Evaluator
import PolicyLang
@testable import Server
import Testing

/// `arbiter policy eval` writes its answers byte by byte; they must be exactly the lines
/// the String-building writer (kept here as the reference) produced.
@Suite struct DecisionWriterTests {
    static let awkward = ["rule1", "", "q\"uote", "back\\slash", "new\nline\r\t", "bell\u{07}\u{1F}\u{0}", "ünï\u{1F600}", "é\u{301}"]

    @Test func linesMatchTheStringWriter() {
        var decisions: [Decision] = [
            Decision(decision: .deny, reasons: [], errors: []),
            Decision(decision: .allow, reasons: ["a"], errors: []),
        ]
        let trace = Self.awkward.enumerated().map { i, id in
            TraceEntry(ruleID: id, effect: i % 2 == 0 ? .allow : .deny,
                       outcome: [.outOfScope, .notSatisfied, .satisfied, .error("bad \(id)")][i % 4])
        }
        decisions.append(Decision(decision: .allow, reasons: Self.awkward, errors: Self.awkward.map {
            RuleError(ruleID: $0, message: "m: " + $0, location: nil)
        }, trace: trace))
        for traced in [false, true] {
            var bytes: [UInt8] = []
            var writer = DecisionWriter(sink: { bytes += $0 })
            var expected = ""
            for decision in decisions {
                writer.write(decision, trace: traced)
                expected += Self.referenceLine(decision, trace: traced)
            }
            for message in Self.awkward {
                writer.writeError(message)
                expected += "{\"error\":\(JSONString.quote(message))}\n"
            }
            writer.flush()
            #expect(bytes == Array(expected.utf8))
        }
    }

    /// The writer as it was before it wrote bytes directly.
    static func referenceLine(_ decision: Decision, trace: Bool) -> String {
        var line = "{\"decision\":\"\(decision.decision.rawValue)\",\"reasons\":["
        line += decision.reasons.map(JSONString.quote).joined(separator: ",")
        line += "],\"errors\":["
        line += decision.errors.map { "{\"rule\":\(JSONString.quote($0.ruleID)),\"message\":\(JSONString.quote($0.message))}" }
            .joined(separator: ",")
        line += "]"
        if trace {
            line += ",\"trace\":["
            line += decision.trace.map { entry in
                var item = "{\"rule\":\(JSONString.quote(entry.ruleID)),\"effect\":\"\(entry.effect.rawValue)\",\"outcome\":"
                switch entry.outcome {
                case .outOfScope: item += "\"outOfScope\""
                case .notSatisfied: item += "\"notSatisfied\""
                case .satisfied: item += "\"satisfied\""
                case .error(let message): item += "\"error\",\"message\":\(JSONString.quote(message))"
                }
                return item + "}"
            }.joined(separator: ",")
            line += "]"
        }
        return line + "}\n"
    }
}
