/// Everything read from a policy folder (DESIGN §3.1): the input of the type checker and
/// the compiler.
public struct PolicySet: Sendable, Equatable {
    /// Valid rules, in file (sorted by name) and document order. Rules with errors are left
    /// out; the diagnostics say why.
    public var rules: [Rule]
    public var policies: [PolicyDocument]
    /// All `kind: schema` documents merged; nil when there is none.
    public var schema: Schema?
    public var tests: [TestSuite]
    /// Field positions of each rule in `rules`, by rule id.
    public var ruleSources: [String: RuleSource]
    /// The YAML files read, in order.
    public var files: [String]

    public init(
        rules: [Rule] = [], policies: [PolicyDocument] = [], schema: Schema? = nil, tests: [TestSuite] = [],
        ruleSources: [String: RuleSource] = [:], files: [String] = []
    ) {
        self.rules = rules
        self.policies = policies
        self.schema = schema
        self.tests = tests
        self.ruleSources = ruleSources
        self.files = files
    }
}
