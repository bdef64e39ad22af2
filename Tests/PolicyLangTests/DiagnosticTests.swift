import Foundation
import Testing
@testable import PolicyLang

@Suite struct DiagnosticTests {
    let error = Diagnostic.error("unknown key 'whenn' in a rule", at: Loc(file: "p.yaml", line: 9, column: 5),
        hint: "did you mean 'when'?")
    let warning = Diagnostic.warning("rule can never apply", at: Loc(file: "a.yaml", line: 2, column: 3))

    @Test func textRendering() {
        #expect(error.description == "p.yaml:9:5: error: unknown key 'whenn' in a rule\n  hint: did you mean 'when'?")
        #expect(warning.description == "a.yaml:2:3: warning: rule can never apply")
    }

    @Test func jsonRendering() throws {
        #expect(Diagnostic.renderJSON([error, warning]) == """
            [{"column":5,"file":"p.yaml","hint":"did you mean 'when'?","line":9,"message":"unknown key 'whenn' in a rule","severity":"error"},\
            {"column":3,"file":"a.yaml","line":2,"message":"rule can never apply","severity":"warning"}]
            """)
        let decoded = try JSONDecoder().decode([Diagnostic].self, from: Data(Diagnostic.renderJSON([error, warning]).utf8))
        #expect(decoded == [error, warning])
    }

    @Test func ordering() {
        #expect([error, warning].sortedByLocation() == [warning, error])
        #expect([error, warning].hasErrors)
        #expect(![warning].hasErrors)
    }
}
