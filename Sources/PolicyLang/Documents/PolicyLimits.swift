/// Bounds on untrusted policy input. Each one turns a hostile or accidental input into a
/// diagnostic instead of a crash, a stack overflow or memory exhaustion; they apply on top
/// of `YAMLLimits` (aliases and anchors refused, YAML nesting ≤ 64, scalar ≤ 64 KiB,
/// ≤ 200,000 nodes per file).
///
/// Defaults:
/// - `maxFileBytes` = 1 MiB per policy YAML file.
/// - `maxFiles` = 1,000 YAML files per policy folder or upload.
/// - `maxTotalBytes` = 32 MiB over all YAML files of a set.
/// - `maxEntitiesFileBytes` = 16 MiB for a test suite's `entitiesFile`.
/// - `maxExpressionLength` = 16,384 characters of one `when`/`unless` condition.
/// - `maxExpressionNesting` = 64 levels of brackets, parentheses, braces, `if` and call
///   arguments; this bounds the parser's recursion.
/// - `maxExpressionDepth` = 256 levels in the resulting tree (a chain `a || b || …` counts
///   one level per operator); this bounds the recursion of every later pass (type checker,
///   compiler, `Equatable`, deinitialisation) even on a 512 KiB thread stack.
/// - `maxRules` = 100,000 rules per set.
public struct PolicyLimits: Sendable, Equatable {
    public var maxFileBytes = 1 << 20
    public var maxFiles = 1_000
    public var maxTotalBytes = 32 << 20
    public var maxEntitiesFileBytes = 16 << 20
    public var maxExpressionLength = 16_384
    public var maxExpressionNesting = 64
    public var maxExpressionDepth = 256
    public var maxRules = 100_000

    public init() {}

    var yamlLimits: YAMLLimits {
        var limits = YAMLLimits()
        limits.maxDocumentBytes = maxFileBytes
        return limits
    }

    var entitiesYAMLLimits: YAMLLimits {
        var limits = YAMLLimits()
        limits.maxDocumentBytes = maxEntitiesFileBytes
        limits.maxNodes = 4_000_000
        return limits
    }
}
