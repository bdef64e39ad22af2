/// The whole pipeline from YAML to a bundle, as the CLI, the server's start-up and tenant
/// uploads all need it: load (with type checking when there is a schema), then compile,
/// with every problem of every stage reported as a `Diagnostic`.
public enum PolicyBuild {
    public struct Output: Sendable {
        /// Present only when there is no error diagnostic.
        public var bundle: PolicyBundle?
        public var policySet: PolicySet
        public var diagnostics: [Diagnostic]
    }

    public static func build(directory: String, limits: PolicyLimits = PolicyLimits()) -> Output {
        let (set, diagnostics) = PolicySetLoader.load(directory: directory, limits: limits)
        return compile(set, diagnostics)
    }

    public static func build(files: [String: String], limits: PolicyLimits = PolicyLimits()) -> Output {
        let (set, diagnostics) = PolicySetLoader.load(files: files, limits: limits)
        return compile(set, diagnostics)
    }

    static func compile(_ set: PolicySet, _ loadDiagnostics: [Diagnostic]) -> Output {
        var diagnostics = loadDiagnostics
        var bundle: PolicyBundle?
        do throws(CompileErrors) {
            bundle = try PolicyCompiler.compile(rules: set.rules)
        } catch {
            diagnostics += error.errors.map { .error($0.message, at: $0.location, hint: $0.hint) }
        }
        diagnostics = diagnostics.sortedByLocation()
        if diagnostics.hasErrors { bundle = nil }
        return Output(bundle: bundle, policySet: set, diagnostics: diagnostics)
    }
}
